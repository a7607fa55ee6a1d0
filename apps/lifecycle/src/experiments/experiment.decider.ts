import { ExperimentEvent } from '@mlops/events';
import { conflict, Decider, notFound } from '@mlops/event-sourcing';

export type ExperimentStatus = 'active' | 'archived';

export type ExperimentCommand =
  | {
      type: 'CreateExperiment';
      data: { name: string; description: string; owner: string; tags: string[] };
    }
  | {
      type: 'UpdateExperiment';
      data: { name: string; description?: string; tags?: string[]; status?: ExperimentStatus };
    };

export type ExperimentState =
  | { exists: false }
  | { exists: true; name: string; description: string; owner: string; tags: string[]; status: ExperimentStatus };

export const experimentStreamId = (name: string) => `experiment:${name}`;

const sameTags = (a: string[], b: string[]) => a.length === b.length && a.every((tag, i) => tag === b[i]);

export function decide(command: ExperimentCommand, state: ExperimentState): ExperimentEvent[] {
  switch (command.type) {
    case 'CreateExperiment': {
      if (state.exists) throw conflict(`Experiment ${command.data.name} already exists`);
      return [{ type: 'ExperimentCreated', data: command.data }];
    }
    case 'UpdateExperiment': {
      if (!state.exists) throw notFound(`Experiment ${command.data.name} does not exist`);
      const { name, description, tags, status } = command.data;
      const events: ExperimentEvent[] = [];
      const changes: { description?: string; tags?: string[] } = {};
      if (description !== undefined && description !== state.description) changes.description = description;
      if (tags !== undefined && !sameTags(tags, state.tags)) changes.tags = tags;
      if (Object.keys(changes).length) events.push({ type: 'ExperimentUpdated', data: { name, ...changes } });
      if (status === 'archived' && state.status === 'active') events.push({ type: 'ExperimentArchived', data: { name } });
      if (status === 'active' && state.status === 'archived') events.push({ type: 'ExperimentRestored', data: { name } });
      return events;
    }
  }
}

export function evolve(state: ExperimentState, event: ExperimentEvent): ExperimentState {
  switch (event.type) {
    case 'ExperimentCreated':
      return { exists: true, ...event.data, status: 'active' };
    case 'ExperimentUpdated':
      return state.exists ? { ...state, ...event.data } : state;
    case 'ExperimentArchived':
      return state.exists ? { ...state, status: 'archived' } : state;
    case 'ExperimentRestored':
      return state.exists ? { ...state, status: 'active' } : state;
  }
}

export const initialState = (): ExperimentState => ({ exists: false });

export const experimentDecider: Decider<ExperimentCommand, ExperimentEvent, ExperimentState> = {
  decide,
  evolve,
  initialState,
  // Bump when ExperimentState or evolve changes: older snapshots are then ignored.
  snapshot: { schema: 'experiment.v1' },
};
