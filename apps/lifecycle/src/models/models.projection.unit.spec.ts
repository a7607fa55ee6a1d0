import { lifecycleCatalog, ModelEvent } from '@mlops/events';
import { ProjectionSpecification } from '@mlops/testing';
import { MODEL_VERSIONS_COLLECTION, modelsProjection, modelVersionId, ModelVersionView } from './models.projection';

const RUN = '7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10';
const STREAM = 'model:churn';
const at = (minute: number) => `2026-01-01T00:0${minute}:00.000Z`;
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
    checklist: [
      { key: 'evaluation_passed', required: true },
      { key: 'owner_signoff', required: false },
    ],
    stage: 'none',
  },
});
const view = (version: number, minute: number): ModelVersionView => ({
  model_name: 'churn',
  version,
  run_id: RUN,
  artifact_uri: `s3://m/${version}`,
  description: '',
  tags: [],
  metrics: [{ key: 'auc', value: 0.8 }],
  params: [{ key: 'lr', value: 0.1 }],
  checklist: [
    { key: 'evaluation_passed', required: true, checked: false, checked_by: null, checked_at: null },
    { key: 'owner_signoff', required: false, checked: false, checked_by: null, checked_at: null },
  ],
  stage: 'none',
  properties: [],
  aliases: [],
  stage_changed_at: at(minute),
  created_at: at(minute),
  created_by: 'ana',
  updated_at: at(minute),
  updated_by: 'ana',
});
const spec = ProjectionSpecification.for(modelsProjection, lifecycleCatalog);

describe('models read model', () => {
  it('holds every version of a model inline, its checklist unchecked at registration', async () => {
    await spec.givenStream(STREAM, registered(1), registered(2)).then({
      version: 2,
      model_name: 'churn',
      latest_version: 2,
      versions: [view(1, 0), view(2, 1)],
      exists: true,
      description: '',
      properties: [],
      aliases: [],
      deleted_versions: [],
      created_at: at(0),
      updated_at: at(1),
    });
  });

  it('follows checklist ticks, stage changes and aliases on the versions they touch', async () => {
    await spec
      .givenStream(
        STREAM,
        registered(1),
        { event: { type: 'ModelVersionChecklistUpdated', data: { model_name: 'churn', version: 1, items: [{ key: 'evaluation_passed', checked: true, by: 'ci', at: at(1) }] } }, by: 'ci' },
        { event: { type: 'ModelVersionStageChanged', data: { model_name: 'churn', version: 1, from: 'none', to: 'staging' } }, by: 'bo' },
        { type: 'ModelVersionAliasSet', data: { model_name: 'churn', alias: 'champion', version: 1 } },
      )
      .thenMatches({
        version: 4,
        aliases: [{ alias: 'champion', version: 1 }],
        versions: [
          {
            ...view(1, 0),
            checklist: [
              { key: 'evaluation_passed', required: true, checked: true, checked_by: 'ci', checked_at: at(1) },
              { key: 'owner_signoff', required: false, checked: false, checked_by: null, checked_at: null },
            ],
            stage: 'staging',
            stage_changed_at: at(2),
            aliases: ['champion'],
            updated_at: at(2),
            updated_by: 'bo',
          },
        ],
      });
  });

  it('derives a list document per touched version, and a tombstone for a deleted one', async () => {
    const writes = await spec.givenStream(STREAM, registered(1), registered(2), { type: 'ModelVersionDeleted', data: { model_name: 'churn', version: 1 } }).derived();
    expect(writes.map((w) => [w.collection, w.documents!.map((d) => [d._id, d.stream_version, d.deleted ?? false])])).toEqual([
      [MODEL_VERSIONS_COLLECTION, [[modelVersionId('churn', 1), 1, false]]],
      [MODEL_VERSIONS_COLLECTION, [[modelVersionId('churn', 2), 2, false]]],
      [MODEL_VERSIONS_COLLECTION, [[modelVersionId('churn', 1), 3, true]]],
    ]);
    await spec
      .givenStream(STREAM, registered(1), registered(2), { type: 'ModelVersionDeleted', data: { model_name: 'churn', version: 1 } })
      .thenMatches({ latest_version: 2, deleted_versions: [1], versions: [view(2, 1)] });
  });

  it('shows a renamed model and every version under the new name, its list documents rewritten in place', async () => {
    const renamed: ModelEvent = { type: 'RegisteredModelRenamed', data: { model_name: 'churn', new_name: 'attrition', previous_name: 'churn' } };
    const writes = await spec.givenStream(STREAM, registered(1), registered(2), renamed, registered(3)).derived();
    expect(writes.slice(2).map((w) => w.documents!.map((d) => [d._id, d.model_name, d.stream_version]))).toEqual([
      [
        [modelVersionId('churn', 1), 'attrition', 3],
        [modelVersionId('churn', 2), 'attrition', 3],
      ],
      [[modelVersionId('churn', 3), 'attrition', 4]],
    ]);
    await spec
      .givenStream(STREAM, registered(1), registered(2), renamed, registered(3))
      .thenMatches({ _id: STREAM, model_name: 'attrition', latest_version: 3, versions: [{ ...view(1, 0), model_name: 'attrition' }, { ...view(2, 1), model_name: 'attrition' }, expect.objectContaining({ version: 3, model_name: 'attrition' })] });
  });
});

