import type { Collection } from 'mongodb';
import { CloudEvent, lifecycleCatalog, TagValue, Topics } from '@mlops/events';
import { Projection, ReadModelDocument, readModelSchema } from '@mlops/event-sourcing';
import { experimentMlflowId } from '../mlflow/tracking/experiment-ids';
import { experimentKeyOf, ExperimentStatus, withoutTagValue, withTagValue } from './experiment.decider';

export interface ExperimentDocument extends ReadModelDocument {
  /** What it is called now; its key (`_id`, what runs refer to) is the name it was created with. */
  name: string;
  description: string;
  owner: string;
  tags: string[];
  status: ExperimentStatus;
  /** Key/value tags (MLflow's experiment tags). */
  tag_values: TagValue[];
  /** The experiment's id in MLflow's API, derived from its name. */
  mlflow_id: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

const EXPERIMENT_STATUSES: ExperimentStatus[] = ['active', 'archived'];

export const experimentsSchema = readModelSchema('experiments', {
  name: String,
  description: String,
  owner: String,
  tags: [String],
  status: { type: String, enum: EXPERIMENT_STATUSES },
  tag_values: [Object],
  mlflow_id: String,
  created_at: String,
  created_by: String,
  updated_at: String,
  updated_by: String,
});
// List filters, each with the `_id` keyset cursor; combined filters ride the first one's index.
experimentsSchema.index({ owner: 1, _id: 1 }, { name: 'owner_id' });
experimentsSchema.index({ status: 1, _id: 1 }, { name: 'status_id' });
experimentsSchema.index({ tags: 1, _id: 1 }, { name: 'tags_id' });
// MLflow's get-experiment by id.
experimentsSchema.index({ mlflow_id: 1 }, { name: 'mlflow_id' });
// Look-ups by what an experiment is called now (a renamed one is no longer at its key's name).
experimentsSchema.index({ name: 1 }, { name: 'name' });

/** Read model of experiments: everything comes from the events, so a replay rebuilds it exactly. */
export const experimentsProjection: Projection<ExperimentDocument> = {
  name: 'experiments',
  topic: Topics.lifecycle,
  streamType: 'experiment',
  schema: experimentsSchema,
  evolve(current, event: CloudEvent<any>) {
    const touched = { updated_at: event.time, updated_by: event.actor };
    switch (lifecycleCatalog.nameOf(event.type)) {
      case 'ExperimentCreated':
        return {
          name: event.data.name,
          description: event.data.description,
          owner: event.data.owner,
          tags: event.data.tags,
          status: 'active',
          tag_values: [],
          mlflow_id: experimentMlflowId(event.data.name),
          created_at: event.time,
          created_by: event.actor,
          ...touched,
        };
      case 'ExperimentUpdated': {
        const { name: _key, ...changes } = event.data;
        return { ...current!, ...changes, ...touched };
      }
      case 'ExperimentRenamed':
        return { ...current!, name: event.data.new_name, ...touched };
      case 'ExperimentArchived':
        return { ...current!, status: 'archived', ...touched };
      case 'ExperimentRestored':
        return { ...current!, status: 'active', ...touched };
      case 'ExperimentTagSet':
        return { ...current!, tag_values: withTagValue(current!.tag_values ?? [], { key: event.data.key, value: event.data.value }), ...touched };
      case 'ExperimentTagDeleted':
        return { ...current!, tag_values: withoutTagValue(current!.tag_values ?? [], event.data.key), ...touched };
      default:
        return { ...current!, ...touched };
    }
  },
};

/** The experiment called `name` now (a renamed one under its new name, never under its key's). */
export const findExperimentByName = (readModel: Collection<ExperimentDocument>, name: string) => readModel.findOne({ name });

/** The stream key of the experiment called `name` now, or null when none is (an old name no longer means a renamed one). */
export async function experimentKeyByName(readModel: Collection<ExperimentDocument>, name: string): Promise<string | null> {
  const doc = await findExperimentByName(readModel, name);
  return doc ? experimentKeyOf(doc) : null;
}
