import { ChecklistItemDefinition, KeyValue, ModelEvent, ModelMetric, ModelStage, RunParam } from '@mlops/events';
import { conflict, Decider, invalidInput, invalidState, notFound } from '@mlops/event-sourcing';

export const STAGES: ModelStage[] = ['none', 'staging', 'production', 'archived'];

/** none → staging → production → archived, and archived → staging; a version never returns to none. */
export const STAGE_TRANSITIONS: Record<ModelStage, ModelStage[]> = {
  none: ['staging', 'archived'],
  staging: ['production', 'archived'],
  production: ['archived'],
  archived: ['staging'],
};

export interface ChecklistItem extends ChecklistItemDefinition {
  checked: boolean;
  checked_by: string | null;
  checked_at: string | null;
}

export interface ModelVersionState {
  version: number;
  run_id: string;
  artifact_uri: string;
  description: string;
  tags: string[];
  metrics: ModelMetric[];
  params: RunParam[];
  checklist: ChecklistItem[];
  stage: ModelStage;
  /** Key/value properties (MLflow's model version tags). */
  properties: KeyValue[];
}

/** All versions of one model: the stream is the unit of numbering and of promotion. */
export interface ModelState {
  /** Created (explicitly or by its first version) and not deleted. */
  exists: boolean;
  /** What it is called now when renamed; its key (the stream's) otherwise. */
  renamed_to?: string;
  description: string;
  /** Key/value properties (MLflow's registered model tags). */
  properties: KeyValue[];
  /** Named pointers at versions (MLflow's aliases): one version per alias. */
  aliases: { alias: string; version: number }[];
  /** Live versions; deleted ones are gone, their numbers kept by `last_version`. */
  versions: ModelVersionState[];
  /** Highest number ever given: numbers are never reused, even after a delete. */
  last_version: number;
}

export type ModelCommand =
  | {
      type: 'RegisterModelVersion';
      data: {
        model_name: string;
        run_id: string;
        /** The source run as the write side knows it: null when it does not exist. */
        run: { params: RunParam[]; metrics: ModelMetric[] } | null;
        artifact_uri: string;
        description: string;
        tags: string[];
        /** Given metrics replace the run's latest ones. */
        metrics?: ModelMetric[];
        checklist: ChecklistItemDefinition[];
        stage: 'none' | 'staging';
        /** The Feature Store dataset it was trained on. */
        reference_dataset?: string;
      };
    }
  | {
      type: 'UpdateModelVersion';
      data: {
        model_name: string;
        version: number;
        actor: string;
        now: string;
        description?: string;
        tags?: string[];
        checklist?: { key: string; checked: boolean }[];
        stage?: ModelStage;
        /** Moving to staging also archives the other staging versions (production always archives the previous one). */
        archive_existing?: boolean;
      };
    }
  | { type: 'UpdateRegisteredModel'; data: { model_name: string; description: string } }
  | { type: 'SetRegisteredModelProperty'; data: { model_name: string; key: string; value: string } }
  | { type: 'DeleteRegisteredModelProperty'; data: { model_name: string; key: string } }
  | { type: 'DeleteRegisteredModel'; data: { model_name: string } }
  | { type: 'SetModelVersionProperty'; data: { model_name: string; version: number; key: string; value: string } }
  | { type: 'DeleteModelVersionProperty'; data: { model_name: string; version: number; key: string } }
  | { type: 'DeleteModelVersion'; data: { model_name: string; version: number } }
  | { type: 'SetModelVersionAlias'; data: { model_name: string; alias: string; version: number } }
  | { type: 'DeleteModelVersionAlias'; data: { model_name: string; alias: string } }
  /** `model_name` is the model's key; whether `new_name` is free was decided by its name claim (experiments/name-claims.ts). */
  | { type: 'RenameRegisteredModel'; data: { model_name: string; new_name: string } }
  /**
   * `model_name` is the new model's key; `called`, when it differs, what it is called: a fresh key
   * (a model renamed away from the name keeps the name as its key) is created and renamed at once.
   */
  | { type: 'CreateRegisteredModel'; data: { model_name: string; description: string; properties: KeyValue[]; called?: string } };

