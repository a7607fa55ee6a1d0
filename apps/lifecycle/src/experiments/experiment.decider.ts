import { ExperimentEvent, TagValue } from '@mlops/events';
import { conflict, Decider, notFound } from '@mlops/event-sourcing';

export type ExperimentStatus = 'active' | 'archived';

export type ExperimentCommand =
  | {
      type: 'CreateExperiment';
      /** `name` is the key; `called`, when it differs, what it is called (a fresh key is created and renamed at once). */
      data: { name: string; description: string; owner: string; tags: string[]; called?: string };
    }
  | {
      type: 'UpdateExperiment';
      data: { name: string; description?: string; tags?: string[]; status?: ExperimentStatus };
    }
  | { type: 'SetExperimentTag'; data: { name: string; key: string; value: string } }
  | { type: 'DeleteExperimentTag'; data: { name: string; key: string } }
  /** `name` is the experiment's key; whether `new_name` is free was decided by its name claim (name-claims.ts). */
  | { type: 'RenameExperiment'; data: { name: string; new_name: string } };

export type ExperimentState =
  | { exists: false }
  | {
      exists: true;
      /** What it is called now: its key, unless it was renamed. */
      name: string;
      description: string;
      owner: string;
      tags: string[];
      status: ExperimentStatus;
      /** Key/value tags (MLflow's), beside the plain `tags` labels. */
      tag_values: TagValue[];
    };

const EXPERIMENT_STREAM_PREFIX = 'experiment:';
/**
 * An experiment's stream key: the name it was created with, or — when an experiment renamed away
 * from that name still has that key — a fresh key (`freshKey`); a rename keeps the key (its runs
 * refer to it). A fresh key is created and renamed to its name in one commit; events' `name` is the key.
 */
export const experimentStreamId = (name: string) => `${EXPERIMENT_STREAM_PREFIX}${name}`;
/** The key of an experiment's read-model document (its `name` is what it is called now). */
export const experimentKeyOf = (doc: { _id: string }) => doc._id.slice(EXPERIMENT_STREAM_PREFIX.length);

const sameTags = (a: string[], b: string[]) => a.length === b.length && a.every((tag, i) => tag === b[i]);

export function decide(command: ExperimentCommand, state: ExperimentState): ExperimentEvent[] {
  switch (command.type) {
    case 'CreateExperiment': {
      const { called, ...created } = command.data;
      if (state.exists) throw conflict(`Experiment ${called ?? created.name} already exists`);
      const events: ExperimentEvent[] = [{ type: 'ExperimentCreated', data: created }];
      if (called !== undefined && called !== created.name) {
        events.push({ type: 'ExperimentRenamed', data: { name: created.name, new_name: called, previous_name: created.name } });
      }
      return events;
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
    case 'SetExperimentTag': {
      const { name, key, value } = command.data;
      if (!state.exists) throw notFound(`Experiment ${name} does not exist`);
      if (state.tag_values.some((tag) => tag.key === key && tag.value === value)) return [];
      return [{ type: 'ExperimentTagSet', data: { name, key, value } }];
    }
    case 'DeleteExperimentTag': {
      const { name, key } = command.data;
      if (!state.exists) throw notFound(`Experiment ${name} does not exist`);
      if (!state.tag_values.some((tag) => tag.key === key)) throw notFound(`Experiment ${name} has no tag ${key}`);
      return [{ type: 'ExperimentTagDeleted', data: { name, key } }];
    }
    case 'RenameExperiment': {
      const { name, new_name } = command.data;
      if (!state.exists) throw notFound(`Experiment ${name} does not exist`);
      if (new_name === state.name) return [];
      return [{ type: 'ExperimentRenamed', data: { name, new_name, previous_name: state.name } }];
    }
  }
}

/** Sets one key/value tag, replacing an earlier value of its key; shared by the decider and the read model. */
export const withTagValue = (tags: TagValue[], tag: TagValue): TagValue[] => [...tags.filter((t) => t.key !== tag.key), tag];
export const withoutTagValue = (tags: TagValue[], key: string): TagValue[] => tags.filter((t) => t.key !== key);

export function evolve(state: ExperimentState, event: ExperimentEvent): ExperimentState {
  switch (event.type) {
    case 'ExperimentCreated':
      return { exists: true, ...event.data, status: 'active', tag_values: [] };
    case 'ExperimentUpdated': {
      // `data.name` is the key, not what the experiment is called now.
      const { name: _key, ...changes } = event.data;
      return state.exists ? { ...state, ...changes } : state;
    }
    case 'ExperimentArchived':
      return state.exists ? { ...state, status: 'archived' } : state;
    case 'ExperimentRestored':
      return state.exists ? { ...state, status: 'active' } : state;
    case 'ExperimentTagSet':
      return state.exists ? { ...state, tag_values: withTagValue(state.tag_values, { key: event.data.key, value: event.data.value }) } : state;
    case 'ExperimentTagDeleted':
      return state.exists ? { ...state, tag_values: withoutTagValue(state.tag_values, event.data.key) } : state;
    case 'ExperimentRenamed':
      return state.exists ? { ...state, name: event.data.new_name } : state;
  }
}

export const initialState = (): ExperimentState => ({ exists: false });

export const experimentDecider: Decider<ExperimentCommand, ExperimentEvent, ExperimentState> = {
  decide,
  evolve,
  initialState,
  // Bump when ExperimentState or evolve changes: older snapshots are then ignored.
  snapshot: { schema: 'experiment.v3' },
};
