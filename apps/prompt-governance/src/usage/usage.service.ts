import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { UsageRecord } from '@mlops/events';
import { EventSourcing, findPage, notFound } from '@mlops/event-sourcing';
import { commandMetadata, CommandResult, decodeCursor, encodeCursor, Page, wantsReadYourWrites } from '@mlops/platform';
import { templateStreamId } from '../templates/template.decider';
import { TemplateDocument, templatesProjection } from '../templates/templates.projection';
import { aggregateUsage, UsageAggregates, UsageSample } from './usage-aggregates';
import { usageDecider, usageStreamId } from './usage.decider';
import { UsageQueryDto, UsageRecordDto } from './usage.dto';
import { USAGE_RECORDS_COLLECTION, UsageBatchDocument, usageProjection, usageRecordPrefix, UsageRecordDocument } from './usage.projection';

export type UsageCommandResult = CommandResult<UsageBatchDocument> & { batchId: string };

@Injectable()
export class UsageService {
  constructor(private readonly eventSourcing: EventSourcing) {}

  private get records() {
    return this.eventSourcing.runner<UsageBatchDocument>(usageProjection.name).derivedReadModel<UsageRecordDocument>(USAGE_RECORDS_COLLECTION);
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
    // Record `_id`s are <template>|<version>|<timestamp>|…: the version and the time range are one `_id` range.
    const prefix = usageRecordPrefix(templateId, version);
    const filter: Record<string, unknown> = {
      _id: { $gte: query.from ? prefix + new Date(query.from).toISOString() : prefix, $lt: query.to ? prefix + new Date(query.to).toISOString() : `${prefix}~` },
    };
    if (query.environment) filter.environment = query.environment;
    if (query.caller) filter.caller = query.caller;
    if (query.outcome) filter.outcome = query.outcome;
    const { docs, lastId } = await findPage(this.records, filter, { limit: query.limit, after: decodeCursor(query.cursor) });
    // FerretDB's aggregation cannot compute percentiles: read the few fields needed and aggregate here.
    const samples = (await this.records
      .find(filter, { projection: { _id: 0, day: 1, outcome: 1, latency_ms: 1, input_tokens: 1, output_tokens: 1, cost: 1 } })
      .toArray()) as unknown as UsageSample[];
    return { items: docs, next_cursor: lastId ? encodeCursor(lastId) : null, aggregates: aggregateUsage(samples) };
  }
}
