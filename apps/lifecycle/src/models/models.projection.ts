import type { Collection } from 'mongodb';
import { CloudEvent, KeyValue, lifecycleCatalog, ModelEvent, ModelMetric, ModelStage, RunParam, Topics } from '@mlops/events';
import { DerivedDocument, derivedSchema, Projection, ReadModelDocument, readModelSchema } from '@mlops/event-sourcing';
import { applyChecklist, applyProperty, ChecklistItem, modelKeyOf } from './model.decider';

export interface ModelVersionView {
  model_name: string;
  version: number;
  run_id: string;
  artifact_uri: string;
  /** The Feature Store dataset it was trained on; absent when not named. */
  reference_dataset?: string;
  description: string;
  tags: string[];
  metrics: ModelMetric[];
  params: RunParam[];
  checklist: ChecklistItem[];
  stage: ModelStage;
  /** Key/value properties (MLflow's model version tags). */
  properties: KeyValue[];
  /** Aliases pointing at this version. */
  aliases: string[];
  stage_changed_at: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

/** One document per model stream (`_id` model:<name>, `version` = stream version = the ETag) holding every version. */
export interface ModelDocument extends ReadModelDocument {
  /** What it is called now; its key (`_id`, what deployments refer to) is the name it was created with. */
  model_name: string;
  latest_version: number;
  versions: ModelVersionView[];
  /** Created and not deleted (a model whose versions came through our REST API exists too). */
  exists: boolean;
  description: string;
  properties: KeyValue[];
  aliases: { alias: string; version: number }[];
  /** Numbers of the versions deleted from `versions` (their list documents are tombstones). */
  deleted_versions: number[];
  created_at: string;
  updated_at: string;
}

/** One document per model version, for lists across models (filters model_name, stage). */
export type ModelVersionDocument = DerivedDocument & ModelVersionView & { stream_version: number; deleted?: false };

/** What is left in `model_versions` of a deleted version: lists skip it (`deleted: true`). */
export interface ModelVersionTombstone extends DerivedDocument {
  model_name: string;
  version: number;
  stream_version: number;
  deleted: true;
}

export const MODEL_VERSIONS_COLLECTION = 'model_versions';

const MODEL_STAGES: ModelStage[] = ['none', 'staging', 'production', 'archived'];

export const modelsSchema = readModelSchema('models', {
  model_name: String,
  latest_version: Number,
  versions: [Object],
  exists: Boolean,
  description: String,
  properties: [Object],
  aliases: [Object],
  deleted_versions: [Number],
  created_at: String,
  updated_at: String,
});
// Look-ups by what a model is called now (a renamed one is no longer at its key's name).
modelsSchema.index({ model_name: 1 }, { name: 'model_name' });

/** A version's list document, or a deleted version's tombstone (`model_name`, `version`, `stream_version`, `deleted`). */
export const modelVersionsSchema = derivedSchema(MODEL_VERSIONS_COLLECTION, {
  model_name: String,
  version: Number,
  run_id: String,
  artifact_uri: String,
  reference_dataset: String,
  description: String,
  tags: [String],
  metrics: [Object],
  params: [Object],
  checklist: [Object],
  stage: { type: String, enum: MODEL_STAGES },
  properties: [Object],
  aliases: [String],
  stage_changed_at: String,
  created_at: String,
  created_by: String,
  updated_at: String,
  updated_by: String,
  stream_version: Number,
  deleted: Boolean,
});
// The list filters, each with `_id` for the keyset page (findPage).
modelVersionsSchema.index({ model_name: 1, _id: 1 }, { name: 'model_name_id' });
modelVersionsSchema.index({ stage: 1, _id: 1 }, { name: 'stage_id' });
// The versions a drift against a reference dataset reaches (the drift reactor).
modelVersionsSchema.index({ reference_dataset: 1, _id: 1 }, { name: 'reference_dataset_id' });

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
        properties: [],
        aliases: [],
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
    case 'ModelVersionPropertySet':
      return touch({ ...view!, properties: applyProperty(view!.properties ?? [], e.data.key, e.data.value) }, event);
    case 'ModelVersionPropertyDeleted':
      return touch({ ...view!, properties: applyProperty(view!.properties ?? [], e.data.key) }, event);
    default:
      return view!;
  }
}

type ModelFields = Omit<ModelDocument, '_id' | 'version'>;

const emptyModel = (name: string, time: string): ModelFields => ({
  model_name: name,
  latest_version: 0,
  versions: [],
  exists: false,
  description: '',
  properties: [],
  aliases: [],
  deleted_versions: [],
  created_at: time,
  updated_at: time,
});

