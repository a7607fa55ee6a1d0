import { declaredIndexes } from '@mlops/event-sourcing';
import { describeQueryPlans, pageShape, pooled } from '@mlops/testing';
import { datasetsProjection } from './datasets/datasets.projection';
import { modelVersionsProjection } from './model-versions/model-versions.projection';
import { runsProjection } from './runs/runs.projection';
import { scenariosProjection } from './scenarios/scenarios.projection';

// The queries the evaluation service serves, against the indexes its read models declare.
const S = scenariosProjection.name;
const R = runsProjection.name;
describeQueryPlans(
  'evaluation query plans',
  [
    { name: S, fields: { task_type: 'string', tags: 'tags' } },
    { name: R, fields: { scenario_name: 'string', status: 'string', model_name: 'string', model_version: 'number' } },
    { name: datasetsProjection.name, fields: {} },
    { name: modelVersionsProjection.name, fields: {} },
  ],
  [scenariosProjection, runsProjection].flatMap(declaredIndexes),
  [
    { name: 'a scenario by _id', collection: S, filter: { _id: 'doc:000042' }, limit: 1 },
    pageShape('scenarios by task type', S, { task_type: pooled('task_type', 3) }),
    pageShape('scenarios by tag, next page', S, { tags: pooled('tags', 4) }, 'doc:002000'),
    { name: 'a run by _id', collection: R, filter: { _id: 'doc:000043' }, limit: 1 },
    pageShape('runs', R, {}),
    pageShape('runs by scenario', R, { scenario_name: pooled('scenario_name', 5) }),
    pageShape('runs by status, next page', R, { status: pooled('status', 6) }, 'doc:001006'),
    pageShape('runs by model', R, { model_name: pooled('model_name', 7) }),
    pageShape('runs by model version', R, { model_name: pooled('model_name', 8), model_version: 8 }),
    { name: 'a known dataset by _id', collection: datasetsProjection.name, filter: { _id: 'doc:000044' }, limit: 1 },
    { name: 'a known model by _id', collection: modelVersionsProjection.name, filter: { _id: 'doc:000045' }, limit: 1 },
  ],
);
