import { DomainError, foldEvents } from '@mlops/event-sourcing';
import { ExperimentEvent } from '@mlops/events';
import { ExperimentCommand, experimentDecider } from './experiment.decider';

const created: ExperimentEvent = {
  type: 'ExperimentCreated',
  data: { name: 'churn', description: 'Churn model', owner: 'ana', tags: ['tabular'] },
};
const archived: ExperimentEvent = { type: 'ExperimentArchived', data: { name: 'churn' } };

/** given these past events, when this command, then these events (or this error). */
function given(...past: ExperimentEvent[]) {
  const state = foldEvents(experimentDecider, past);
  return { when: (command: ExperimentCommand) => () => experimentDecider.decide(command, state) };
}

const update = (data: Omit<Extract<ExperimentCommand, { type: 'UpdateExperiment' }>['data'], 'name'>): ExperimentCommand => ({
  type: 'UpdateExperiment',
  data: { name: 'churn', ...data },
});

describe('experiment decider', () => {
  it('creates an experiment that does not exist yet', () => {
    expect(given().when({ type: 'CreateExperiment', data: created.data as any })()).toEqual([created]);
  });

  it('refuses to create an experiment twice', () => {
    const attempt = given(created).when({ type: 'CreateExperiment', data: created.data as any });
    expect(attempt).toThrow(DomainError);
    expect(attempt).toThrow(/already exists/);
  });

  it('refuses to update an unknown experiment', () => {
    expect(given().when(update({ description: 'x' }))).toThrow(/does not exist/);
  });

  it('records only the fields that change', () => {
    expect(given(created).when(update({ description: 'Churn v2', tags: ['tabular'] }))()).toEqual([
      { type: 'ExperimentUpdated', data: { name: 'churn', description: 'Churn v2' } },
    ]);
  });

  it('emits nothing when nothing changes', () => {
    expect(given(created).when(update({ description: 'Churn model', tags: ['tabular'], status: 'active' }))()).toEqual([]);
  });

  it('archives and updates in one command', () => {
    expect(given(created).when(update({ tags: ['tabular', 'prod'], status: 'archived' }))()).toEqual([
      { type: 'ExperimentUpdated', data: { name: 'churn', tags: ['tabular', 'prod'] } },
      archived,
    ]);
  });

  it('restores an archived experiment', () => {
    expect(given(created, archived).when(update({ status: 'active' }))()).toEqual([
      { type: 'ExperimentRestored', data: { name: 'churn' } },
    ]);
  });

  it('does not archive twice', () => {
    expect(given(created, archived).when(update({ status: 'archived' }))()).toEqual([]);
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
    expect(given(created).when({ type: 'SetExperimentTag', data: { name: 'churn', key: 'team', value: 'risk' } })()).toEqual([tagged]);
    expect(given(created, tagged).when({ type: 'SetExperimentTag', data: { name: 'churn', key: 'team', value: 'risk' } })()).toEqual([]);
    expect(given(created, tagged).when({ type: 'SetExperimentTag', data: { name: 'churn', key: 'team', value: 'ops' } })()).toEqual([
      { type: 'ExperimentTagSet', data: { name: 'churn', key: 'team', value: 'ops' } },
    ]);
    const state = foldEvents(experimentDecider, [created, tagged, { type: 'ExperimentTagSet', data: { name: 'churn', key: 'team', value: 'ops' } }]);
    expect(state.exists && state.tag_values).toEqual([{ key: 'team', value: 'ops' }]);
  });

  it('deletes a key/value tag it has and refuses one it has not', () => {
    const tagged: ExperimentEvent = { type: 'ExperimentTagSet', data: { name: 'churn', key: 'team', value: 'risk' } };
    expect(given(created, tagged).when({ type: 'DeleteExperimentTag', data: { name: 'churn', key: 'team' } })()).toEqual([
      { type: 'ExperimentTagDeleted', data: { name: 'churn', key: 'team' } },
    ]);
    expect(given(created).when({ type: 'DeleteExperimentTag', data: { name: 'churn', key: 'team' } })).toThrow(/no tag team/);
    expect(given().when({ type: 'SetExperimentTag', data: { name: 'churn', key: 'team', value: 'x' } })).toThrow(/does not exist/);
  });
});
