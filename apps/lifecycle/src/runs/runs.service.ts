import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RunParam, RunParamValue, RunStatus } from '@mlops/events';
import { BoundAggregate, CommandMetadata, CommandResult, encodeCursor, decodeCursor, filterFrom, InjectAggregate, invalidInput, Page } from '@mlops/event-sourcing';
import { commandMetadata } from '@mlops/platform';
import { experimentAggregate } from '../experiments/experiment.aggregate';
import { experimentKeyByName } from '../experiments/experiments.projection';
import { CurrentNames } from '../experiments/current-names';
import { RunCommand, runStreamId } from './run.decider';
import { trainingRunAggregate } from './training-run.aggregate';
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
  openBucketRange,
  RUN_TALLIES_COLLECTION,
  RunDocument,
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

  constructor(
    @InjectAggregate(trainingRunAggregate) private readonly runs: BoundAggregate<typeof trainingRunAggregate>,
    @InjectAggregate(experimentAggregate) private readonly experiments: BoundAggregate<typeof experimentAggregate>,
  ) {}

  private readonly experimentNames = new CurrentNames({ collection: () => this.experiments.readModel.collection as never, prefix: 'experiment:', field: 'name' });

  /** A derived collection of the runs read model (metric histories, tallies, latest metrics). */
  private derived<Doc extends { _id: string }>(collection: string) {
    return this.runs.readModel.derived<Doc>(collection).collection;
  }

  private get history() {
    return this.derived<MetricBucketDocument>(METRIC_HISTORY_COLLECTION);
  }

  async start(dto: StartRunDto): Promise<CommandResult<RunDocument> & { runId: string }> {
    const metadata = commandMetadata();
    const runId = randomUUID();
    // The experiment called that now (runs refer to its key); the write side says whether it is active.
    const key = await this.experimentKeyOf(dto.experiment_name);
    const experiment = key === null ? null : await this.experiments.load(key);
    const result = await this.execute(runId, metadata, {
      type: 'StartRun',
      data: {
        run_id: runId,
        experiment_name: key ?? dto.experiment_name,
        experiment_status: experiment?.state.exists ? experiment.state.status : null,
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

  get(runId: string): Promise<RunDocument> {
    return this.runs.get(runId);
  }

  async list(query: ListRunsQueryDto): Promise<Page<RunDocument>> {
    if (query.sort_metric !== undefined) return this.listByMetric(query, query.sort_metric);
    const filter = filterFrom(query, { status: 'status' });
    if (query.experiment_name) filter.experiment_name = (await this.experimentKeyOf(query.experiment_name)) ?? query.experiment_name;
    return this.runs.page(filter, query);
  }

  /** Runs as our API shows them: `experiment_name` is what the experiment is called now (they refer to its key). */
  async named<Doc extends RunDocument>(docs: Doc[]): Promise<Doc[]> {
    return this.experimentNames.of(docs, 'experiment_name');
  }

  async namedOne<Doc extends RunDocument | null>(doc: Doc): Promise<Doc> {
    return doc && ((await this.named([doc]))[0] as Doc);
  }

  /** The key runs refer to of the experiment called `name` now (a renamed one's old name, used again, means the new one). */
  private experimentKeyOf(name: string): Promise<string | null> {
    return experimentKeyByName(this.experiments.readModel.collection, name);
  }

  /**
   * The runs of one experiment by the latest value of a metric, ties by run id, from the
   * latest-metrics index (experiment, key, value, _id): a keyset page of at most two range reads —
   * the rest of the cursor's value, then the values past it — and the runs by _id.
   */
  private async listByMetric(query: ListRunsQueryDto, key: string): Promise<Page<RunDocument>> {
    const experimentName = query.experiment_name && ((await this.experimentKeyOf(query.experiment_name)) ?? query.experiment_name);
    if (!experimentName) throw invalidInput('sort_metric orders the runs of one experiment', [{ field: 'experiment_name', message: 'required with sort_metric' }]);
    if (query.status) throw invalidInput('sort_metric and status cannot be combined', [{ field: 'status', message: 'not with sort_metric' }]);
    const direction = query.order === 'asc' ? 1 : -1;
    const beyond = direction === 1 ? '$gt' : '$lt';
    const after = decodeMetricCursor(query.cursor);
    const latest = this.derived<LatestMetricDocument>(LATEST_METRICS_COLLECTION);
    const read = (filter: Record<string, unknown>, limit: number) =>
      latest
        .find({ experiment_name: experimentName, key, ...filter })
        .sort({ value: direction, _id: direction })
        .limit(limit)
        .toArray();
    const want = query.limit + 1;
    const found = after ? await read({ value: after.value, _id: { [beyond]: after.id } }, want) : [];
    if (found.length < want) found.push(...(await read(after ? { value: { [beyond]: after.value } } : {}, want - found.length)));
    const page = found.slice(0, query.limit);
    const runs = await this.runs.readModel.collection.find({ _id: { $in: page.map((m) => runStreamId(m.run_id)) } }).toArray();
    const byId = new Map(runs.map((run) => [run.run_id, run]));
    const last = page[page.length - 1];
    return {
      // A run deleted from the read model between the two reads is skipped, never shown half.
      items: page.map((m) => byId.get(m.run_id)).filter((run): run is RunDocument => run !== undefined),
      next_cursor: found.length > query.limit ? encodeCursor(JSON.stringify([last.value, last._id])) : null,
    };
  }

  /**
   * One metric's points, by step then timestamp then logging order. The cursor is the last point's
   * history key; a page reads only the buckets that can hold points past it (metric-history.ts):
   * the open one from the run's cursor, then the full ones from their ranges. In that order: a
   * bucket's range is written before the run's cursor moves past it, so none falls between the reads.
   */
  async metricHistory(runId: string, key: string, page: { limit: number; cursor?: string }): Promise<Page<HistoryPoint>> {
    const after = decodeCursor(page.cursor) ?? '';
    const open = openBucketRange(await this.runs.get(runId), key);
    const full = await this.derived<MetricBucketRangeDocument>(METRIC_BUCKET_RANGES_COLLECTION)
      .find({ run_id: runId, key, last: { $gt: after } }, { projection: { first: 1, count: 1 } })
      .sort({ first: 1, _id: 1 })
      .toArray();
    // The cursor supersedes a range stored for the open bucket (as one was before ranges waited for a bucket to fill).
    const buckets = full.filter((range) => range._id !== open?._id);
    if (open && open.last > after) buckets.push(open);
    buckets.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : a._id < b._id ? -1 : 1));
    const { points, last } = await pageOfHistory(buckets, (bucket) => this.bucketPoints(bucket), after, page.limit);
    return { items: points, next_cursor: last ? encodeCursor(last) : null };
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
    const tallies = await this.derived<RunTallyDocument>(RUN_TALLIES_COLLECTION).find({ experiment_name: experimentName }).toArray();
    const counts: RunCounts = { running: 0, completed: 0, failed: 0, killed: 0, total: 0 };
    for (const tally of tallies) for (const field of Object.keys(counts) as (keyof RunCounts)[]) counts[field] += tally[field] ?? 0;
    return counts;
  }

  /**
   * The run whose latest value of `key` is highest (`max`) or lowest (`min`), ties to the lowest run
   * id; null if no run logged it. Two index reads: the best value, then the first run holding it.
   */
  async bestRun(experimentName: string, key: string, mode: 'max' | 'min'): Promise<BestRun | null> {
    const latest = this.derived<LatestMetricDocument>(LATEST_METRICS_COLLECTION);
    const [top] = await latest.find({ experiment_name: experimentName, key }).sort({ value: mode === 'max' ? -1 : 1 }).limit(1).toArray();
    if (!top) return null;
    const [best] = await latest.find({ experiment_name: experimentName, key, value: top.value }).sort({ _id: 1 }).limit(1).toArray();
    return { run_id: best.run_id, value: best.value };
  }

  /** Runs a command on the run's stream and waits (bounded) for its read model; the MLflow facade uses it too. */
  async execute(runId: string, metadata: CommandMetadata, command: RunCommand, ifMatch?: number): Promise<CommandResult<RunDocument>> {
    const { version, doc } = await this.runs.execute(runId, command, { ifMatch, metadata });
    return { version, doc };
  }
}

/** A sort_metric page's cursor: the last listed (value, latest-metric id). */
function decodeMetricCursor(cursor: string | undefined): { value: number; id: string } | undefined {
  const after = decodeCursor(cursor);
  if (after === undefined) return undefined;
  const parsed: unknown = (() => {
    try {
      return JSON.parse(after);
    } catch {
      return undefined;
    }
  })();
  if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'number' && typeof parsed[1] === 'string') return { value: parsed[0], id: parsed[1] };
  throw invalidInput('cursor is not valid', [{ field: 'cursor', message: 'use next_cursor from a previous page of the same sort' }]);
}
