import { DomainError, foldEvents } from '@mlops/event-sourcing';
import { ExperimentEvent } from '@mlops/events';
import { ExperimentCommand, experimentDecider } from './experiment.decider';
import { DeciderSpecification } from '@mlops/testing';

const created: ExperimentEvent = {
  type: 'ExperimentCreated',
  data: { name: 'churn', description: 'Churn model', owner: 'ana', tags: ['tabular'] },
};
const archived: ExperimentEvent = { type: 'ExperimentArchived', data: { name: 'churn' } };

const { given } = DeciderSpecification.for(experimentDecider);

const update = (data: Omit<Extract<ExperimentCommand, { type: 'UpdateExperiment' }>['data'], 'name'>): ExperimentCommand => ({
  type: 'UpdateExperiment',
  data: { name: 'churn', ...data },
});

describe('experiment decider', () => {
  it('creates an experiment that does not exist yet', () => {
    given().when({ type: 'CreateExperiment', data: created.data as any }).then([created]);
  });

  it('refuses to create an experiment twice', () => {
    const attempt = () => given(created).when({ type: 'CreateExperiment', data: created.data as any }).events();
    expect(attempt).toThrow(DomainError);
    expect(attempt).toThrow(/already exists/);
  });

  it('refuses to update an unknown experiment', () => {
    given().when(update({ description: 'x' })).thenThrows(/does not exist/);
  });

  it('records only the fields that change', () => {
    given(created).when(update({ description: 'Churn v2', tags: ['tabular'] })).then([
      { type: 'ExperimentUpdated', data: { name: 'churn', description: 'Churn v2' } },
    ]);
  });

  it('emits nothing when nothing changes', () => {
    given(created).when(update({ description: 'Churn model', tags: ['tabular'], status: 'active' })).thenNothing();
  });

  it('archives and updates in one command', () => {
    given(created).when(update({ tags: ['tabular', 'prod'], status: 'archived' })).then([
      { type: 'ExperimentUpdated', data: { name: 'churn', tags: ['tabular', 'prod'] } },
      archived,
    ]);
  });

  it('restores an archived experiment', () => {
    given(created, archived).when(update({ status: 'active' })).then([
      { type: 'ExperimentRestored', data: { name: 'churn' } },
    ]);
  });

  it('does not archive twice', () => {
    given(created, archived).when(update({ status: 'archived' })).thenNothing();
  });

  it('folds events into state', () => {
    expect(foldEvents(experimentDecider, [created, archived])).toEqual({
      exists: true,
      name: 'churn',
      description: 'Churn model',
      owner: 'ana',
      tags: ['tabular'],
      status: 'archived',
      tag_values: [],
    });
  });

  it('sets a key/value tag, replaces its value, and records nothing for the same value again', () => {
    const tagged: ExperimentEvent = { type: 'ExperimentTagSet', data: { name: 'churn', key: 'team', value: 'risk' } };
    given(created).when({ type: 'SetExperimentTag', data: { name: 'churn', key: 'team', value: 'risk' } }).then([tagged]);
    given(created, tagged).when({ type: 'SetExperimentTag', data: { name: 'churn', key: 'team', value: 'risk' } }).thenNothing();
    given(created, tagged).when({ type: 'SetExperimentTag', data: { name: 'churn', key: 'team', value: 'ops' } }).then([
      { type: 'ExperimentTagSet', data: { name: 'churn', key: 'team', value: 'ops' } },
    ]);
    const state = foldEvents(experimentDecider, [created, tagged, { type: 'ExperimentTagSet', data: { name: 'churn', key: 'team', value: 'ops' } }]);
    expect(state.exists && state.tag_values).toEqual([{ key: 'team', value: 'ops' }]);
  });

  it('deletes a key/value tag it has and refuses one it has not', () => {
    const tagged: ExperimentEvent = { type: 'ExperimentTagSet', data: { name: 'churn', key: 'team', value: 'risk' } };
    given(created, tagged).when({ type: 'DeleteExperimentTag', data: { name: 'churn', key: 'team' } }).then([
      { type: 'ExperimentTagDeleted', data: { name: 'churn', key: 'team' } },
    ]);
    given(created).when({ type: 'DeleteExperimentTag', data: { name: 'churn', key: 'team' } }).thenThrows(/no tag team/);
    given().when({ type: 'SetExperimentTag', data: { name: 'churn', key: 'team', value: 'x' } }).thenThrows(/does not exist/);
  });

  it('creates an experiment under a fresh key and renames it to its name in one decision', () => {
    const data = { name: 'churn.0f', description: '', owner: 'ana', tags: [] };
    given().when({ type: 'CreateExperiment', data: { ...data, called: 'churn' } }).then([
      { type: 'ExperimentCreated', data },
      { type: 'ExperimentRenamed', data: { name: 'churn.0f', new_name: 'churn', previous_name: 'churn.0f' } },
    ]);
    given().when({ type: 'CreateExperiment', data: { ...data, name: 'churn', called: 'churn' } }).then([{ type: 'ExperimentCreated', data: { ...data, name: 'churn' } }]);
  });

  it('renames an experiment under its key, and keeps its later updates under the new name', () => {
    const rename = (new_name: string): ExperimentCommand => ({ type: 'RenameExperiment', data: { name: 'churn', new_name } });
    const renamed: ExperimentEvent = { type: 'ExperimentRenamed', data: { name: 'churn', new_name: 'churn-v2', previous_name: 'churn' } };
    given(created).when(rename('churn-v2')).then([renamed]);
    given(created, renamed).when(rename('churn-v2')).thenNothing();
    given(created, renamed).when(rename('churn-v3')).then([{ type: 'ExperimentRenamed', data: { name: 'churn', new_name: 'churn-v3', previous_name: 'churn-v2' } }]);
    given().when(rename('churn-v2')).thenThrows(/does not exist/);
    const state = foldEvents(experimentDecider, [created, renamed, { type: 'ExperimentUpdated', data: { name: 'churn', description: 'x' } }]);
    expect(state.exists && state.name).toBe('churn-v2');
  });
});
