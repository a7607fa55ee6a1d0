import { ModelEvent } from '@mlops/events';
import { DeciderSpecification } from '@mlops/testing';
import { ModelCommand, modelCalled, modelDecider } from './model.decider';

const RUN = '7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10';
const NOW = '2026-01-02T00:00:00.000Z';
const CHECKLIST = [
  { key: 'evaluation_passed', required: true },
  { key: 'owner_signoff', required: false },
];

const created: ModelEvent = { type: 'RegisteredModelCreated', data: { model_name: 'churn', description: 'weekly', properties: [{ key: 'team', value: 'growth' }] } };
const registered = (version: number): ModelEvent => ({
  type: 'ModelVersionRegistered',
  data: { model_name: 'churn', version, run_id: RUN, artifact_uri: `mlflow-artifacts:/m/${version}`, description: '', tags: [], metrics: [], params: [], checklist: CHECKLIST, stage: 'none' },
});
const staged = (version: number): ModelEvent => ({ type: 'ModelVersionStageChanged', data: { model_name: 'churn', version, from: 'none', to: 'staging' } });
const aliased = (alias: string, version: number, previous_version?: number): ModelEvent => ({
  type: 'ModelVersionAliasSet',
  data: { model_name: 'churn', alias, version, ...(previous_version ? { previous_version } : {}) },
});

const { given } = DeciderSpecification.for(modelDecider);

const register = (): ModelCommand => ({
  type: 'RegisterModelVersion',
  data: { model_name: 'churn', run_id: RUN, run: { params: [], metrics: [] }, artifact_uri: 'mlflow-artifacts:/m/9', description: '', tags: [], checklist: CHECKLIST, stage: 'none' },
});

describe('model decider: the registered model (MLflow registry facts)', () => {
  it('creates a registered model without versions, once', () => {
    const create: ModelCommand = { type: 'CreateRegisteredModel', data: { model_name: 'churn', description: 'weekly', properties: [{ key: 'team', value: 'growth' }] } };
    given().when(create).then([created]);
    given(created).when(create).thenThrows('conflict');
    given(registered(1)).when(create).thenThrows('conflict');
  });

  it('updates the description only when it changes, and only of an existing model', () => {
    given(created).when({ type: 'UpdateRegisteredModel', data: { model_name: 'churn', description: 'weekly' } }).thenNothing();
    given(created).when({ type: 'UpdateRegisteredModel', data: { model_name: 'churn', description: 'daily' } }).then([
      { type: 'RegisteredModelUpdated', data: { model_name: 'churn', description: 'daily' } },
    ]);
    given().when({ type: 'UpdateRegisteredModel', data: { model_name: 'churn', description: 'x' } }).thenThrows('not_found');
  });

  it('sets a property (replacing its value) and deletes only a property it has', () => {
    const set = (value: string): ModelCommand => ({ type: 'SetRegisteredModelProperty', data: { model_name: 'churn', key: 'team', value } });
    given(created).when(set('growth')).thenNothing();
    const changed = given(created, ...given(created).when(set('risk')).events());
    expect(changed.state.properties).toEqual([{ key: 'team', value: 'risk' }]);
    given(created).when({ type: 'DeleteRegisteredModelProperty', data: { model_name: 'churn', key: 'owner' } }).thenThrows('not_found');
  });

  it('deletes the model and all its versions; a new model of that name numbers on', () => {
    const deleted: ModelEvent = { type: 'RegisteredModelDeleted', data: { model_name: 'churn' } };
    given(created, registered(1)).when({ type: 'DeleteRegisteredModel', data: { model_name: 'churn' } }).then([deleted]);
    const after = given(created, registered(1), registered(2), deleted);
    expect(after.state).toMatchObject({ exists: false, versions: [], aliases: [], properties: [] });
    expect(after.when(register()).events()).toEqual([expect.objectContaining({ data: expect.objectContaining({ version: 3 }) })]);
  });
});

