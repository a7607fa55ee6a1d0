import { CloudEvent, lifecycleCatalog, ModelEvent, ModelMetric, ModelStage, RunParam, Topics } from '@mlops/events';
import { Projection, ReadModelDocument, readModelSchema } from '@mlops/event-sourcing';

/** What the evaluation service knows of one model version, from the lifecycle topic. */
export interface KnownModelVersion {
  version: number;
  run_id: string;
  artifact_uri: string;
  description: string;
  tags: string[];
  metrics: ModelMetric[];
  params: RunParam[];
  stage: ModelStage;
  registered_at: string;
  registered_by: string;
  updated_at: string;
}

/** One document per lifecycle model stream (`model:<name>`), every version inline. */
export interface KnownModelDocument extends ReadModelDocument {
  model_name: string;
  versions: KnownModelVersion[];
}

export const knownModelId = (modelName: string) => `model:${modelName}`;

/** Read by `_id` alone (`knownModelId`). */
export const knownModelVersionsSchema = readModelSchema('known_model_versions', {
  model_name: String,
  /** KnownModelVersion, every version inline. */
  versions: [Object],
});

const update = (doc: KnownModelDocument | null, version: number, time: string, change: (v: KnownModelVersion) => Partial<KnownModelVersion>) =>
  (doc?.versions ?? []).map((v) => (v.version === version ? { ...v, ...change(v), updated_at: time } : v));

/**
 * The evaluation service's own read model of model versions, fed by the lifecycle topic: a run's
 * model version must exist here — services never call each other.
 */
export const modelVersionsProjection: Projection<KnownModelDocument> = {
  name: 'known_model_versions',
  topic: Topics.lifecycle,
  streamType: 'model',
  schema: knownModelVersionsSchema,
  evolve(current, event: CloudEvent<any>) {
    const e = { type: lifecycleCatalog.nameOf(event.type), data: event.data } as ModelEvent;
    const model_name = current?.model_name ?? (event.data.model_name as string);
    switch (e.type) {
      case 'ModelVersionRegistered': {
        const { version, run_id, artifact_uri, description, tags, metrics, params, stage } = e.data;
        const registered: KnownModelVersion = {
          version, run_id, artifact_uri, description, tags, metrics, params, stage,
          registered_at: event.time, registered_by: event.actor, updated_at: event.time,
        };
        return { model_name, versions: [...(current?.versions ?? []), registered] };
      }
      case 'ModelVersionUpdated': {
        const { model_name: _m, version, ...changes } = e.data;
        return { model_name, versions: update(current, version, event.time, () => changes) };
      }
      case 'ModelVersionStageChanged':
        return { model_name, versions: update(current, e.data.version, event.time, () => ({ stage: e.data.to })) };
      default:
        // Checklist changes (ours included) only move the stream version.
        return { model_name, versions: current?.versions ?? [] };
    }
  },
};
