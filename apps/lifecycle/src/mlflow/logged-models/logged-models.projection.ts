import { CloudEvent, KeyValue, lifecycleCatalog, LoggedModelEvent, LoggedModelStatus, Topics } from '@mlops/events';
import { Projection, ReadModelDocument, readModelSchema } from '@mlops/event-sourcing';
import { mergeKeyValues } from './logged-model.decider';

/** One document per logged model (`_id` logged_model:<model_id>). */
export interface LoggedModelDocument extends ReadModelDocument {
  model_id: string;
  experiment_id: string;
  name: string;
  source_run_id: string | null;
  model_type: string | null;
  artifact_location: string;
  status: LoggedModelStatus;
  tags: KeyValue[];
  params: KeyValue[];
  deleted: boolean;
  created_at: string;
  created_by: string;
  updated_at: string;
}

/** MLflow's search-logged-models: an experiment's models, paged by `_id`. */
export const loggedModelsSchema = readModelSchema('logged_models', {
  model_id: String,
  experiment_id: String,
  name: String,
  source_run_id: String,
  model_type: String,
  artifact_location: String,
  status: { type: String, enum: ['PENDING', 'READY', 'FAILED'] },
  tags: [Object],
  params: [Object],
  deleted: Boolean,
  created_at: String,
  created_by: String,
  updated_at: String,
});
loggedModelsSchema.index({ experiment_id: 1, _id: 1 }, { name: 'experiment_id_id' });

export const loggedModelsProjection: Projection<LoggedModelDocument> = {
  name: 'logged_models',
  topic: Topics.lifecycle,
  streamType: 'logged_model',
  schema: loggedModelsSchema,
  evolve(current, event: CloudEvent<any>) {
    const e = { type: lifecycleCatalog.nameOf(event.type), data: event.data } as LoggedModelEvent;
    if (e.type === 'LoggedModelCreated') {
      return { ...e.data, status: 'PENDING', deleted: false, created_at: event.time, created_by: event.actor, updated_at: event.time };
    }
    const { _id, version: _version, ...doc } = current!;
    const next = { ...doc, updated_at: event.time };
    switch (e.type) {
      case 'LoggedModelFinalized':
        return { ...next, status: e.data.status };
      case 'LoggedModelTagsSet':
        return { ...next, tags: mergeKeyValues(doc.tags, e.data.tags) };
      case 'LoggedModelTagDeleted':
        return { ...next, tags: doc.tags.filter((t) => t.key !== e.data.key) };
      case 'LoggedModelParamsLogged':
        return { ...next, params: mergeKeyValues(doc.params, e.data.params) };
      case 'LoggedModelDeleted':
        return { ...next, deleted: true };
    }
  },
};