export const MODEL_STREAM_PREFIX = 'model:';
/**
 * A model's stream is keyed by the name it was created with — or by a fresh key when a model renamed
 * away from that name still has it; a rename keeps the key (deployments and drift refer to it).
 */
export const modelStreamId = (modelName: string) => `${MODEL_STREAM_PREFIX}${modelName}`;
/** The key of a model's read-model document (its `model_name` is what it is called now). */
export const modelKeyOf = (doc: { _id: string }) => doc._id.slice(MODEL_STREAM_PREFIX.length);

const sameTags = (a: string[], b: string[]) => a.length === b.length && a.every((tag, i) => tag === b[i]);

/** What the model with this key is called now. */
export const modelCalled = (state: ModelState, key: string) => state.renamed_to ?? key;

export const findVersion = (state: ModelState, version: number) => state.versions.find((v) => v.version === version);

/** Required checklist items still unchecked. */
export const missingRequiredItems = (checklist: ChecklistItem[]) => checklist.filter((item) => item.required && !item.checked).map((item) => item.key);

/** MLflow reserves `latest` and `v<number>` (they address versions by position and number). */
const RESERVED_ALIAS = /^(latest|v\d+)$/i;

const requireModel = (state: ModelState, modelName: string) => {
  if (!state.exists) throw notFound(`Registered model ${modelName} does not exist`);
};
const requireVersion = (state: ModelState, modelName: string, version: number) => {
  const current = findVersion(state, version);
  if (!current) throw notFound(`Model ${modelName} has no version ${version}`);
  return current;
};

