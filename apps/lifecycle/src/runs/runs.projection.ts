import { CloudEvent, lifecycleCatalog, MetricPoint, RunMetricsLoggedData, RunParam, RunStatus, Topics } from '@mlops/events';
import { DerivedDocument, Projection, ReadModelDocument } from '@mlops/event-sourcing';
import { mergeLatestMetrics } from './run.decider';

export interface RunDocument extends ReadModelDocument {
  run_id: string;
  experiment_name: string;
  name: string;
  status: RunStatus;
  params: RunParam[];
  tags: string[];
  start_time: string;
  end_time: string | null;
  /** Latest point per key. */
  metrics: MetricPoint[];
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

/** One document per logged metric point. */
export interface MetricHistoryDocument extends DerivedDocument {
  run_id: string;
  key: string;
  step: number;
  value: number;
  timestamp: string;
}

export const METRIC_HISTORY_COLLECTION = 'run_metric_history';

const STEP_DIGITS = 16; // Number.MAX_SAFE_INTEGER has 16 digits
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * `_id` of a history point: unique per (stream version, index in the batch), and ordered like the
 * history is read — by step, then timestamp, then logging order — so `_id` keyset pages serve it.
 */
export const metricHistoryId = (runId: string, point: MetricPoint, streamVersion: number, index: number) =>
  [runId, point.key, pad(point.step, STEP_DIGITS), point.timestamp, pad(streamVersion, 10), pad(index, 4)].join('|');

/** Prefix of every history `_id` of one metric of one run. */
export const metricHistoryPrefix = (runId: string, key: string) => `${runId}|${key}|`;

/** Runs read model (latest metrics inline) plus the full metric history as derived documents. */
export const runsProjection: Projection<RunDocument> = {
  name: 'runs',
  topic: Topics.lifecycle,
  streamType: 'run',
  derivedCollections: [METRIC_HISTORY_COLLECTION],
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
          start_time: event.data.start_time,
          end_time: null,
          metrics: [],
          created_at: event.time,
          created_by: event.actor,
          ...touched,
        };
      case 'RunParamsLogged':
        return { ...current!, params: [...current!.params, ...event.data.params], ...touched };
      case 'RunTagsSet':
        return { ...current!, tags: event.data.tags, ...touched };
      case 'RunMetricsLogged':
        return { ...current!, metrics: mergeLatestMetrics(current!.metrics, event.data.metrics), ...touched };
      case 'RunEnded':
        return { ...current!, status: event.data.status, end_time: event.data.end_time, ...touched };
      default:
        return { ...current!, ...touched };
    }
  },
  derive(event: CloudEvent<any>) {
    if (lifecycleCatalog.nameOf(event.type) !== 'RunMetricsLogged') return [];
    const { run_id, metrics } = event.data as RunMetricsLoggedData;
    const documents: MetricHistoryDocument[] = metrics.map((point, index) => ({
      _id: metricHistoryId(run_id, point, event.streamversion, index),
      run_id,
      key: point.key,
      step: point.step,
      value: point.value,
      timestamp: point.timestamp,
    }));
    return [{ collection: METRIC_HISTORY_COLLECTION, documents, insertOnly: true }];
  },
};
