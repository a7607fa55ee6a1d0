import { declaredIndexes } from '@mlops/event-sourcing';
import { deploymentsProjection } from './deployments/deployments.projection';
import { LIVE_STATUSES } from './deployments/deployment.decider';
import { driftEventsProjection } from './drift-events/drift-events.projection';
import { experimentsProjection } from './experiments/experiments.projection';
import { MODEL_VERSIONS_COLLECTION, modelsProjection } from './models/models.projection';
import { LATEST_METRICS_COLLECTION, METRIC_BUCKET_RANGES_COLLECTION, METRIC_HISTORY_COLLECTION, RUN_TALLIES_COLLECTION, runsProjection } from './runs/runs.projection';

/** One query a lifecycle service issues: sample values, the shape (fields, operators, sort, limit) is what counts. */
export interface LifecycleQueryShape {
  name: string;
  collection: string;
  filter: Record<string, unknown>;
  sort?: Record<string, 1 | -1>;
  limit?: number;
}

/** Default list limit + 1: findPage reads one more to know whether a next page exists. */
const PAGE = 51;
/** A first page as findPage issues it (`_id` always in a string range); later pages use `$gt`. */
const page = (name: string, collection: string, filter: Record<string, unknown> = {}): LifecycleQueryShape[] => [
  { name: `${name} (first page)`, collection, filter: { ...filter, _id: { $gte: '' } }, sort: { _id: 1 }, limit: PAGE },
  { name: `${name} (next page)`, collection, filter: { ...filter, _id: { $gt: 'x:m' } }, sort: { _id: 1 }, limit: PAGE },
];
const byId = (name: string, collection: string, id: string): LifecycleQueryShape => ({ name, collection, filter: { _id: id } });

/** The indexes the lifecycle read models declare (the runner creates them at start). */
export const lifecycleIndexes = [experimentsProjection, runsProjection, modelsProjection, deploymentsProjection, driftEventsProjection].flatMap(declaredIndexes);

/**
 * Every query shape of the lifecycle services (collection, filter, sort, limit). Each must be
 * answered from one of `lifecycleIndexes` (or `_id`); the query-plan test imports this table.
 */
export const lifecycleQueryShapes: LifecycleQueryShape[] = [
  // Projection runner and read-your-writes: stream documents by `_id`.
  { name: 'stream documents of a batch', collection: 'runs', filter: { _id: { $in: ['run:a', 'run:b'] } } },
  // Experiments.
  byId('experiment detail', 'experiments', 'experiment:churn'),
  { name: 'experiment by what it is called now (detail, MLflow get-by-name)', collection: 'experiments', filter: { name: 'churn' } },
  ...page('experiments', 'experiments'),
  ...page('experiments by owner', 'experiments', { owner: 'ana' }),
  ...page('experiments by status', 'experiments', { status: 'active' }),
  ...page('experiments by tag', 'experiments', { tags: 'tabular' }),
  ...page('experiments by owner and status', 'experiments', { owner: 'ana', status: 'active' }),
  ...page('experiments by owner, status and tag', 'experiments', { owner: 'ana', status: 'active', tags: 'tabular' }),
  { name: 'run counts of an experiment (its tallies)', collection: RUN_TALLIES_COLLECTION, filter: { experiment_name: 'churn' } },
  { name: 'best run, highest', collection: LATEST_METRICS_COLLECTION, filter: { experiment_name: 'churn', key: 'auc' }, sort: { value: -1 }, limit: 1 },
  { name: 'best run, lowest', collection: LATEST_METRICS_COLLECTION, filter: { experiment_name: 'churn', key: 'loss' }, sort: { value: 1 }, limit: 1 },
  { name: 'best run, first run id at the best value', collection: LATEST_METRICS_COLLECTION, filter: { experiment_name: 'churn', key: 'auc', value: 0.9 }, sort: { _id: 1 }, limit: 1 },
  // Runs.
  byId('run detail', 'runs', 'run:00000000-0000-4000-8000-000000000000'),
  ...page('runs', 'runs'),
  ...page('runs of an experiment', 'runs', { experiment_name: 'churn' }),
  ...page('runs by status', 'runs', { status: 'running' }),
  ...page('runs of an experiment by status', 'runs', { experiment_name: 'churn', status: 'failed' }),
  { name: 'metric history bucket ranges (first page)', collection: METRIC_BUCKET_RANGES_COLLECTION, filter: { run_id: 'r', key: 'loss', last: { $gt: '' } }, sort: { first: 1 } },
  {
    name: 'metric history bucket ranges (next page)',
    collection: METRIC_BUCKET_RANGES_COLLECTION,
    filter: { run_id: 'r', key: 'loss', last: { $gt: '0000000000000500|2026-01-01T00:00:00.000Z|0000000002|0499' } },
    sort: { first: 1 },
  },
  byId('metric history bucket points', METRIC_HISTORY_COLLECTION, 'r|loss|000000'),
  { name: 'metric history buckets appended to by a batch', collection: METRIC_HISTORY_COLLECTION, filter: { _id: { $in: ['r|loss|000000', 'r|acc|000000'] } } },
  // Model versions.
  byId('model detail, compare', 'models', 'model:churn'),
  { name: 'live model by what it is called now (detail, compare, MLflow registry)', collection: 'models', filter: { model_name: 'churn', exists: { $ne: false } } },
  ...page('model versions', MODEL_VERSIONS_COLLECTION),
  ...page('model versions of a model', MODEL_VERSIONS_COLLECTION, { model_name: 'churn' }),
  ...page('model versions by stage', MODEL_VERSIONS_COLLECTION, { stage: 'production' }),
  ...page('model versions of a model by stage', MODEL_VERSIONS_COLLECTION, { model_name: 'churn', stage: 'staging' }),
  { name: 'model versions trained on a dataset (computed drift)', collection: MODEL_VERSIONS_COLLECTION, filter: { reference_dataset: 'transactions' }, sort: { _id: 1 } },
  // Deployments.
  byId('deployment detail', 'deployments', 'deployment:00000000-0000-4000-8000-000000000000'),
  ...page('deployments', 'deployments'),
  ...page('deployments of a model', 'deployments', { model_name: 'churn' }),
  ...page('deployments by environment', 'deployments', { environment: 'production' }),
  ...page('deployments by status', 'deployments', { status: 'active' }),
  ...page('deployments of a model by environment and status', 'deployments', { model_name: 'churn', environment: 'production', status: 'active' }),
  {
    name: 'other live deployments (promote)',
    collection: 'deployments',
    filter: { model_name: 'churn', environment: 'production', status: { $in: LIVE_STATUSES }, deployment_id: { $ne: 'd' } },
  },
  {
    name: 'a live deployment of a version (computed drift)',
    collection: 'deployments',
    filter: { model_name: 'churn', model_version: 1, status: { $in: LIVE_STATUSES } },
    limit: 1,
  },
  {
    name: 'live production deployments of a version (drift alert)',
    collection: 'deployments',
    filter: { model_name: 'churn', model_version: 1, environment: 'production', status: { $in: LIVE_STATUSES } },
  },
  // Drift events.
  byId('drift event detail', 'drift_events', 'drift:x'),
  ...page('drift events', 'drift_events'),
  ...page('drift events of a model', 'drift_events', { model_name: 'churn' }),
  ...page('drift events by severity', 'drift_events', { severity: 'critical' }),
  ...page('drift events of a model in a time range', 'drift_events', {
    model_name: 'churn',
    detected_at: { $gte: '2026-01-01T00:00:00.000Z', $lt: '2026-02-01T00:00:00.000Z' },
  }),
];
