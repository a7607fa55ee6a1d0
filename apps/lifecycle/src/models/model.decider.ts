import { ChecklistItemDefinition, ModelEvent, ModelMetric, ModelStage, RunParam } from '@mlops/events';
import { Decider, invalidInput, invalidState, notFound } from '@mlops/event-sourcing';

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
}

/** All versions of one model: the stream is the unit of numbering and of promotion. */
export interface ModelState {
  versions: ModelVersionState[];
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
      };
    };

export const MODEL_STREAM_PREFIX = 'model:';
export const modelStreamId = (modelName: string) => `${MODEL_STREAM_PREFIX}${modelName}`;

const sameTags = (a: string[], b: string[]) => a.length === b.length && a.every((tag, i) => tag === b[i]);

export const findVersion = (state: ModelState, version: number) => state.versions.find((v) => v.version === version);

/** Required checklist items still unchecked. */
export const missingRequiredItems = (checklist: ChecklistItem[]) => checklist.filter((item) => item.required && !item.checked).map((item) => item.key);

export function decide(command: ModelCommand, state: ModelState): ModelEvent[] {
  switch (command.type) {
    case 'RegisterModelVersion': {
      const { run, metrics, ...registration } = command.data;
      if (!run) throw notFound(`Run ${registration.run_id} does not exist`);
      return [
        {
          type: 'ModelVersionRegistered',
          data: { ...registration, version: state.versions.length + 1, metrics: metrics ?? run.metrics, params: run.params },
        },
      ];
    }
    case 'UpdateModelVersion': {
      const { model_name, version, actor, now, description, tags, checklist, stage } = command.data;
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
      }
      return events;
    }
  }
}

const updateVersion = (state: ModelState, version: number, change: (v: ModelVersionState) => ModelVersionState): ModelState => ({
  versions: state.versions.map((v) => (v.version === version ? change(v) : v)),
});

export function evolve(state: ModelState, event: ModelEvent): ModelState {
  switch (event.type) {
    case 'ModelVersionRegistered': {
      const { model_name: _name, checklist, ...version } = event.data;
      const items = checklist.map((item) => ({ ...item, checked: false, checked_by: null, checked_at: null }));
      return { versions: [...state.versions, { ...version, checklist: items }] };
    }
    case 'ModelVersionUpdated': {
      const { model_name: _name, version, ...changes } = event.data;
      return updateVersion(state, version, (v) => ({ ...v, ...changes }));
    }
    case 'ModelVersionChecklistUpdated':
      return updateVersion(state, event.data.version, (v) => ({ ...v, checklist: applyChecklist(v.checklist, event.data.items) }));
    case 'ModelVersionStageChanged':
      return updateVersion(state, event.data.version, (v) => ({ ...v, stage: event.data.to }));
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

export const initialState = (): ModelState => ({ versions: [] });

export const modelDecider: Decider<ModelCommand, ModelEvent, ModelState> = {
  decide,
  evolve,
  initialState,
  // Bump when ModelState or evolve changes: older snapshots are then ignored.
  snapshot: { schema: 'model.v1' },
};
