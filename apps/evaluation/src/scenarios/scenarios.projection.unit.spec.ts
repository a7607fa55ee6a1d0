import { evaluationCatalog, ScenarioDefinition, ScenarioEvent } from '@mlops/events';
import { ProjectionSpecification } from '@mlops/testing';
import { scenariosProjection } from './scenarios.projection';

const definition: ScenarioDefinition = {
  description: 'holdout',
  tags: ['q4'],
  cases: { source: 'inline', payload: { sha256: 'a'.repeat(64), size_bytes: 100 }, case_count: 3, slice_keys: ['country'] },
  labels: [0, 1],
  positive_label: 1,
  metrics: ['accuracy', 'f1', 'roc_auc'],
  thresholds: [{ metric: 'f1', min: 0.8, max: null }],
  assertions: [],
};
const created: ScenarioEvent = { type: 'ScenarioCreated', data: { name: 'churn', task_type: 'binary_classification', version: 1, ...definition } };
const thresholds = [{ metric: 'f1', min: 0.85, max: null }];
const v2: ScenarioEvent = { type: 'ScenarioVersionCreated', data: { name: 'churn', version: 2, changed: ['thresholds'], ...definition, thresholds } };
const at = (minute: number) => `2026-01-01T00:0${minute}:00.000Z`;
const spec = ProjectionSpecification.for(scenariosProjection, evaluationCatalog);

describe('scenarios read model', () => {
  it('is version 1 of the scenario, its definition at the top and in the version list', async () => {
    await spec.givenStream('scenario:churn', created).then({
      version: 1,
      name: 'churn',
      task_type: 'binary_classification',
      latest_version: 1,
      ...definition,
      versions: [{ version: 1, changed: [], ...definition, created_at: at(0), created_by: 'ana' }],
      created_at: at(0),
      created_by: 'ana',
      updated_at: at(0),
      updated_by: 'ana',
    });
  });

  it('puts a new version at the top and keeps every past one as it was', async () => {
    await spec.givenStream('scenario:churn', created, { event: v2, by: 'bo' }).thenMatches({
      version: 2,
      latest_version: 2,
      thresholds,
      versions: [
        { version: 1, changed: [], ...definition, created_at: at(0), created_by: 'ana' },
        { version: 2, changed: ['thresholds'], ...definition, thresholds, created_at: at(1), created_by: 'bo' },
      ],
      created_by: 'ana',
      updated_at: at(1),
      updated_by: 'bo',
    });
  });
});
