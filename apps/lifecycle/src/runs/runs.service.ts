import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RunParam, RunParamValue, RunStatus } from '@mlops/events';
import { EventSourcing, findPage, notFound } from '@mlops/event-sourcing';
import { commandMetadata, CommandResult, decodeCursor, encodeCursor, Page, wantsReadYourWrites } from '@mlops/platform';
import { experimentDecider, experimentStreamId } from '../experiments/experiment.decider';
import { RunCommand, runDecider, runStreamId } from './run.decider';
import { ListRunsQueryDto, NextStepMetricPointDto, StartRunDto, UpdateRunDto } from './runs.dto';
import { DecodedBuckets, pageOfHistory } from './metric-history';
import {
  bucketPoints,
  HistoryPoint,
  LATEST_METRICS_COLLECTION,
  LatestMetricDocument,
  METRIC_BUCKET_RANGES_COLLECTION,
  METRIC_HISTORY_COLLECTION,
  MetricBucketDocument,
  MetricBucketRangeDocument,
  RUN_TALLIES_COLLECTION,
  RunDocument,
  runsProjection,
  RunTallyDocument,
} from './runs.projection';

export type RunCounts = Record<RunStatus | 'total', number>;
export interface BestRun {
  run_id: string;
  value: number;
}

/** Every stored time is the fixed-width UTC form, so times compare and sort as strings. */
const utc = (time: string) => new Date(time).toISOString();
const toParams = (params: Record<string, RunParamValue> = {}): RunParam[] =>
  Object.entries(params).map(([key, value]) => ({ key, value }));

@Injectable()
export class RunsService {
  /** About 200 kB a bucket: a few dozen histories being read whole at once. */
  private readonly decoded = new DecodedBuckets(64);

  constructor(private readonly eventSourcing: EventSourcing) {}

  private get runner() {
    return this.eventSourcing.runner<RunDocument>(runsProjection.name);
  }

  private get history() {
    return this.runner.derivedReadModel<MetricBucketDocument>(METRIC_HISTORY_COLLECTION);
  }

  async start(dto: StartRunDto): Promise<CommandResult<RunDocument> & { runId: string }> {
    const metadata = commandMetadata();
    const runId = randomUUID();
    // The write side, not the read model, says whether the experiment exists and is active.
    const experiment = await this.eventSourcing.eventStore.aggregate(experimentStreamId(dto.experiment_name), experimentDecider);
    const result = await this.execute(runId, metadata, {
      type: 'StartRun',
      data: {
        run_id: runId,
        experiment_name: dto.experiment_name,
        experiment_status: experiment.state.exists ? experiment.state.status : null,
        name: dto.name ?? runId,
        params: toParams(dto.params),
        tags: dto.tags ?? [],
        start_time: dto.start_time ? utc(dto.start_time) : metadata.now.toISOString(),
      },
    });
    return { ...result, runId };
  }

  async update(runId: string, dto: UpdateRunDto, ifMatch?: number): Promise<CommandResult<RunDocument>> {
    const metadata = commandMetadata();
    return this.execute(
      runId,
      metadata,
      {
        type: 'UpdateRun',
        data: {
          run_id: runId,
          now: metadata.now.toISOString(),
          metrics: dto.metrics?.map((m) => ({
            key: m.key,
            value: m.value,
            step: m instanceof NextStepMetricPointDto ? ('next' as const) : m.step,
            timestamp: m.timestamp && utc(m.timestamp),
          })),
          params: dto.params && toParams(dto.params),
          tags: dto.tags,
          status: dto.status,
          end_time: dto.end_time && utc(dto.end_time),
        },
      },
      ifMatch,
    );
  }

  async get(runId: string): Promise<RunDocument> {
    const doc = await this.runner.readModel.findOne({ _id: runStreamId(runId) });
    if (!doc) throw notFound(`Run ${runId} does not exist`);
    return doc;
  }

