import { declaredIndexes } from '@mlops/event-sourcing';
import { describeQueryPlans, pageShape, pooled, QueryShape, SeededCollection } from '@mlops/testing';
import { deploymentsProjection } from './deployments/deployments.projection';
import { driftEventsProjection } from './drift-events/drift-events.projection';
import { experimentsProjection } from './experiments/experiments.projection';
import { LATEST_METRICS_COLLECTION, runsProjection } from './runs/runs.projection';

// Lifecycle's query shapes, against the indexes its read models declare. To extend: add the
// collection's fields and the shape; a shape no declared index serves shows as a todo.
const collections: SeededCollection[] = [
  { name: experimentsProjection.name, fields: { owner: 'string', tags: 'tags' } },
  { name: runsProjection.name, fields: { experiment_name: 'string', status: 'string' } },
  { name: LATEST_METRICS_COLLECTION, fields: { experiment_name: 'string', key: 'string', value: 'number' } },
  { name: deploymentsProjection.name, fields: { model_name: 'string', environment: 'string', status: 'string' } },
  { name: driftEventsProjection.name, fields: { model_name: 'string', status: 'string' } },
];
const shapes: QueryShape[] = [
  { name: 'an experiment by _id', collection: experimentsProjection.name, filter: { _id: 'doc:000042' }, limit: 1 },
  pageShape('experiments', experimentsProjection.name, {}),
  pageShape('experiments by owner', experimentsProjection.name, { owner: pooled('owner', 3) }),
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
  [experimentsProjection, runsProjection, deploymentsProjection, driftEventsProjection].flatMap(declaredIndexes),
  shapes,
);
