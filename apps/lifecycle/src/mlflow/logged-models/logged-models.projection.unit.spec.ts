import { lifecycleCatalog, LoggedModelEvent } from '@mlops/events';
import { ProjectionSpecification } from '@mlops/testing';
import { loggedModelsProjection } from './logged-models.projection';

const STREAM = 'logged_model:m-1';
const created: LoggedModelEvent = {
  type: 'LoggedModelCreated',
  data: {
    model_id: 'm-1',
    experiment_id: '7',
    name: 'churn-xgb',
    source_run_id: 'run-1',
    model_type: 'xgboost',
    artifact_location: 's3://artifacts/7/models/m-1',
    tags: [{ key: 'team', value: 'growth' }],
    params: [{ key: 'depth', value: '6' }],
  },
};

const spec = ProjectionSpecification.for(loggedModelsProjection, lifecycleCatalog);

describe('logged models read model', () => {
  it('is created pending, by who logged it and when', async () => {
    await spec.givenStream(STREAM, { event: created, at: '2026-03-01T09:00:00.000Z', by: 'ana' }).then({
      version: 1,
      ...created.data,
      status: 'PENDING',
      deleted: false,
      created_at: '2026-03-01T09:00:00.000Z',
      created_by: 'ana',
      updated_at: '2026-03-01T09:00:00.000Z',
    });
  });

  it('is finalized with the status it was given', async () => {
    await spec.givenStream(STREAM, created, { type: 'LoggedModelFinalized', data: { model_id: 'm-1', status: 'READY' } }).thenMatches({ status: 'READY', version: 2 });
  });

  it('sets tags by key (a new value replaces the old) and deletes one by key', async () => {
    await spec
      .givenStream(
        STREAM,
        created,
        { type: 'LoggedModelTagsSet', data: { model_id: 'm-1', tags: [{ key: 'team', value: 'risk' }, { key: 'stage', value: 'beta' }] } },
        { type: 'LoggedModelTagDeleted', data: { model_id: 'm-1', key: 'stage' } },
      )
      .thenMatches({ tags: [{ key: 'team', value: 'risk' }], version: 3 });
  });

  it('adds logged params to the ones it has', async () => {
    await spec
      .givenStream(STREAM, created, { type: 'LoggedModelParamsLogged', data: { model_id: 'm-1', params: [{ key: 'eta', value: '0.1' }] } })
      .thenMatches({ params: [{ key: 'depth', value: '6' }, { key: 'eta', value: '0.1' }] });
  });

  it('keeps a deleted model, marked deleted, with the time of the deletion', async () => {
    await spec
      .givenStream(STREAM, { event: created, at: '2026-03-01T09:00:00.000Z' }, { event: { type: 'LoggedModelDeleted', data: { model_id: 'm-1' } }, at: '2026-03-02T09:00:00.000Z' })
      .thenMatches({ deleted: true, name: 'churn-xgb', updated_at: '2026-03-02T09:00:00.000Z', created_at: '2026-03-01T09:00:00.000Z' });
  });
});
