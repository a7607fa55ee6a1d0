import { ModelStage } from '@mlops/events';
import type { ModelDocument, ModelVersionView } from '../../models/models.projection';
import { mlflowInvalid } from '../mlflow-errors';
import { toEpochMs } from '../mlflow-http';
import { SearchVocabulary, StoredAttribute, storedAs } from '../tracking/search-filter';

/** Our model names (the events' schemas). */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function checkModelName(name: string): string {
  if (!MODEL_NAME.test(name)) {
    throw mlflowInvalid(`Invalid registered model name ${JSON.stringify(name)}: start with a letter or digit, then letters, digits, '.', '_' or '-' (at most 128)`);
  }
  return name;
}

/** MLflow's stages and ours (`None` is our `none`); MLflow matches stage names case-insensitively. */
const TO_MLFLOW_STAGE: Record<ModelStage, string> = { none: 'None', staging: 'Staging', production: 'Production', archived: 'Archived' };
export const toMlflowStage = (stage: ModelStage) => TO_MLFLOW_STAGE[stage];
export function fromMlflowStage(stage: string): ModelStage {
  const ours = (Object.keys(TO_MLFLOW_STAGE) as ModelStage[]).find((s) => s === stage.toLowerCase());
  if (!ours) throw mlflowInvalid(`Invalid Model Version stage: ${stage}. Value must be one of None, Staging, Production, Archived.`);
  return ours;
}

/** A version number as MLflow sends it: a string (or number) of digits. */
export function versionNumber(raw: string | number): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw mlflowInvalid(`Invalid model version ${JSON.stringify(raw)}: a positive integer`);
  return n;
}

/** A model version in MLflow's shape: every version is READY (registration stores no files). */
export function presentModelVersion(view: ModelVersionView) {
  return {
    name: view.model_name,
    version: String(view.version),
    creation_timestamp: toEpochMs(view.created_at),
    last_updated_timestamp: toEpochMs(view.updated_at),
    user_id: view.created_by,
    current_stage: toMlflowStage(view.stage),
    description: view.description,
    source: view.artifact_uri,
    run_id: view.run_id,
    status: 'READY',
    tags: view.properties ?? [],
    aliases: view.aliases ?? [],
  };
}

/** The highest version in each stage (all stages when none is asked for), as MLflow's latest_versions. */
export function latestVersions(versions: ModelVersionView[], stages: string[] = []): ModelVersionView[] {
  const wanted = stages.length ? new Set(stages.map(fromMlflowStage)) : null;
  const latest = new Map<ModelStage, ModelVersionView>();
  for (const v of versions) {
    if (wanted && !wanted.has(v.stage)) continue;
    const current = latest.get(v.stage);
    if (!current || v.version > current.version) latest.set(v.stage, v);
  }
  return [...latest.values()].sort((a, b) => a.version - b.version);
}

export function presentRegisteredModel(doc: ModelDocument) {
  return {
    name: doc.model_name,
    creation_timestamp: toEpochMs(doc.created_at),
    last_updated_timestamp: toEpochMs(doc.updated_at),
    description: doc.description ?? '',
    tags: doc.properties ?? [],
    aliases: (doc.aliases ?? []).map((a) => ({ alias: a.alias, version: String(a.version) })),
    latest_versions: latestVersions(doc.versions).map(presentModelVersion),
  };
}

export const REGISTERED_MODEL_SEARCH: SearchVocabulary = {
  entities: ['attribute', 'tag'],
  numericAttributes: ['creation_timestamp', 'last_updated_timestamp'],
  stringAttributes: ['name'],
};

/** Registered-model attributes a search filter narrows in MongoDB by index. */
export const REGISTERED_MODEL_STORED_ATTRIBUTES: Record<string, StoredAttribute> = { name: { field: 'model_name', stored: String } };

/** Model-version attributes a search filter narrows in MongoDB by index (the list documents by model, by stage). */
export const MODEL_VERSION_STORED_ATTRIBUTES: Record<string, StoredAttribute> = {
  name: { field: 'model_name', stored: String },
  current_stage: { field: 'stage', stored: storedAs(Object.fromEntries(Object.entries(TO_MLFLOW_STAGE).map(([ours, theirs]) => [theirs, ours]))) },
};

export const MODEL_VERSION_SEARCH: SearchVocabulary = {
  entities: ['attribute', 'tag'],
  numericAttributes: ['version_number', 'creation_timestamp', 'last_updated_timestamp'],
  stringAttributes: ['name', 'run_id', 'source', 'current_stage'],
};

export function registeredModelValue(doc: ModelDocument, entity: string, key: string): string | number | undefined {
  if (entity === 'tag') return (doc.properties ?? []).find((p) => p.key === key)?.value;
  if (key === 'name') return doc.model_name;
  if (key === 'creation_timestamp') return toEpochMs(doc.created_at);
  if (key === 'last_updated_timestamp') return toEpochMs(doc.updated_at);
  return undefined;
}

export function modelVersionValue(view: ModelVersionView, entity: string, key: string): string | number | undefined {
  if (entity === 'tag') return (view.properties ?? []).find((p) => p.key === key)?.value;
  switch (key) {
    case 'name':
      return view.model_name;
    case 'version_number':
      return view.version;
    case 'run_id':
      return view.run_id;
    case 'source':
      return view.artifact_uri;
    case 'current_stage':
      return toMlflowStage(view.stage);
    case 'creation_timestamp':
      return toEpochMs(view.created_at);
    case 'last_updated_timestamp':
      return toEpochMs(view.updated_at);
  }
  return undefined;
}
