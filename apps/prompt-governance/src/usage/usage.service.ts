import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { UsageRecord } from '@mlops/events';
import { EventSourcing, findPage, notFound } from '@mlops/event-sourcing';
import { commandMetadata, CommandResult, decodeCursor, encodeCursor, Page, wantsReadYourWrites } from '@mlops/platform';
import { templateStreamId } from '../templates/template.decider';
import { TemplateDocument, templatesProjection } from '../templates/templates.projection';
import { aggregateUsage, groupOfSample, planUsageRead, UsageAggregates, UsageGroup, UsageSample } from './usage-aggregates';
import { usageDecider, usageStreamId } from './usage.decider';
import { UsageQueryDto, UsageRecordDto } from './usage.dto';
import { USAGE_RECORDS_COLLECTION, USAGE_ROLLUPS_COLLECTION, UsageBatchDocument, usageProjection, usageRecordPrefix, UsageRecordDocument, UsageRollupDocument } from './usage.projection';

export type UsageCommandResult = CommandResult<UsageBatchDocument> & { batchId: string };

@Injectable()
export class UsageService {
  constructor(private readonly eventSourcing: EventSourcing) {}

  private get records() {
    return this.eventSourcing.runner<UsageBatchDocument>(usageProjection.name).derivedReadModel<UsageRecordDocument>(USAGE_RECORDS_COLLECTION);
  }

  private get rollups() {
    return this.eventSourcing.runner<UsageBatchDocument>(usageProjection.name).derivedReadModel<UsageRollupDocument>(USAGE_ROLLUPS_COLLECTION);
  }

  private async template(templateId: string): Promise<TemplateDocument | null> {
    return this.eventSourcing.runner<TemplateDocument>(templatesProjection.name).readModel.findOne({ _id: templateStreamId(templateId) });
  }

  /**
   * Logs a batch as its own stream (`usage:<template>:<version>:<batch>`), so batches never contend
   * with each other or with the template. Whether the version is approved is read from the template
   * read model — one lookup by `_id` on the hot path; approvals are read-your-writes, so a version
   * approved by a 2xx is seen here.
   */
  async log(templateId: string, version: number, input: UsageRecordDto[]): Promise<UsageCommandResult> {
    const metadata = commandMetadata();
    const template = await this.template(templateId);
    const status = template?.versions.find((v) => v.version === version)?.status ?? null;
    const now = metadata.now.toISOString();
    const records: UsageRecord[] = input.map((r) => ({
      caller: r.caller,
      environment: r.environment,
      input_tokens: r.input_tokens,
      output_tokens: r.output_tokens,
      latency_ms: r.latency_ms,
      cost: r.cost,
      outcome: r.outcome,
      timestamp: r.timestamp ? new Date(r.timestamp).toISOString() : now,
    }));
    const batchId = randomUUID();
    // Stored before the append: an acknowledged batch's records are always there for the projection.
    const records_ref = await this.eventSourcing.payloads.put(records);
    const outcome = await this.eventSourcing.commands.handle(
      usageDecider,
      usageStreamId(templateId, version, batchId),
      { type: 'LogUsage', data: { template_id: templateId, version, batch_id: batchId, version_status: status, records, records_ref } },
      metadata,
    );
    const doc = wantsReadYourWrites()
      ? await this.eventSourcing.waitForProjection<UsageBatchDocument>(usageProjection.name, outcome.streamId, outcome.version)
      : null;
    return { version: outcome.version, doc, batchId };
  }

  /** The log (by time, paginated) and aggregates over every record matching the filters. */
  async read(templateId: string, version: number, query: UsageQueryDto): Promise<Page<UsageRecordDocument> & { aggregates: UsageAggregates }> {
    const template = await this.template(templateId);
    if (!template?.versions.some((v) => v.version === version)) throw notFound(`Template ${templateId} has no version ${version}`);
    const from = query.from ? new Date(query.from).toISOString() : undefined;
    const to = query.to ? new Date(query.to).toISOString() : undefined;
    const attributes: Record<string, unknown> = {};
    if (query.environment) attributes.environment = query.environment;
    if (query.caller) attributes.caller = query.caller;
    if (query.outcome) attributes.outcome = query.outcome;
    const [page, aggregates] = await Promise.all([
      findPage(this.records, { _id: this.idRange(templateId, version, from, to), ...attributes }, { limit: query.limit, after: decodeCursor(query.cursor) }),
      this.aggregates(templateId, version, attributes, from, to),
    ]);
    return { items: page.docs, next_cursor: page.lastId ? encodeCursor(page.lastId) : null, aggregates };
  }

  /**
   * Aggregates without reading every record: whole UTC days come from the rollups (one document
   * per batch and group), only the partial days at the window's edges from the records.
   * FerretDB's aggregation cannot compute percentiles, so the groups are combined here.
   */
  private async aggregates(templateId: string, version: number, attributes: Record<string, unknown>, from?: string, to?: string): Promise<UsageAggregates> {
    const plan = planUsageRead(from, to);
    const fields = { _id: 0, day: 1, outcome: 1, count: 1, input_tokens: 1, output_tokens: 1, cost: 1, latencies: 1 };
    const [whole, ...partial] = await Promise.all([
      plan.wholeDays
        ? (this.rollups.find({ _id: this.idRange(templateId, version, plan.wholeDays.from, plan.wholeDays.to), ...attributes }, { projection: fields }).toArray() as unknown as Promise<UsageGroup[]>)
        : Promise.resolve([]),
      ...plan.partial.map(
        (range) =>
          this.records
            .find({ _id: this.idRange(templateId, version, range.from, range.to), ...attributes }, { projection: { _id: 0, day: 1, outcome: 1, latency_ms: 1, input_tokens: 1, output_tokens: 1, cost: 1 } })
            .toArray() as unknown as Promise<UsageSample[]>,
      ),
    ]);
    return aggregateUsage([...whole, ...partial.flat().map(groupOfSample)]);
  }

  /** Record and rollup `_id`s are <template>|<version>|<time or day>|…: a version and a time range are one `_id` range. */
  private idRange(templateId: string, version: number, from?: string, to?: string) {
    const prefix = usageRecordPrefix(templateId, version);
    return { $gte: from ? prefix + from : prefix, $lt: to ? prefix + to : `${prefix}~` };
  }
}
