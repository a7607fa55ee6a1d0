import { DatasetColumn, FeatureDefinition, FeatureEvent, FeatureSchema, FeatureSource, FeatureValueType } from '@mlops/events';
import { conflict, Decider, invalidInput, invalidState, notFound } from '@mlops/event-sourcing';
import { compatibility, definitionErrors, sameDefinition, sourceErrors } from './feature-definition';

export type FeatureStatus = 'active' | 'deprecated';
export const FEATURE_STATUSES: FeatureStatus[] = ['active', 'deprecated'];

/** The source dataset as the write side knows it: its current columns, or null when it is not registered. */
type SourceDataset = { dataset_schema: DatasetColumn[] | null };

export type FeatureCommand =
  | {
      type: 'CreateFeature';
      data: FeatureDefinition &
        SourceDataset & { name: string; description: string; entity: string; owner: string; tags: string[]; changelog: string };
    }
  | {
      type: 'UpdateFeature';
      data: { name: string; description?: string; owner?: string; tags?: string[]; status?: FeatureStatus; reason?: string };
    }
  | { type: 'DeprecateFeature'; data: { name: string; reason: string } }
  | {
      type: 'CreateFeatureVersion';
      data: SourceDataset & { name: string; value_type?: FeatureValueType; schema?: FeatureSchema; source?: FeatureSource; changelog: string };
    };

export type FeatureState =
  | { exists: false }
  | {
      exists: true;
      name: string;
      description: string;
      owner: string;
      tags: string[];
      status: FeatureStatus;
      version: number;
      definition: FeatureDefinition;
    };

export const FEATURE_STREAM_PREFIX = 'feature:';
export const featureStreamId = (name: string) => `${FEATURE_STREAM_PREFIX}${name}`;

const sameTags = (a: string[], b: string[]) => a.length === b.length && a.every((tag, i) => tag === b[i]);

function checkDefinition(definition: FeatureDefinition, datasetSchema: DatasetColumn[] | null): void {
  const invalid = definitionErrors(definition);
  if (invalid.length) throw invalidInput(invalid.map((e) => e.message).join('; '), invalid);
  const unusable = sourceErrors(definition, datasetSchema);
  if (unusable.length) throw invalidState(unusable.map((e) => e.message).join('; '), unusable);
}

function deprecate(state: Extract<FeatureState, { exists: true }>, reason: string): FeatureEvent[] {
  return state.status === 'deprecated' ? [] : [{ type: 'FeatureDeprecated', data: { name: state.name, reason } }];
}

export function decide(command: FeatureCommand, state: FeatureState): FeatureEvent[] {
  switch (command.type) {
    case 'CreateFeature': {
      const { dataset_schema, ...feature } = command.data;
      if (state.exists) throw conflict(`Feature ${feature.name} already exists`);
      checkDefinition(feature, dataset_schema);
      return [{ type: 'FeatureCreated', data: { ...feature, version: 1 } }];
    }
    case 'UpdateFeature': {
      const { name, description, owner, tags, status, reason } = command.data;
      if (!state.exists) throw notFound(`Feature ${name} does not exist`);
      const changes: { description?: string; owner?: string; tags?: string[] } = {};
      if (description !== undefined && description !== state.description) changes.description = description;
      if (owner !== undefined && owner !== state.owner) changes.owner = owner;
      if (tags !== undefined && !sameTags(tags, state.tags)) changes.tags = tags;
      const events: FeatureEvent[] = Object.keys(changes).length ? [{ type: 'FeatureUpdated', data: { name, ...changes } }] : [];
      if (status === 'deprecated') events.push(...deprecate(state, reason ?? ''));
      if (status === 'active' && state.status === 'deprecated') events.push({ type: 'FeatureRestored', data: { name } });
      return events;
    }
    case 'DeprecateFeature': {
      if (!state.exists) throw notFound(`Feature ${command.data.name} does not exist`);
      return deprecate(state, command.data.reason);
    }
    case 'CreateFeatureVersion': {
      const { name, dataset_schema, changelog, ...changes } = command.data;
      if (!state.exists) throw notFound(`Feature ${name} does not exist`);
      if (state.status === 'deprecated') throw invalidState(`Feature ${name} is deprecated; it takes no new versions`);
      const previous = state.definition;
      const next: FeatureDefinition = {
        value_type: changes.value_type ?? previous.value_type,
        schema: changes.schema ?? previous.schema,
        source: changes.source ?? previous.source,
      };
      if (sameDefinition(previous, next)) {
        throw invalidState(`The definition of ${name} is unchanged from version ${state.version}; a new version needs a new type, schema or source`);
      }
      checkDefinition(next, dataset_schema);
      return [{ type: 'FeatureVersionCreated', data: { name, version: state.version + 1, ...next, changelog, ...compatibility(previous, next) } }];
    }
  }
}

export function evolve(state: FeatureState, event: FeatureEvent): FeatureState {
  switch (event.type) {
    case 'FeatureCreated': {
      const { name, description, owner, tags, value_type, schema, source } = event.data;
      return { exists: true, name, description, owner, tags, status: 'active', version: 1, definition: { value_type, schema, source } };
    }
    case 'FeatureUpdated': {
      const { name: _name, ...changes } = event.data;
      return state.exists ? { ...state, ...changes } : state;
    }
    case 'FeatureDeprecated':
      return state.exists ? { ...state, status: 'deprecated' } : state;
    case 'FeatureRestored':
      return state.exists ? { ...state, status: 'active' } : state;
    case 'FeatureVersionCreated': {
      const { value_type, schema, source, version } = event.data;
      return state.exists ? { ...state, version, definition: { value_type, schema, source } } : state;
    }
  }
}

export const initialState = (): FeatureState => ({ exists: false });

export const featureDecider: Decider<FeatureCommand, FeatureEvent, FeatureState> = {
  decide,
  evolve,
  initialState,
  // Bump when FeatureState or evolve changes: older snapshots are then ignored.
  snapshot: { schema: 'feature.v1' },
};
