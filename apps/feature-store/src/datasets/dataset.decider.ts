import { DatasetColumn, DatasetEvent, DatasetProfileData, DatasetRegisteredData } from '@mlops/events';
import { conflict, Decider, notFound } from '@mlops/event-sourcing';
import { diffSchema, isUnchanged } from './schema-diff';

export type DatasetCommand =
  | { type: 'RegisterDataset'; data: DatasetRegisteredData }
  | { type: 'RefreshDataset'; data: { id: string; measured: DatasetProfileData } };

export type DatasetState =
  | { exists: false }
  | {
      exists: true;
      id: string;
      source_type: DatasetRegisteredData['source_type'];
      path: string;
      table_name: string | null;
      schema: DatasetColumn[];
    };

export const DATASET_STREAM_PREFIX = 'dataset:';
export const datasetStreamId = (id: string) => `${DATASET_STREAM_PREFIX}${id}`;

export function decide(command: DatasetCommand, state: DatasetState): DatasetEvent[] {
  switch (command.type) {
    case 'RegisterDataset':
      if (state.exists) throw conflict(`Dataset ${command.data.id} already exists`);
      return [{ type: 'DatasetRegistered', data: command.data }];
    case 'RefreshDataset': {
      const { id, measured } = command.data;
      if (!state.exists) throw notFound(`Dataset ${id} does not exist`);
      const diff = diffSchema(state.schema, measured.schema);
      const events: DatasetEvent[] = [];
      if (!isUnchanged(diff)) events.push({ type: 'DatasetSchemaChanged', data: { id, ...diff, schema: measured.schema } });
      events.push({ type: 'DatasetProfiled', data: { id, ...measured } });
      return events;
    }
  }
}

export function evolve(state: DatasetState, event: DatasetEvent): DatasetState {
  switch (event.type) {
    case 'DatasetRegistered': {
      const { id, source_type, path, table_name, schema } = event.data;
      return { exists: true, id, source_type, path, table_name, schema };
    }
    case 'DatasetSchemaChanged':
      return state.exists ? { ...state, schema: event.data.schema } : state;
    case 'DatasetProfiled':
      return state.exists ? { ...state, schema: event.data.schema } : state;
  }
}

export const initialState = (): DatasetState => ({ exists: false });

export const datasetDecider: Decider<DatasetCommand, DatasetEvent, DatasetState> = {
  decide,
  evolve,
  initialState,
  // Bump when DatasetState or evolve changes: older snapshots are then ignored.
  snapshot: { schema: 'dataset.v1' },
};