export function decide(command: ModelCommand, state: ModelState): ModelEvent[] {
  switch (command.type) {
    case 'RegisterModelVersion': {
      const { run, metrics, ...registration } = command.data;
      if (!run) throw notFound(`Run ${registration.run_id} does not exist`);
      return [
        {
          type: 'ModelVersionRegistered',
          data: { ...registration, version: state.last_version + 1, metrics: metrics ?? run.metrics, params: run.params },
        },
      ];
    }
    case 'CreateRegisteredModel': {
      const { called, ...created } = command.data;
      if (state.exists) throw conflict(`Registered model ${called ?? created.model_name} already exists`);
      const events: ModelEvent[] = [{ type: 'RegisteredModelCreated', data: created }];
      if (called !== undefined && called !== created.model_name) {
        events.push({ type: 'RegisteredModelRenamed', data: { model_name: created.model_name, new_name: called, previous_name: created.model_name } });
      }
      return events;
    }
    case 'UpdateRegisteredModel':
      requireModel(state, command.data.model_name);
      return command.data.description === state.description ? [] : [{ type: 'RegisteredModelUpdated', data: command.data }];
    case 'SetRegisteredModelProperty': {
      requireModel(state, command.data.model_name);
      const same = state.properties.some((p) => p.key === command.data.key && p.value === command.data.value);
      return same ? [] : [{ type: 'RegisteredModelPropertySet', data: command.data }];
    }
    case 'DeleteRegisteredModelProperty':
      requireModel(state, command.data.model_name);
      if (!state.properties.some((p) => p.key === command.data.key)) throw notFound(`Registered model ${command.data.model_name} has no tag ${command.data.key}`);
      return [{ type: 'RegisteredModelPropertyDeleted', data: command.data }];
    case 'DeleteRegisteredModel':
      requireModel(state, command.data.model_name);
      return [{ type: 'RegisteredModelDeleted', data: command.data }];
    case 'RenameRegisteredModel': {
      const { model_name, new_name } = command.data;
      requireModel(state, model_name);
      const current = modelCalled(state, model_name);
      if (new_name === current) return [];
      return [{ type: 'RegisteredModelRenamed', data: { model_name, new_name, previous_name: current } }];
    }
    case 'SetModelVersionProperty': {
      const current = requireVersion(state, command.data.model_name, command.data.version);
      const same = current.properties.some((p) => p.key === command.data.key && p.value === command.data.value);
      return same ? [] : [{ type: 'ModelVersionPropertySet', data: command.data }];
    }
    case 'DeleteModelVersionProperty': {
      const { model_name, version, key } = command.data;
      const current = requireVersion(state, model_name, version);
      if (!current.properties.some((p) => p.key === key)) throw notFound(`Version ${version} of ${model_name} has no tag ${key}`);
      return [{ type: 'ModelVersionPropertyDeleted', data: command.data }];
    }
    case 'DeleteModelVersion': {
      const { model_name, version } = command.data;
      requireVersion(state, model_name, version);
      // Its aliases go first, so no alias ever points at a missing version.
      const aliases: ModelEvent[] = state.aliases
        .filter((a) => a.version === version)
        .map((a) => ({ type: 'ModelVersionAliasDeleted', data: { model_name, alias: a.alias, version } }));
      return [...aliases, { type: 'ModelVersionDeleted', data: { model_name, version } }];
    }
    case 'SetModelVersionAlias': {
      const { model_name, alias, version } = command.data;
      if (RESERVED_ALIAS.test(alias)) throw invalidInput(`Alias ${alias} is reserved`, [{ field: 'alias', message: 'latest and v<number> are reserved' }]);
      requireVersion(state, model_name, version);
      const previous = state.aliases.find((a) => a.alias === alias);
      if (previous?.version === version) return [];
      return [{ type: 'ModelVersionAliasSet', data: { model_name, alias, version, ...(previous ? { previous_version: previous.version } : {}) } }];
    }
    case 'DeleteModelVersionAlias': {
      const { model_name, alias } = command.data;
      requireModel(state, model_name);
      const current = state.aliases.find((a) => a.alias === alias);
      if (!current) throw notFound(`Registered model ${model_name} has no alias ${alias}`);
      return [{ type: 'ModelVersionAliasDeleted', data: { model_name, alias, version: current.version } }];
    }
    case 'UpdateModelVersion': {
      const { model_name, version, actor, now, description, tags, checklist, stage, archive_existing } = command.data;
      const current = findVersion(state, version);
      if (!current) throw notFound(`Model ${model_name} has no version ${version}`);
      const known = new Set(current.checklist.map((item) => item.key));
      const unknown = (checklist ?? []).filter((item) => !known.has(item.key)).map((item) => item.key);
      if (unknown.length) {
        throw invalidInput(
          `Not on the checklist of ${model_name} version ${version}: ${unknown.join(', ')}`,
          unknown.map((key) => ({ field: 'checklist', message: `unknown item ${key}` })),
        );
      }

      const events: ModelEvent[] = [];
      const changes: { description?: string; tags?: string[] } = {};
      if (description !== undefined && description !== current.description) changes.description = description;
      if (tags !== undefined && !sameTags(tags, current.tags)) changes.tags = tags;
      if (Object.keys(changes).length) events.push({ type: 'ModelVersionUpdated', data: { model_name, version, ...changes } });

      const checkedNow = new Map(current.checklist.map((item) => [item.key, item.checked]));
      const items = (checklist ?? [])
        .filter((item) => checkedNow.get(item.key) !== item.checked)
        .map((item) => {
          checkedNow.set(item.key, item.checked);
          return { key: item.key, checked: item.checked, by: actor, at: now };
        });
      if (items.length) events.push({ type: 'ModelVersionChecklistUpdated', data: { model_name, version, items } });

      if (stage !== undefined && stage !== current.stage) {
        if (!STAGE_TRANSITIONS[current.stage].includes(stage)) {
          throw invalidState(`Version ${version} of ${model_name} is ${current.stage}; it cannot move to ${stage}`);
        }
        if (stage === 'production') {
          const missing = current.checklist.filter((item) => item.required && !checkedNow.get(item.key)).map((item) => item.key);
          if (missing.length) {
            throw invalidState(
              `Required checklist items unchecked: ${missing.join(', ')}`,
              missing.map((key) => ({ field: 'checklist', message: `${key} is required before production` })),
            );
          }
        }
        events.push({ type: 'ModelVersionStageChanged', data: { model_name, version, from: current.stage, to: stage } });
        const previous = stage === 'production' ? state.versions.find((v) => v.stage === 'production') : undefined;
        if (previous) {
          events.push({
            type: 'ModelVersionStageChanged',
            data: { model_name, version: previous.version, from: 'production', to: 'archived', superseded_by: version },
          });
        }
        if (stage === 'staging' && archive_existing) {
          for (const other of state.versions.filter((v) => v.stage === 'staging' && v.version !== version)) {
            events.push({ type: 'ModelVersionStageChanged', data: { model_name, version: other.version, from: 'staging', to: 'archived', superseded_by: version } });
          }
        }
      }
      return events;
    }
  }
}