/** Aliases are kept on the model (one version each) and copied onto the versions they point at. */
const withAliases = (model: ModelFields, aliases: ModelFields['aliases']): ModelFields => ({
  ...model,
  aliases,
  versions: model.versions.map((v) => ({ ...v, aliases: aliases.filter((a) => a.version === v.version).map((a) => a.alias) })),
});

/** Events about the registered model itself, not one of its versions. */
function evolveModel(model: ModelFields, event: CloudEvent<any>): ModelFields | null {
  const e = { type: lifecycleCatalog.nameOf(event.type), data: event.data } as ModelEvent;
  switch (e.type) {
    case 'RegisteredModelCreated':
      return { ...emptyModel(e.data.model_name, event.time), latest_version: model.latest_version, deleted_versions: model.deleted_versions, exists: true, description: e.data.description, properties: e.data.properties };
    case 'RegisteredModelUpdated':
      return { ...model, description: e.data.description };
    case 'RegisteredModelPropertySet':
      return { ...model, properties: applyProperty(model.properties, e.data.key, e.data.value) };
    case 'RegisteredModelPropertyDeleted':
      return { ...model, properties: applyProperty(model.properties, e.data.key) };
    case 'RegisteredModelRenamed':
      return { ...model, model_name: e.data.new_name, versions: model.versions.map((v) => ({ ...v, model_name: e.data.new_name })) };
    case 'RegisteredModelDeleted':
      return { ...emptyModel(model.model_name, event.time), latest_version: model.latest_version, deleted_versions: [...model.deleted_versions, ...model.versions.map((v) => v.version)] };
    case 'ModelVersionDeleted':
      return { ...model, versions: model.versions.filter((v) => v.version !== e.data.version), deleted_versions: [...model.deleted_versions, e.data.version] };
    case 'ModelVersionAliasSet':
      return withAliases(model, [...model.aliases.filter((a) => a.alias !== e.data.alias), { alias: e.data.alias, version: e.data.version }]);
    case 'ModelVersionAliasDeleted':
      return withAliases(model, model.aliases.filter((a) => a.alias !== e.data.alias));
    default:
      return null;
  }
}

/** Versions whose list documents an event changes. */
function touchedVersions(event: CloudEvent<any>, next: ModelDocument): number[] {
  switch (lifecycleCatalog.nameOf(event.type)) {
    case 'RegisteredModelCreated':
    case 'RegisteredModelUpdated':
    case 'RegisteredModelPropertySet':
    case 'RegisteredModelPropertyDeleted':
      return [];
    case 'RegisteredModelDeleted':
      return next.deleted_versions;
    case 'RegisteredModelRenamed':
      return next.versions.map((v) => v.version);
    case 'ModelVersionAliasSet':
      return [event.data.version, ...(event.data.previous_version ? [event.data.previous_version] : [])];
    default:
      return [event.data.version];
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
  schema: modelsSchema,
  derivedSchemas: { [MODEL_VERSIONS_COLLECTION]: modelVersionsSchema },
  evolve(current, event: CloudEvent<any>) {
    // Documents written before the registry fields existed read as a model that exists.
    const model: ModelFields = current
      ? { ...emptyModel(current.model_name, current.created_at), ...current, exists: current.exists ?? true }
      : emptyModel(event.data.model_name, event.time);
    const changed = evolveModel(model, event);
    if (changed) return { ...changed, updated_at: event.time };
    const version = event.data.version as number;
    // A version's events name the model by its key; the view shows what the model is called now.
    const next = { ...evolveVersion(model.versions.find((v) => v.version === version), event), model_name: model.model_name };
    const known = model.versions.some((v) => v.version === version);
    return {
      ...model,
      exists: true,
      latest_version: Math.max(model.latest_version, version),
      versions: known ? model.versions.map((v) => (v.version === version ? next : v)) : [...model.versions, next],
      updated_at: event.time,
    };
  },
  derive(event: CloudEvent<any>, next: ModelDocument) {
    const documents = touchedVersions(event, next).map((number): ModelVersionDocument | ModelVersionTombstone => {
      const view = next.versions.find((v) => v.version === number);
      // Keyed by the model's key, so a renamed model's version documents are rewritten, never duplicated.
      const _id = modelVersionId(modelKeyOf(next), number);
      return view
        ? { _id, ...view, stream_version: next.version }
        : { _id, model_name: next.model_name, version: number, stream_version: next.version, deleted: true };
    });
    return documents.length ? [{ collection: MODEL_VERSIONS_COLLECTION, documents }] : [];
  },
};

/**
 * The live model called `name` now: a renamed one under its new name, never under its key's; a
 * deleted one's document (kept for its version numbers) does not count.
 */
export const findModelByName = (readModel: Collection<ModelDocument>, name: string) => readModel.findOne({ model_name: name, exists: { $ne: false } });