describe('model decider: versions’ properties, deletion and aliases', () => {
  it('sets and deletes a version property', () => {
    const set: ModelCommand = { type: 'SetModelVersionProperty', data: { model_name: 'churn', version: 1, key: 'validated', value: 'yes' } };
    const [event] = given(registered(1)).when(set).events();
    expect(event).toEqual({ type: 'ModelVersionPropertySet', data: set.data });
    expect(given(registered(1), event).state.versions[0].properties).toEqual([{ key: 'validated', value: 'yes' }]);
    given(registered(1), event).when(set).thenNothing();
    given(registered(1)).when({ type: 'SetModelVersionProperty', data: { ...set.data, version: 2 } }).thenThrows('not_found');
  });

  it('deletes a version with its aliases first; its number is never given again', () => {
    const events = given(registered(1), registered(2), aliased('champion', 2)).when({ type: 'DeleteModelVersion', data: { model_name: 'churn', version: 2 } }).events();
    expect(events).toEqual([
      { type: 'ModelVersionAliasDeleted', data: { model_name: 'churn', alias: 'champion', version: 2 } },
      { type: 'ModelVersionDeleted', data: { model_name: 'churn', version: 2 } },
    ]);
    const after = given(registered(1), registered(2), aliased('champion', 2), ...events);
    expect(after.state.aliases).toEqual([]);
    expect(after.state.versions.map((v) => v.version)).toEqual([1]);
    expect(after.when(register()).events()).toEqual([expect.objectContaining({ data: expect.objectContaining({ version: 3 }) })]);
  });

  it('points an alias at one version, moving it from the previous one', () => {
    const set = (version: number): ModelCommand => ({ type: 'SetModelVersionAlias', data: { model_name: 'churn', alias: 'champion', version } });
    given(registered(1)).when(set(1)).then([aliased('champion', 1)]);
    given(registered(1), registered(2), aliased('champion', 1)).when(set(2)).then([aliased('champion', 2, 1)]);
    given(registered(1), aliased('champion', 1)).when(set(1)).thenNothing();
    given(registered(1)).when(set(2)).thenThrows('not_found');
  });

  it('refuses the reserved aliases latest and v<number>', () => {
    for (const alias of ['latest', 'v1', 'V12']) {
      given(registered(1)).when({ type: 'SetModelVersionAlias', data: { model_name: 'churn', alias, version: 1 } }).thenThrows('invalid_input');
    }
  });

  it('deletes an alias it has, naming the version it pointed at', () => {
    given(registered(1), aliased('champion', 1)).when({ type: 'DeleteModelVersionAlias', data: { model_name: 'churn', alias: 'champion' } }).then([
      { type: 'ModelVersionAliasDeleted', data: { model_name: 'churn', alias: 'champion', version: 1 } },
    ]);
    given(registered(1)).when({ type: 'DeleteModelVersionAlias', data: { model_name: 'churn', alias: 'champion' } }).thenThrows('not_found');
  });

  it('moving to staging with archive_existing archives the other staging versions', () => {
    const command: ModelCommand = {
      type: 'UpdateModelVersion',
      data: { model_name: 'churn', version: 3, actor: 'ana', now: NOW, stage: 'staging', archive_existing: true },
    };
    given(registered(1), registered(2), registered(3), staged(1), staged(2)).when(command).then([
      { type: 'ModelVersionStageChanged', data: { model_name: 'churn', version: 3, from: 'none', to: 'staging' } },
      { type: 'ModelVersionStageChanged', data: { model_name: 'churn', version: 1, from: 'staging', to: 'archived', superseded_by: 3 } },
      { type: 'ModelVersionStageChanged', data: { model_name: 'churn', version: 2, from: 'staging', to: 'archived', superseded_by: 3 } },
    ]);
  });

  it('renames a model under its key; a version registered afterwards joins it', () => {
    const rename = (new_name: string): ModelCommand => ({ type: 'RenameRegisteredModel', data: { model_name: 'churn', new_name } });
    const renamed: ModelEvent = { type: 'RegisteredModelRenamed', data: { model_name: 'churn', new_name: 'attrition', previous_name: 'churn' } };
    given(created, registered(1)).when(rename('attrition')).then([renamed]);
    given(created, renamed).when(rename('attrition')).thenNothing();
    given(created, renamed).when(rename('leavers')).then([
      { type: 'RegisteredModelRenamed', data: { model_name: 'churn', new_name: 'leavers', previous_name: 'attrition' } },
    ]);
    given().when(rename('attrition')).thenThrows(/does not exist/);
    const state = given(created, registered(1), renamed, registered(2)).state;
    expect(state.renamed_to).toBe('attrition');
    expect(state.versions.map((v) => v.version)).toEqual([1, 2]);
    const back = given(created, renamed, { type: 'RegisteredModelRenamed', data: { model_name: 'churn', new_name: 'churn', previous_name: 'attrition' } }).state;
    expect(modelCalled(back, 'churn')).toBe('churn');
  });

  it('creates a model under a fresh key and renames it to its name in one decision', () => {
    const create: ModelCommand = { type: 'CreateRegisteredModel', data: { model_name: 'churn.0f', description: '', properties: [], called: 'churn' } };
    given().when(create).then([
      { type: 'RegisteredModelCreated', data: { model_name: 'churn.0f', description: '', properties: [] } },
      { type: 'RegisteredModelRenamed', data: { model_name: 'churn.0f', new_name: 'churn', previous_name: 'churn.0f' } },
    ]);
    given().when({ ...create, data: { ...create.data, model_name: 'churn' } } as ModelCommand).then([
      { type: 'RegisteredModelCreated', data: { model_name: 'churn', description: '', properties: [] } },
    ]);
  });
});

