import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { UsageRecord } from '@mlops/events';
import { BoundAggregate, CommandResult, decodeCursor, encodeCursor, EventSourcing, InjectAggregate, notFound, Page } from '@mlops/event-sourcing';
import { commandMetadata } from '@mlops/platform';
import { templateAggregate } from '../templates/template.aggregate';
import { aggregateUsage, groupOfSample, planUsageRead, UsageAggregates, UsageGroup, UsageSample } from './usage-aggregates';
import { usageBatchAggregate } from './usage-batch.aggregate';
import { UsageQueryDto, UsageRecordDto } from './usage.dto';
import { USAGE_RECORDS_COLLECTION, USAGE_ROLLUPS_COLLECTION, UsageBatchDocument, usageRecordPrefix, UsageRecordDocument, UsageRollupDocument } from './usage.projection';

export type UsageCommandResult = CommandResult<UsageBatchDocument> & { batchId: string };

@Injectable()
export class UsageService {
  constructor(
    @InjectAggregate(usageBatchAggregate) private readonly batches: BoundAggregate<typeof usageBatchAggregate>,
    @InjectAggregate(templateAggregate) private readonly templates: BoundAggregate<typeof templateAggregate>,
    private readonly eventSourcing: EventSourcing,
  ) {}

  private get records() {
    return this.batches.readModel.derived<UsageRecordDocument>(USAGE_RECORDS_COLLECTION).collection;
  }

  private get rollups() {
    return this.batches.readModel.derived<UsageRollupDocument>(USAGE_ROLLUPS_COLLECTION).collection;
  }

  /**
   * Logs a batch as its own stream (`usage:<template>:<version>:<batch>`), so batches never contend
   * with each other or with the template. Whether the version is approved is read from the template
   * read model — one lookup by `_id` on the hot path; approvals are read-your-writes, so a version
   * approved by a 2xx is seen here.
   */
  async log(templateId: string, version: number, input: UsageRecordDto[]): Promise<UsageCommandResult> {
    const metadata = commandMetadata();
    const template = await this.templates.find(templateId);
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
    const { version: streamVersion, doc } = await this.batches.execute(
      { templateId, version, batchId },
      { type: 'LogUsage', data: { template_id: templateId, version, batch_id: batchId, version_status: status, records, records_ref } },
      { metadata },
    );
    return { version: streamVersion, doc, batchId };
  }

  /** The log (by time, paginated) and aggregates over every record matching the filters. */
  async read(templateId: string, version: number, query: UsageQueryDto): Promise<Page<UsageRecordDocument> & { aggregates: UsageAggregates }> {
    const template = await this.templates.find(templateId);
    if (!template?.versions.some((v) => v.version === version)) throw notFound(`Template ${templateId} has no version ${version}`);
    const from = query.from ? new Date(query.from).toISOString() : undefined;
    const to = query.to ? new Date(query.to).toISOString() : undefined;
    const attributes: Record<string, unknown> = {};
    if (query.environment) attributes.environment = query.environment;
    if (query.caller) attributes.caller = query.caller;
    if (query.outcome) attributes.outcome = query.outcome;
    const [page, aggregates] = await Promise.all([
      this.logPage(templateId, version, attributes, { from, to }, query.limit, decodeCursor(query.cursor)),
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
        ? (this.rollups
            .find({ template_id: templateId, version, ...attributes, _id: this.idRange(templateId, version, plan.wholeDays.from, plan.wholeDays.to) }, { projection: fields })
            .toArray() as unknown as Promise<UsageGroup[]>)
        : Promise.resolve([]),
      ...plan.partial.map(
        (range) =>
          this.records
            .find(
              // A partial range lies within one day: pinning it by equality lets FerretDB push the filter down.
              { template_id: templateId, version, day: (range.from ?? range.to)!.slice(0, 10), ...attributes, _id: this.idRange(templateId, version, range.from, range.to) },
              { projection: { _id: 0, day: 1, outcome: 1, latency_ms: 1, input_tokens: 1, output_tokens: 1, cost: 1 } },
            )
            .toArray() as unknown as Promise<UsageSample[]>,
      ),
    ]);
    return aggregateUsage([...whole, ...partial.flat().map(groupOfSample)]);
  }

  /**
   * A page of the log in time order, walked one UTC day at a time. Each query pins template,
   * version and day by equality, which FerretDB pushes down to its store; a filtered sort alone
   * would read every record there. The days come from the (small) rollups.
   */
  private async logPage(
    templateId: string,
    version: number,
    attributes: Record<string, unknown>,
    window: { from?: string; to?: string },
    limit: number,
    after?: string,
  ): Promise<{ docs: UsageRecordDocument[]; lastId: string | null }> {
    const prefix = usageRecordPrefix(templateId, version);
    const range = this.idRange(templateId, version, window.from, window.to);
    const ids = after ? { ...range, $gt: after } : range;
    // Rollup `_id`s are <prefix><day>|…: the days from the first one the page can start in.
    const firstDay = (after ?? range.$gte).slice(prefix.length, prefix.length + 10);
    const lastDay = window.to ? window.to.slice(0, 10) : '~';
    const rollups = await this.rollups
      .find({ template_id: templateId, version, ...attributes, _id: { $gte: prefix + firstDay, $lt: `${prefix}${lastDay}~` } }, { projection: { _id: 0, day: 1 } })
      .toArray();
    const days = [...new Set(rollups.map((r) => r.day))].sort();
    const docs: UsageRecordDocument[] = [];
    for (const day of days) {
      const found = await this.records
        .find({ template_id: templateId, version, day, ...attributes, _id: ids })
        .sort({ _id: 1 })
        .limit(limit + 1 - docs.length)
        .toArray();
      docs.push(...found);
      if (docs.length > limit) break;
    }
    const hasMore = docs.length > limit;
    const items = hasMore ? docs.slice(0, limit) : docs;
    return { docs: items, lastId: hasMore ? items[items.length - 1]._id : null };
  }

  /** Record and rollup `_id`s are <template>|<version>|<time or day>|…: a version and a time range are one `_id` range. */
  private idRange(templateId: string, version: number, from?: string, to?: string) {
    const prefix = usageRecordPrefix(templateId, version);
    return { $gte: from ? prefix + from : prefix, $lt: to ? prefix + to : `${prefix}~` };
  }
}
