import { lifecycleCatalog, ModelEvent } from '@mlops/events';
import { ProjectionSpecification } from '@mlops/testing';
import { KnownModelVersion, knownModelId, modelVersionsProjection } from './model-versions.projection';

const RUN = '7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10';
const registered = (version: number): ModelEvent => ({
  type: 'ModelVersionRegistered',
  data: {
    model_name: 'churn',
    version,
    run_id: RUN,
    artifact_uri: `s3://m/${version}`,
    description: '',
    tags: [],
    metrics: [{ key: 'auc', value: 0.8 }],
    params: [{ key: 'lr', value: 0.1 }],
    checklist: [{ key: 'evaluation_passed', required: true }],
    stage: 'none',
  },
});
const at = (minute: number) => `2026-01-01T00:0${minute}:00.000Z`;
const spec = ProjectionSpecification.for(modelVersionsProjection, lifecycleCatalog);
const version = (n: number, minute: number): KnownModelVersion => ({
  version: n,
  run_id: RUN,
  artifact_uri: `s3://m/${n}`,
  description: '',
  tags: [],
  metrics: [{ key: 'auc', value: 0.8 }],
  params: [{ key: 'lr', value: 0.1 }],
  stage: 'none',
  registered_at: at(minute),
  registered_by: 'ana',
  updated_at: at(minute),
});

describe('known model versions read model (evaluation, fed by the lifecycle topic)', () => {
  it('keeps every registered version of a model inline', async () => {
    await spec.givenStream(knownModelId('churn'), registered(1), registered(2)).then({ version: 2, model_name: 'churn', versions: [version(1, 0), version(2, 1)] });
  });

  it('follows stage changes and description updates; a checklist change only moves the stream version', async () => {
    await spec
      .givenStream(
        knownModelId('churn'),
        registered(1),
        { type: 'ModelVersionStageChanged', data: { model_name: 'churn', version: 1, from: 'none', to: 'staging' } },
        { type: 'ModelVersionChecklistUpdated', data: { model_name: 'churn', version: 1, items: [{ key: 'evaluation_passed', checked: true, by: 'ana', at: at(2) }] } },
        { type: 'ModelVersionUpdated', data: { model_name: 'churn', version: 1, description: 'tuned' } },
      )
      .then({ version: 4, model_name: 'churn', versions: [{ ...version(1, 0), stage: 'staging', description: 'tuned', updated_at: at(3) }] });
  });
});
