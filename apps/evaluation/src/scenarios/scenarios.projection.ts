import { CloudEvent, evaluationCatalog, EvaluationTaskType, ScenarioDefinition, ScenarioEvent, Topics } from '@mlops/events';
import { Projection, ReadModelDocument, readModelSchema } from '@mlops/event-sourcing';

export interface ScenarioVersionView extends ScenarioDefinition {
  version: number;
  changed: string[];
  created_at: string;
  created_by: string;
}

/** One document per scenario stream: the latest definition at the top, every version below (`version` = the ETag). */
export interface ScenarioDocument extends ReadModelDocument, ScenarioDefinition {
  name: string;
  task_type: EvaluationTaskType;
  latest_version: number;
  versions: ScenarioVersionView[];
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

const definitionOf = (data: ScenarioDefinition): ScenarioDefinition => ({
  description: data.description,
  tags: data.tags,
  cases: data.cases,
  labels: data.labels,
  positive_label: data.positive_label,
  metrics: data.metrics,
  thresholds: data.thresholds,
  assertions: data.assertions,
});

/** The list filters, each with `_id` for the keyset page (findPage). */
export const scenariosSchema = readModelSchema('scenarios', {
  name: String,
  task_type: String,
  latest_version: Number,
  description: String,
  tags: [String],
  cases: Object,
  labels: [Object],
  positive_label: Object,
  metrics: [String],
  thresholds: [Object],
  assertions: [Object],
  versions: [Object],
  created_at: String,
  created_by: String,
  updated_at: String,
  updated_by: String,
});
scenariosSchema.index({ task_type: 1, _id: 1 }, { name: 'task_type_id' });
scenariosSchema.index({ tags: 1, _id: 1 }, { name: 'tags_id' });

/** Read model of scenarios and their versions, everything from the events (a replay rebuilds it exactly). */
export const scenariosProjection: Projection<ScenarioDocument> = {
  name: 'scenarios',
  topic: Topics.evaluation,
  streamType: 'scenario',
  schema: scenariosSchema,
  evolve(current, event: CloudEvent<any>) {
    const e = { type: evaluationCatalog.nameOf(event.type), data: event.data } as ScenarioEvent;
    const definition = definitionOf(e.data);
    const stamp = { created_at: event.time, created_by: event.actor };
    if (e.type === 'ScenarioCreated') {
      return {
        name: e.data.name, task_type: e.data.task_type, latest_version: 1, ...definition,
        versions: [{ version: 1, changed: [], ...definition, ...stamp }],
        ...stamp, updated_at: event.time, updated_by: event.actor,
      };
    }
    return {
      ...current!, ...definition, latest_version: e.data.version,
      versions: [...current!.versions, { version: e.data.version, changed: e.data.changed, ...definition, ...stamp }],
      updated_at: event.time, updated_by: event.actor,
    };
  },
};
