import { CloudEvent, lifecycleCatalog, ModelEvent, ModelMetric, ModelStage, RunParam, Topics } from '@mlops/events';
import { DerivedDocument, Projection, ReadModelDocument } from '@mlops/event-sourcing';
import { applyChecklist, ChecklistItem } from './model.decider';

export interface ModelVersionView {
  model_name: string;
  version: number;
  run_id: string;
  artifact_uri: string;
  description: string;
  tags: string[];
  metrics: ModelMetric[];
  params: RunParam[];
  checklist: ChecklistItem[];
  stage: ModelStage;
  stage_changed_at: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

/** One document per model stream (`_id` model:<name>, `version` = stream version = the ETag) holding every version. */
export interface ModelDocument extends ReadModelDocument {
  model_name: string;
  latest_version: number;
  versions: ModelVersionView[];
  created_at: string;
  updated_at: string;
}

/** One document per model version, for lists across models (filters model_name, stage). */
export type ModelVersionDocument = DerivedDocument & ModelVersionView & { stream_version: number };

export const MODEL_VERSIONS_COLLECTION = 'model_versions';

/** `_id` of a version document: sorts by model, then version number. */
export const modelVersionId = (modelName: string, version: number) => `${modelName}|${String(version).padStart(10, '0')}`;

const touch = (view: ModelVersionView, event: CloudEvent): ModelVersionView => ({ ...view, updated_at: event.time, updated_by: event.actor });

function evolveVersion(view: ModelVersionView | undefined, event: CloudEvent<any>): ModelVersionView {
  const e = { type: lifecycleCatalog.nameOf(event.type), data: event.data } as ModelEvent;
  switch (e.type) {
    case 'ModelVersionRegistered': {
      const { checklist, ...registered } = e.data;
      return {
        ...registered,
        checklist: checklist.map((item) => ({ ...item, checked: false, checked_by: null, checked_at: null })),
        stage_changed_at: event.time,
        created_at: event.time,
        created_by: event.actor,
        updated_at: event.time,
        updated_by: event.actor,
      };
    }
    case 'ModelVersionUpdated': {
      const { model_name: _name, version: _version, ...changes } = e.data;
      return touch({ ...view!, ...changes }, event);
    }
    case 'ModelVersionChecklistUpdated':
      return touch({ ...view!, checklist: applyChecklist(view!.checklist, e.data.items) }, event);
    case 'ModelVersionStageChanged':
      return touch({ ...view!, stage: e.data.to, stage_changed_at: event.time }, event);
  }
}

/**
 * Read model of model versions. Every version lives inline in its model's stream document — the
 * unit the ETag, the detail and compare read — and, via `derive`, as its own document in
 * `model_versions`, rewritten from the stream document whenever an event touches it, so lists can
 * filter and page across models without $unwind.
 */
export const modelsProjection: Projection<ModelDocument> = {
  name: 'models',
  topic: Topics.lifecycle,
  streamType: 'model',
  derivedCollections: [MODEL_VERSIONS_COLLECTION],
  indexes: [
    { collection: MODEL_VERSIONS_COLLECTION, key: { model_name: 1, _id: 1 }, name: 'model_name_id' },
    { collection: MODEL_VERSIONS_COLLECTION, key: { stage: 1, _id: 1 }, name: 'stage_id' },
  ],
  evolve(current, event: CloudEvent<any>) {
    const version = event.data.version as number;
    const versions = current?.versions ?? [];
    const next = evolveVersion(versions.find((v) => v.version === version), event);
    const exists = versions.some((v) => v.version === version);
    return {
      model_name: event.data.model_name,
      latest_version: Math.max(current?.latest_version ?? 0, version),
      versions: exists ? versions.map((v) => (v.version === version ? next : v)) : [...versions, next],
      created_at: current?.created_at ?? event.time,
      updated_at: event.time,
    };
  },
  derive(event: CloudEvent<any>, next: ModelDocument) {
    const view = next.versions.find((v) => v.version === event.data.version)!;
    const document: ModelVersionDocument = { _id: modelVersionId(view.model_name, view.version), ...view, stream_version: next.version };
    return [{ collection: MODEL_VERSIONS_COLLECTION, documents: [document] }];
  },
};
