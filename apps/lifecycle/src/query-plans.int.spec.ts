import { declaredIndexes } from '@mlops/event-sourcing';
import { describeQueryPlans, pageShape, pooled, QueryShape, SeededCollection } from '@mlops/testing';
import { deploymentsProjection } from './deployments/deployments.projection';
import { driftEventsProjection } from './drift-events/drift-events.projection';
import { experimentsProjection } from './experiments/experiments.projection';
import { MODEL_VERSIONS_COLLECTION, modelsProjection } from './models/models.projection';
import { LATEST_METRICS_COLLECTION, METRIC_BUCKET_RANGES_COLLECTION, runsProjection } from './runs/runs.projection';

// Lifecycle's query shapes, against the indexes its read models declare. To extend: add the
// collection's fields and the shape; a shape no declared index serves shows as a todo.
const collections: SeededCollection[] = [
  { name: experimentsProjection.name, fields: { owner: 'string', tags: 'tags', status: 'string', name: 'string', mlflow_id: 'string' } },
  { name: modelsProjection.name, fields: { model_name: 'string' } },
  { name: MODEL_VERSIONS_COLLECTION, fields: { model_name: 'string', stage: 'string', reference_dataset: 'string' } },
  { name: runsProjection.name, fields: { experiment_name: 'string', status: 'string' } },
  { name: LATEST_METRICS_COLLECTION, fields: { experiment_name: 'string', key: 'string', value: 'number' } },
  { name: METRIC_BUCKET_RANGES_COLLECTION, fields: { run_id: 'string', key: 'string', first: 'string', last: 'string' } },
  { name: deploymentsProjection.name, fields: { model_name: 'string', environment: 'string', status: 'string' } },
  { name: driftEventsProjection.name, fields: { model_name: 'string', status: 'string' } },
];
const shapes: QueryShape[] = [
  { name: 'an experiment by _id', collection: experimentsProjection.name, filter: { _id: 'doc:000042' }, limit: 1 },
  pageShape('experiments', experimentsProjection.name, {}),
  pageShape('experiments by owner', experimentsProjection.name, { owner: pooled('owner', 3) }),
  pageShape('experiments by status', experimentsProjection.name, { status: pooled('status', 10) }),
  pageShape('experiments by tag', experimentsProjection.name, { tags: pooled('tags', 11) }),
  { name: 'an experiment by what it is called now', collection: experimentsProjection.name, filter: { name: pooled('name', 12) } },
  { name: 'an experiment by its MLflow id', collection: experimentsProjection.name, filter: { mlflow_id: pooled('mlflow_id', 13) } },
  { name: 'a model by _id', collection: modelsProjection.name, filter: { _id: 'doc:000046' }, limit: 1 },
  { name: 'a model by what it is called now', collection: modelsProjection.name, filter: { model_name: pooled('model_name', 14) } },
  pageShape('model versions of a model', MODEL_VERSIONS_COLLECTION, { model_name: pooled('model_name', 15) }),
  pageShape('model versions by stage', MODEL_VERSIONS_COLLECTION, { stage: pooled('stage', 16) }),
  {
    name: 'model versions trained on a dataset (computed drift)',
    collection: MODEL_VERSIONS_COLLECTION,
    filter: { reference_dataset: pooled('reference_dataset', 17) },
    sort: { _id: 1 },
  },
  { name: 'a run by _id', collection: runsProjection.name, filter: { _id: 'doc:000043' }, limit: 1 },
  pageShape('runs of an experiment', runsProjection.name, { experiment_name: pooled('experiment_name', 4) }),
  pageShape('runs of an experiment, next page', runsProjection.name, { experiment_name: pooled('experiment_name', 4) }, 'doc:010004'),
  pageShape('runs by status', runsProjection.name, { status: pooled('status', 5) }),
  pageShape('runs of an experiment by status', runsProjection.name, { experiment_name: pooled('experiment_name', 6), status: pooled('status', 6) }),
  ...(['first page', 'past the cursor’s value', 'the rest of the cursor’s value'] as const).map(
    (page): QueryShape => ({
      name: `runs of an experiment by a metric, ${page}`,
      collection: LATEST_METRICS_COLLECTION,
      filter: {
        experiment_name: pooled('experiment_name', 3),
        key: pooled('key', 3),
        ...(page === 'past the cursor’s value' ? { value: { $lt: 25 } } : page === 'the rest of the cursor’s value' ? { value: 23, _id: { $lt: 'doc:015000' } } : {}),
      },
      sort: { value: -1, _id: -1 },
      limit: 51,
    }),
  ),
  {
    name: 'the buckets of a metric history past a cursor',
    collection: METRIC_BUCKET_RANGES_COLLECTION,
    filter: { run_id: pooled('run_id', 19), key: pooled('key', 19), last: { $gt: 'last-1' } },
    sort: { first: 1, _id: 1 },
  },
  { name: 'a page of runs by _id', collection: runsProjection.name, filter: { _id: { $in: ['doc:000010', 'doc:000030', 'doc:000050'] } } },
  { name: 'a deployment by _id', collection: deploymentsProjection.name, filter: { _id: 'doc:000044' }, limit: 1 },
  pageShape('deployments by model', deploymentsProjection.name, { model_name: pooled('model_name', 7) }),
  {
    name: 'live deployments of a model in an environment',
    collection: deploymentsProjection.name,
    filter: { model_name: pooled('model_name', 8), environment: pooled('environment', 8) },
  },
  { name: 'a drift event by _id', collection: driftEventsProjection.name, filter: { _id: 'doc:000045' }, limit: 1 },
  pageShape('drift events by model', driftEventsProjection.name, { model_name: pooled('model_name', 9) }),
];
describeQueryPlans(
  'lifecycle query plans',
  collections,
  [experimentsProjection, modelsProjection, runsProjection, deploymentsProjection, driftEventsProjection].flatMap(declaredIndexes),
  shapes,
);
