import { CloudEvent, lifecycleCatalog, MetricPoint, RunEndedData, RunInput, RunMetricsLoggedData, RunParam, RunStatus, TagValue, Topics } from '@mlops/events';
import {
  AppendedDocument,
  appendedItems,
  DerivedAppend,
  DerivedDocument,
  derivedSchema,
  DerivedWrite,
  Projection,
  ReadModelDocument,
  readModelSchema,
  TallyDocument,
} from '@mlops/event-sourcing';
import { withoutTagValue, withTagValue } from '../experiments/experiment.decider';
import { mergeLatestMetrics } from './run.decider';

/**
 * Where a metric's history is being appended: its open bucket, how many points it holds and their
 * key range (kept here while the bucket fills; written to the ranges collection once it is full).
 */
export interface MetricBucketCursor {
  key: string;
  bucket: number;
  count: number;
  first: string;
  last: string;
  /** On the event that opened this bucket: the range the previous one closed with. */
  closed?: { first: string; last: string; count: number };
}

export interface RunDocument extends ReadModelDocument {
  run_id: string;
  experiment_name: string;
  name: string;
  status: RunStatus;
  params: RunParam[];
  tags: string[];
  /** Key/value tags (MLflow's run tags, system tags included). */
  tag_values: TagValue[];
  /** Soft-deleted through MLflow (its lifecycle stage `deleted`). */
  deleted: boolean;
  /** Datasets the run read (MLflow's dataset inputs). */
  inputs?: RunInput[];
  start_time: string;
  end_time: string | null;
  /** Latest point per key. */
  metrics: MetricPoint[];
  /** Internal (not in responses): the open history bucket of each key, so a replay fills the same buckets. */
  metric_buckets: MetricBucketCursor[];
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

/** A history point as read; `k` is its place in the history (step, timestamp, logging order). */
export interface HistoryPoint {
  step: number;
  value: number;
  timestamp: string;
  k: string;
}

/**
 * A point as a bucket keeps it: `seq` is stream version × 10,000 + index in the event, the logging
 * order. The timestamp is left out when it is the previous point's in the same event (points of a
 * batch mostly share one), which halves a bucket; an event's first point always has it.
 */
export type StoredPoint = [step: number, value: number, seq: number, timestamp?: string];

/**
 * Up to BUCKET_POINTS points of one metric of one run, in the order they were logged, appended by
 * the runner as one JSON text (`items_json`, StoredPoint items): FerretDB reads a string at once
 * where it decodes an array element by element (about ten times faster for 1,000 points).
 */
export interface MetricBucketDocument extends DerivedDocument, AppendedDocument {
  run_id: string;
  key: string;
  bucket: number;
}

/**
 * A full bucket's key range, in a collection of small documents a page reads to pick the buckets it
 * needs (the open bucket's range is its run's cursor). Written once, when the next bucket opens.
 */
export interface MetricBucketRangeDocument extends DerivedDocument {
  run_id: string;
  key: string;
  bucket: number;
  first: string;
  last: string;
  /** Points in the bucket. */
  count: number;
}

/** The latest value of one metric of one run, for the experiment's best run. */
export interface LatestMetricDocument extends DerivedDocument {
  run_id: string;
  experiment_name: string;
  key: string;
  value: number;
}

/** Runs per status of one experiment, counted in one Kafka partition (the runner adds partition and offset). */
export type RunTallyDocument = TallyDocument & { experiment_name: string } & Partial<Record<RunStatus | 'total', number>>;

export const METRIC_HISTORY_COLLECTION = 'run_metric_history';
export const METRIC_BUCKET_RANGES_COLLECTION = 'run_metric_history_ranges';
export const LATEST_METRICS_COLLECTION = 'run_latest_metrics';
export const RUN_TALLIES_COLLECTION = 'experiment_run_tallies';

const RUN_STATUSES: RunStatus[] = ['running', 'completed', 'failed', 'killed'];

/** The list filters (experiment, status), each with `_id` for the keyset page (findPage), and MLflow's newest-first search. */
export const runsSchema = readModelSchema('runs', {
  run_id: String,
  experiment_name: String,
  name: String,
  status: { type: String, enum: RUN_STATUSES },
  params: [Object],
  tags: [String],
  tag_values: [Object],
  deleted: Boolean,
  inputs: [Object],
  start_time: String,
  end_time: String,
  metrics: [Object],
  metric_buckets: [Object],
  created_at: String,
  created_by: String,
  updated_at: String,
  updated_by: String,
});
runsSchema.index({ experiment_name: 1, _id: 1 }, { name: 'experiment_name_id' });
runsSchema.index({ status: 1, _id: 1 }, { name: 'status_id' });
runsSchema.index({ experiment_name: 1, status: 1, _id: 1 }, { name: 'experiment_name_status_id' });
// MLflow's search-runs: an experiment's runs, newest first.
runsSchema.index({ experiment_name: 1, start_time: -1, _id: 1 }, { name: 'experiment_name_start_time_id' });

/** Read by `_id` alone (`metricBucketId`), the buckets a page of history needs. */
export const metricHistorySchema = derivedSchema(METRIC_HISTORY_COLLECTION, {
  run_id: String,
  key: String,
  bucket: Number,
  items_json: String,
  count: Number,
  appended_version: Number,
  generation: Number,
});

/** A metric's buckets by key range: which ones a page of its history reads. */
export const metricBucketRangesSchema = derivedSchema(METRIC_BUCKET_RANGES_COLLECTION, {
  run_id: String,
  key: String,
  bucket: Number,
  first: String,
  last: String,
  count: Number,
});
metricBucketRangesSchema.index({ run_id: 1, key: 1, first: 1, last: 1 }, { name: 'run_key_first_last' });

/** An experiment's runs by a metric's latest value: best run, and the runs list sorted by a metric. */
export const latestMetricsSchema = derivedSchema(LATEST_METRICS_COLLECTION, {
  run_id: String,
  experiment_name: String,
  key: String,
  value: Number,
});
latestMetricsSchema.index({ experiment_name: 1, key: 1, value: 1, _id: 1 }, { name: 'experiment_key_value_id' });

/** An experiment's run counts, one document per Kafka partition (summed by the reader). */
export const runTalliesSchema = derivedSchema(RUN_TALLIES_COLLECTION, {
  experiment_name: String,
  partition: Number,
  offset: String,
  generation: Number,
  ...Object.fromEntries([...RUN_STATUSES, 'total'].map((count) => [count, Number])),
});
runTalliesSchema.index({ experiment_name: 1 }, { name: 'experiment_name' });

/** A bucket holds at most this many points: a 10,000-point history is about ten documents. */
export const BUCKET_POINTS = 1000;

const STEP_DIGITS = 16; // Number.MAX_SAFE_INTEGER has 16 digits
const pad = (n: number, width: number) => String(n).padStart(width, '0');

const SEQ = 10_000; // > the 1,000 points an event carries
/** Orders the history as it is read — by step, then timestamp, then logging order — as a string. */
export const historyKey = (step: number, timestamp: string, seq: number) =>
  [pad(step, STEP_DIGITS), timestamp, pad(Math.floor(seq / SEQ), 10), pad(seq % SEQ, 4)].join('|');

export const metricBucketId = (runId: string, key: string, bucket: number) => `${runId}|${key}|${pad(bucket, 6)}`;
export const latestMetricId = (runId: string, key: string) => `${runId}|${key}`;

/** An event's points grouped by key, in logging order, each with its history key. */
function pointsByKey(points: MetricPoint[], streamVersion: number) {
  const byKey = new Map<string, (MetricPoint & { seq: number; k: string })[]>();
  points.forEach((point, index) => {
    const seq = streamVersion * SEQ + index;
    const list = byKey.get(point.key) ?? [];
    if (!list.length) byKey.set(point.key, list);
    list.push({ ...point, seq, k: historyKey(point.step, point.timestamp, seq) });
  });
  return byKey;
}

const minOf = (ks: string[]) => ks.reduce((a, b) => (b < a ? b : a));
const maxOf = (ks: string[]) => ks.reduce((a, b) => (b > a ? b : a));

/** The open bucket per key after logging `points`: a batch that would overflow its bucket opens the next one. */
export function advanceBuckets(cursors: MetricBucketCursor[], points: MetricPoint[], streamVersion: number): MetricBucketCursor[] {
  const byKey = new Map(cursors.map((cursor) => [cursor.key, cursor]));
  for (const [key, logged] of pointsByKey(points, streamVersion)) {
    const open = byKey.get(key);
    const ks = logged.map((p) => p.k);
    byKey.set(
      key,
      !open || open.count + logged.length > BUCKET_POINTS
        ? {
            key,
            bucket: open ? open.bucket + 1 : 0,
            count: logged.length,
            first: minOf(ks),
            last: maxOf(ks),
            ...(open ? { closed: { first: open.first, last: open.last, count: open.count } } : {}),
          }
        : { key, bucket: open.bucket, count: open.count + logged.length, first: minOf([open.first, ...ks]), last: maxOf([open.last, ...ks]) },
    );
  }
  return [...byKey.values()];
}

/**
 * The guarded appends of one metrics event (its points per key, into the key's open bucket) and the
 * ranges of the buckets it filled (those it moved on from: a bucket's range is final then).
 */
export function historyWrites(run: Pick<RunDocument, 'run_id' | 'metric_buckets'>, metrics: MetricPoint[], streamVersion: number) {
  const appends: DerivedAppend[] = [];
  const ranges: MetricBucketRangeDocument[] = [];
  for (const [key, points] of pointsByKey(metrics, streamVersion)) {
    const { bucket, closed } = run.metric_buckets.find((cursor) => cursor.key === key)!;
    const items = points.map((p, i): StoredPoint => (i > 0 && p.timestamp === points[i - 1].timestamp ? [p.step, p.value, p.seq] : [p.step, p.value, p.seq, p.timestamp]));
    appends.push({ _id: metricBucketId(run.run_id, key, bucket), items, setOnInsert: { run_id: run.run_id, key, bucket } });
    if (closed) ranges.push({ _id: metricBucketId(run.run_id, key, bucket - 1), run_id: run.run_id, key, bucket: bucket - 1, ...closed });
  }
  return { appends, ranges };
}

/** A key's open bucket as a range, as the ranges collection holds the full ones. */
export function openBucketRange(run: Pick<RunDocument, 'run_id' | 'metric_buckets'>, key: string): MetricBucketRangeDocument | undefined {
  const cursor = (run.metric_buckets ?? []).find((c) => c.key === key);
  if (!cursor) return undefined;
  const { bucket, first, last, count } = cursor;
  return { _id: metricBucketId(run.run_id, key, bucket), run_id: run.run_id, key, bucket, first, last, count };
}

/** A bucket's points as read. */
export function bucketPoints(bucket: Pick<MetricBucketDocument, 'items_json'>): HistoryPoint[] {
  let timestamp = '';
  return appendedItems<StoredPoint>(bucket).map(([step, value, seq, logged]) => {
    timestamp = logged ?? timestamp;
    return { step, value, timestamp, k: historyKey(step, timestamp, seq) };
  });
}

/** How a run event moves its experiment's counts: started → running; ended → from running to its status. */
export function runCountChange(event: { type: 'RunStarted' } | { type: 'RunEnded'; data: Pick<RunEndedData, 'status'> }): Record<string, number> {
  return event.type === 'RunStarted' ? { running: 1, total: 1 } : { running: -1, [event.data.status]: 1 };
}

/**
 * Runs read model (latest metrics inline) and, derived from it: the metric history in buckets, the
 * latest value per (run, key) for best-run queries, and the experiments' run counts as tallies.
 */
export const runsProjection: Projection<RunDocument> = {
  name: 'runs',
  topic: Topics.lifecycle,
  streamType: 'run',
  derivedCollections: [METRIC_HISTORY_COLLECTION, METRIC_BUCKET_RANGES_COLLECTION, LATEST_METRICS_COLLECTION, RUN_TALLIES_COLLECTION],
  schema: runsSchema,
  derivedSchemas: {
    [METRIC_HISTORY_COLLECTION]: metricHistorySchema,
    [METRIC_BUCKET_RANGES_COLLECTION]: metricBucketRangesSchema,
    [LATEST_METRICS_COLLECTION]: latestMetricsSchema,
    [RUN_TALLIES_COLLECTION]: runTalliesSchema,
  },
  evolve(current, event: CloudEvent<any>) {
    const touched = { updated_at: event.time, updated_by: event.actor };
    switch (lifecycleCatalog.nameOf(event.type)) {
      case 'RunStarted':
        return {
          run_id: event.data.run_id,
          experiment_name: event.data.experiment_name,
          name: event.data.name,
          status: 'running',
          params: event.data.params,
          tags: event.data.tags,
          tag_values: [],
          deleted: false,
          start_time: event.data.start_time,
          end_time: null,
          metrics: [],
          metric_buckets: [],
          created_at: event.time,
          created_by: event.actor,
          ...touched,
        };
      case 'RunParamsLogged':
        return { ...current!, params: [...current!.params, ...event.data.params], ...touched };
      case 'RunTagsSet':
        return { ...current!, tags: event.data.tags, ...touched };
      case 'RunMetricsLogged':
        return {
          ...current!,
          metrics: mergeLatestMetrics(current!.metrics, event.data.metrics),
          metric_buckets: advanceBuckets(current!.metric_buckets ?? [], event.data.metrics, event.streamversion),
          ...touched,
        };
      case 'RunEnded':
        return { ...current!, status: event.data.status, end_time: event.data.end_time, ...touched };
      case 'RunTagValuesSet':
        return { ...current!, tag_values: (event.data.tags as TagValue[]).reduce(withTagValue, current!.tag_values ?? []), ...touched };
      case 'RunTagValueDeleted':
        return { ...current!, tag_values: withoutTagValue(current!.tag_values ?? [], event.data.key), ...touched };
      case 'RunRenamed':
        return { ...current!, name: event.data.name, ...touched };
      case 'RunDeleted':
        return { ...current!, deleted: true, ...touched };
      case 'RunRestored':
        return { ...current!, deleted: false, ...touched };
      case 'RunInputsLogged':
        return { ...current!, inputs: [...(current!.inputs ?? []), ...event.data.inputs], ...touched };
      default:
        return { ...current!, ...touched };
    }
  },
  derive(event: CloudEvent<any>, next: RunDocument): DerivedWrite[] {
    const type = lifecycleCatalog.nameOf(event.type);
    const tally = (inc: Record<string, number>): DerivedWrite => ({
      collection: RUN_TALLIES_COLLECTION,
      tallies: [{ id: next.experiment_name, fields: { experiment_name: next.experiment_name }, inc }],
    });
    if (type === 'RunStarted') return [tally(runCountChange({ type }))];
    if (type === 'RunEnded') return [tally(runCountChange({ type, data: event.data as RunEndedData }))];
    if (type !== 'RunMetricsLogged') return [];
    const { metrics } = event.data as RunMetricsLoggedData;
    const keys = new Set(metrics.map((point) => point.key));
    const latest: LatestMetricDocument[] = next.metrics
      .filter((point) => keys.has(point.key))
      .map((point) => ({ _id: latestMetricId(next.run_id, point.key), run_id: next.run_id, experiment_name: next.experiment_name, key: point.key, value: point.value }));
    const { appends, ranges } = historyWrites(next, metrics, event.streamversion);
    return [
      { collection: METRIC_HISTORY_COLLECTION, appends },
      ...(ranges.length ? [{ collection: METRIC_BUCKET_RANGES_COLLECTION, documents: ranges }] : []),
      { collection: LATEST_METRICS_COLLECTION, documents: latest },
    ];
  },
};