const updateVersion = (state: ModelState, version: number, change: (v: ModelVersionState) => ModelVersionState): ModelState => ({
  ...state,
  versions: state.versions.map((v) => (v.version === version ? change(v) : v)),
});

/** Sets `key` (replacing its value) or, with `value` undefined, removes it; shared with the read model. */
export function applyProperty(properties: KeyValue[], key: string, value?: string): KeyValue[] {
  const others = properties.filter((p) => p.key !== key);
  return value === undefined ? others : [...others, { key, value }];
}

export function evolve(state: ModelState, event: ModelEvent): ModelState {
  switch (event.type) {
    case 'ModelVersionRegistered': {
      const { model_name: _name, checklist, ...version } = event.data;
      const items = checklist.map((item) => ({ ...item, checked: false, checked_by: null, checked_at: null }));
      return { ...state, exists: true, last_version: version.version, versions: [...state.versions, { ...version, checklist: items, properties: [] }] };
    }
    case 'ModelVersionUpdated': {
      const { model_name: _name, version, ...changes } = event.data;
      return updateVersion(state, version, (v) => ({ ...v, ...changes }));
    }
    case 'ModelVersionChecklistUpdated':
      return updateVersion(state, event.data.version, (v) => ({ ...v, checklist: applyChecklist(v.checklist, event.data.items) }));
    case 'ModelVersionStageChanged':
      return updateVersion(state, event.data.version, (v) => ({ ...v, stage: event.data.to }));
    case 'RegisteredModelCreated': {
      // A model created again on its stream (after a delete) is called by its key until renamed.
      const { renamed_to: _renamed, ...rest } = state;
      return { ...rest, exists: true, description: event.data.description, properties: event.data.properties };
    }
    case 'RegisteredModelUpdated':
      return { ...state, description: event.data.description };
    case 'RegisteredModelPropertySet':
      return { ...state, properties: applyProperty(state.properties, event.data.key, event.data.value) };
    case 'RegisteredModelPropertyDeleted':
      return { ...state, properties: applyProperty(state.properties, event.data.key) };
    case 'RegisteredModelDeleted':
      // The name can be created again; version numbers carry on.
      return { ...initialState(), last_version: state.last_version };
    case 'RegisteredModelRenamed':
      return { ...state, renamed_to: event.data.new_name };
    case 'ModelVersionPropertySet':
      return updateVersion(state, event.data.version, (v) => ({ ...v, properties: applyProperty(v.properties, event.data.key, event.data.value) }));
    case 'ModelVersionPropertyDeleted':
      return updateVersion(state, event.data.version, (v) => ({ ...v, properties: applyProperty(v.properties, event.data.key) }));
    case 'ModelVersionDeleted':
      return { ...state, versions: state.versions.filter((v) => v.version !== event.data.version) };
    case 'ModelVersionAliasSet':
      return { ...state, aliases: [...state.aliases.filter((a) => a.alias !== event.data.alias), { alias: event.data.alias, version: event.data.version }] };
    case 'ModelVersionAliasDeleted':
      return { ...state, aliases: state.aliases.filter((a) => a.alias !== event.data.alias) };
  }
}

/** Shared by the decider and the read model: who checked an item and when; unchecking clears both. */
export function applyChecklist<Item extends ChecklistItem>(checklist: Item[], changes: { key: string; checked: boolean; by: string; at: string }[]): Item[] {
  const byKey = new Map(changes.map((change) => [change.key, change]));
  return checklist.map((item) => {
    const change = byKey.get(item.key);
    if (!change) return item;
    return { ...item, checked: change.checked, checked_by: change.checked ? change.by : null, checked_at: change.checked ? change.at : null };
  });
}

export const initialState = (): ModelState => ({ exists: false, description: '', properties: [], aliases: [], versions: [], last_version: 0 });

export const modelDecider: Decider<ModelCommand, ModelEvent, ModelState> = {
  decide,
  evolve,
  initialState,
  // Bump when ModelState or evolve changes: older snapshots are then ignored.
  snapshot: { schema: 'model.v4' },
};
