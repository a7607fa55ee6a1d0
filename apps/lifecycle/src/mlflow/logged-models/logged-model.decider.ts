import { KeyValue, LoggedModelCreatedData, LoggedModelEvent, LoggedModelStatus } from '@mlops/events';
import { conflict, Decider, invalidState, notFound } from '@mlops/event-sourcing';

/** MLflow 3's LoggedModel: a model logged by a run (or alone), its files under `artifact_location`. */
export type LoggedModelCommand =
  | { type: 'CreateLoggedModel'; data: LoggedModelCreatedData }
  | { type: 'FinalizeLoggedModel'; data: { model_id: string; status: 'READY' | 'FAILED' } }
  | { type: 'SetLoggedModelTags'; data: { model_id: string; tags: KeyValue[] } }
  | { type: 'DeleteLoggedModelTag'; data: { model_id: string; key: string } }
  | { type: 'LogLoggedModelParams'; data: { model_id: string; params: KeyValue[] } }
  | { type: 'DeleteLoggedModel'; data: { model_id: string } };

export interface LoggedModelState {
  exists: boolean;
  deleted: boolean;
  status: LoggedModelStatus;
  tags: KeyValue[];
  params: KeyValue[];
}

export const loggedModelStreamId = (modelId: string) => `logged_model:${modelId}`;

/** Sets each key (the last value of a key wins). */
export const mergeKeyValues = (current: KeyValue[], updates: KeyValue[]): KeyValue[] => {
  const byKey = new Map(current.map((kv) => [kv.key, kv.value]));
  for (const { key, value } of updates) byKey.set(key, value);
  return [...byKey].map(([key, value]) => ({ key, value }));
};

function requireLive(state: LoggedModelState, modelId: string) {
  if (!state.exists || state.deleted) throw notFound(`Logged model ${modelId} does not exist`);
}

export function decide(command: LoggedModelCommand, state: LoggedModelState): LoggedModelEvent[] {
  switch (command.type) {
    case 'CreateLoggedModel':
      if (state.exists) throw conflict(`Logged model ${command.data.model_id} already exists`);
      return [{ type: 'LoggedModelCreated', data: command.data }];
    case 'FinalizeLoggedModel':
      requireLive(state, command.data.model_id);
      if (state.status === command.data.status) return [];
      if (state.status !== 'PENDING') throw invalidState(`Logged model ${command.data.model_id} is ${state.status} already`);
      return [{ type: 'LoggedModelFinalized', data: command.data }];
    case 'SetLoggedModelTags':
      requireLive(state, command.data.model_id);
      return command.data.tags.length ? [{ type: 'LoggedModelTagsSet', data: command.data }] : [];
    case 'DeleteLoggedModelTag':
      requireLive(state, command.data.model_id);
      if (!state.tags.some((t) => t.key === command.data.key)) throw notFound(`Logged model ${command.data.model_id} has no tag ${command.data.key}`);
      return [{ type: 'LoggedModelTagDeleted', data: command.data }];
    case 'LogLoggedModelParams':
      requireLive(state, command.data.model_id);
      return command.data.params.length ? [{ type: 'LoggedModelParamsLogged', data: command.data }] : [];
    case 'DeleteLoggedModel':
      requireLive(state, command.data.model_id);
      return [{ type: 'LoggedModelDeleted', data: command.data }];
  }
}

export function evolve(state: LoggedModelState, event: LoggedModelEvent): LoggedModelState {
  switch (event.type) {
    case 'LoggedModelCreated':
      return { ...state, exists: true, tags: event.data.tags, params: event.data.params };
    case 'LoggedModelFinalized':
      return { ...state, status: event.data.status };
    case 'LoggedModelTagsSet':
      return { ...state, tags: mergeKeyValues(state.tags, event.data.tags) };
    case 'LoggedModelTagDeleted':
      return { ...state, tags: state.tags.filter((t) => t.key !== event.data.key) };
    case 'LoggedModelParamsLogged':
      return { ...state, params: mergeKeyValues(state.params, event.data.params) };
    case 'LoggedModelDeleted':
      return { ...state, deleted: true };
  }
}

export const loggedModelDecider: Decider<LoggedModelCommand, LoggedModelEvent, LoggedModelState> = {
  decide,
  evolve,
  initialState: () => ({ exists: false, deleted: false, status: 'PENDING', tags: [], params: [] }),
  snapshot: { schema: 'logged_model.v1' },
};