  async list(query: ListRunsQueryDto): Promise<Page<RunDocument>> {
    const filter: Record<string, unknown> = {};
    if (query.experiment_name) filter.experiment_name = query.experiment_name;
    if (query.status) filter.status = query.status;
    const { docs, lastId } = await findPage(this.runner.readModel, filter, { limit: query.limit, after: decodeCursor(query.cursor) });
    return { items: docs, next_cursor: lastId ? encodeCursor(lastId) : null };
  }

  /**
   * One metric's points, by step then timestamp then logging order. The cursor is the last point's
   * history key; a page reads only the buckets that can hold points past it (metric-history.ts).
   * The run is looked up only when there is nothing to show: a run with a history exists.
   */
  async metricHistory(runId: string, key: string, page: { limit: number; cursor?: string }): Promise<Page<HistoryPoint>> {
    const after = decodeCursor(page.cursor) ?? '';
    const buckets = this.runner
      .derivedReadModel<MetricBucketRangeDocument>(METRIC_BUCKET_RANGES_COLLECTION)
      .find({ run_id: runId, key, last: { $gt: after } }, { projection: { first: 1, count: 1 } })
      .sort({ first: 1 })
      .batchSize(64);
    try {
      const { points, last } = await pageOfHistory(buckets, (bucket) => this.bucketPoints(bucket), after, page.limit);
      if (!points.length) await this.get(runId);
      return { items: points, next_cursor: last ? encodeCursor(last) : null };
    } finally {
      await buckets.close();
    }
  }

  private async bucketPoints({ _id, count }: Pick<MetricBucketRangeDocument, '_id' | 'count'>): Promise<HistoryPoint[]> {
    const cached = this.decoded.get(_id, count);
    if (cached) return cached;
    const bucket = await this.history.findOne({ _id }, { projection: { items_json: 1, count: 1 } });
    if (!bucket) return [];
    const points = bucketPoints(bucket);
    // By its own count: read while an append is under way, it may hold fewer points than its range says.
    this.decoded.set(_id, bucket.count, points);
    return points;
  }

  /** Runs of an experiment by status: the sum of its tallies, one per Kafka partition (kept by the runs projection). */
  async countByStatus(experimentName: string): Promise<RunCounts> {
    const tallies = await this.runner.derivedReadModel<RunTallyDocument>(RUN_TALLIES_COLLECTION).find({ experiment_name: experimentName }).toArray();
    const counts: RunCounts = { running: 0, completed: 0, failed: 0, killed: 0, total: 0 };
    for (const tally of tallies) for (const field of Object.keys(counts) as (keyof RunCounts)[]) counts[field] += tally[field] ?? 0;
    return counts;
  }

  /**
   * The run whose latest value of `key` is highest (`max`) or lowest (`min`), ties to the lowest run
   * id; null if no run logged it. Two index reads: the best value, then the first run holding it.
   */
  async bestRun(experimentName: string, key: string, mode: 'max' | 'min'): Promise<BestRun | null> {
    const latest = this.runner.derivedReadModel<LatestMetricDocument>(LATEST_METRICS_COLLECTION);
    const [top] = await latest.find({ experiment_name: experimentName, key }).sort({ value: mode === 'max' ? -1 : 1 }).limit(1).toArray();
    if (!top) return null;
    const [best] = await latest.find({ experiment_name: experimentName, key, value: top.value }).sort({ _id: 1 }).limit(1).toArray();
    return { run_id: best.run_id, value: best.value };
  }

  async execute(
    runId: string,
    metadata: ReturnType<typeof commandMetadata>,
    command: RunCommand,
    ifMatch?: number,
  ): Promise<CommandResult<RunDocument>> {
    const outcome = await this.eventSourcing.commands.handle(runDecider, runStreamId(runId), command, metadata, { ifMatch });
    const doc = wantsReadYourWrites()
      ? await this.eventSourcing.waitForProjection<RunDocument>(runsProjection.name, outcome.streamId, outcome.version)
      : null;
    return { version: outcome.version, doc };
  }
}
