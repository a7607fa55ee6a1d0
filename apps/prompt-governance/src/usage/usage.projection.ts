import { CloudEvent, promptGovernanceCatalog, Topics, UsageLoggedData, UsageOutcome, UsageRecord } from '@mlops/events';
import { DerivedDocument, derivedSchema, Projection, ReadModelDocument, readModelSchema } from '@mlops/event-sourcing';
import { rollUp, UsageGroup } from './usage-aggregates';

/** One document per usage batch stream: its totals. */
export interface UsageBatchDocument extends ReadModelDocument {
  template_id: string;
  version_number: number;
  batch_id: string;
  count: number;
  error_count: number;
  input_tokens: number;
  output_tokens: number;
  cost: number;
  logged_at: string;
  logged_by: string;
}

/** One document per usage record: the paginated log and what the aggregates read. */
export interface UsageRecordDocument extends DerivedDocument {
  template_id: string;
  version: number;
  batch_id: string;
  caller: string;
  environment: string;
  input_tokens: number;
  output_tokens: number;
  latency_ms: number;
  cost: number;
  outcome: UsageOutcome;
  timestamp: string;
  /** UTC day of `timestamp`, for the per-day aggregates. */
  day: string;
}

/**
 * One document per (batch, day, environment, caller, outcome): the group's sums and its sorted
 * latencies. Aggregates over whole days read these — about a hundred times fewer documents than
 * the records — and stay exact.
 */
export interface UsageRollupDocument extends DerivedDocument, UsageGroup {
  template_id: string;
  version: number;
  batch_id: string;
  environment: string;
  caller: string;
}

export const USAGE_RECORDS_COLLECTION = 'prompt_usage_records';
export const USAGE_ROLLUPS_COLLECTION = 'prompt_usage_rollups';

/** Prefix of every record `_id` of one template version. */
export const usageRecordPrefix = (templateId: string, version: number) => `${templateId}|${String(version).padStart(10, '0')}|`;

/** `_id` of a rollup: ordered by day within its version, unique per (batch, group). */
export const usageRollupId = (templateId: string, version: number, day: string, batchId: string, index: number) =>
  `${usageRecordPrefix(templateId, version)}${day}|${batchId}|${String(index).padStart(4, '0')}`;

/** `_id` of a record: ordered by time within its version, unique per (batch, index). */
export const usageRecordId = (templateId: string, version: number, timestamp: string, batchId: string, index: number) =>
  `${usageRecordPrefix(templateId, version)}${timestamp}|${batchId}|${String(index).padStart(4, '0')}`;

/** Read by `_id` alone (a batch's totals). */
export const usageBatchesSchema = readModelSchema('usage_batches', {
  template_id: String,
  version_number: Number,
  batch_id: String,
  count: Number,
  error_count: Number,
  input_tokens: Number,
  output_tokens: Number,
  cost: Number,
  logged_at: String,
  logged_by: String,
});

/** Read by `_id` range (`usageRecordPrefix`: one template version, in time order), filtered by day. */
export const usageRecordsSchema = derivedSchema(USAGE_RECORDS_COLLECTION, {
  template_id: String,
  version: Number,
  batch_id: String,
  caller: String,
  environment: String,
  input_tokens: Number,
  output_tokens: Number,
  latency_ms: Number,
  cost: Number,
  outcome: String,
  timestamp: String,
  day: String,
});

/** Read by `_id` range (one template version, by day). */
export const usageRollupsSchema = derivedSchema(USAGE_ROLLUPS_COLLECTION, {
  template_id: String,
  version: Number,
  batch_id: String,
  environment: String,
  caller: String,
  day: String,
  outcome: String,
  count: Number,
  input_tokens: Number,
  output_tokens: Number,
  cost: Number,
  latencies: [Number],
});

/** Usage batches, with every record as its own insert-only document. */
export const usageProjection: Projection<UsageBatchDocument> = {
  name: 'usage_batches',
  topic: Topics.promptGovernance,
  streamType: 'usage',
  derivedCollections: [USAGE_RECORDS_COLLECTION, USAGE_ROLLUPS_COLLECTION],
  schema: usageBatchesSchema,
  derivedSchemas: { [USAGE_RECORDS_COLLECTION]: usageRecordsSchema, [USAGE_ROLLUPS_COLLECTION]: usageRollupsSchema },
  evolve(_current, event: CloudEvent<any>) {
    const { template_id, version, batch_id, count, error_count, input_tokens, output_tokens, cost } = event.data as UsageLoggedData;
    return { template_id, version_number: version, batch_id, count, error_count, input_tokens, output_tokens, cost, logged_at: event.time, logged_by: event.actor };
  },
  async derive(event: CloudEvent<any>, _next, payloads) {
    if (promptGovernanceCatalog.nameOf(event.type) !== 'UsageLogged') return [];
    const { template_id, version, batch_id, records_ref } = event.data as UsageLoggedData;
    const records = await payloads.get<UsageRecord[]>(records_ref.sha256);
    const documents: UsageRecordDocument[] = records.map((record, index) => ({
      _id: usageRecordId(template_id, version, record.timestamp, batch_id, index),
      template_id,
      version,
      batch_id,
      ...record,
      day: record.timestamp.slice(0, 10),
    }));
    const rollups: UsageRollupDocument[] = rollUp(documents).map((group, index) => ({
      _id: usageRollupId(template_id, version, group.day, batch_id, index),
      template_id,
      version,
      batch_id,
      ...group,
    }));
    return [
      { collection: USAGE_RECORDS_COLLECTION, documents, insertOnly: true },
      { collection: USAGE_ROLLUPS_COLLECTION, documents: rollups, insertOnly: true },
    ];
  },
};
