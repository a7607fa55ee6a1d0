import { MetricPoint, RunInput, RunParam, RunStatus, TagValue } from '@mlops/events';
import type { ExperimentDocument } from '../../experiments/experiments.projection';
import { runStreamId } from '../../runs/run.decider';
import type { HistoryPoint, RunDocument } from '../../runs/runs.projection';
import { mlflowInvalid } from '../mlflow-errors';
import { toEpochMs } from '../mlflow-http';
import { experimentMlflowId } from './experiment-ids';
import { StoredAttribute, storedAs, storedTime } from './search-filter';

/** MLflow's run statuses and ours, both ways (SCHEDULED is a run that has not ended: running). */
const TO_MLFLOW_STATUS: Record<RunStatus, string> = { running: 'RUNNING', completed: 'FINISHED', failed: 'FAILED', killed: 'KILLED' };
/** The status a run shows in MLflow as the one stored (SCHEDULED is never shown). */
const SHOWN_STATUS = Object.fromEntries(Object.entries(TO_MLFLOW_STATUS).map(([ours, theirs]) => [theirs, ours]));
const FROM_MLFLOW_STATUS: Record<string, RunStatus> = { RUNNING: 'running', SCHEDULED: 'running', FINISHED: 'completed', FAILED: 'failed', KILLED: 'killed' };

export const toMlflowStatus = (status: RunStatus) => TO_MLFLOW_STATUS[status];
export function fromMlflowStatus(status: string): RunStatus {
  const ours = FROM_MLFLOW_STATUS[status];
  if (!ours) throw mlflowInvalid(`Invalid run status ${JSON.stringify(status)}: use one of ${Object.keys(FROM_MLFLOW_STATUS).join(', ')}`);
  return ours;
}

/** The system tags the MLflow client sends that the facade reads. */
export const RUN_NAME_TAG = 'mlflow.runName';
export const USER_TAG = 'mlflow.user';

/** MLflow's log-batch limits (mlflow/utils/validation.py). */
export const BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000 } as const;
/** Our stored keys (the events' schemas): MLflow's own rule less `:`. */
const KEY = /^[A-Za-z0-9_.\-/ ]{1,250}$/;
const TAG_KEY_MAX = 250;
const PARAM_VALUE_MAX = 6000;
const TAG_VALUE_MAX = 8000;
/** Our experiment and run names (the events' schemas). */
const EXPERIMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const RUN_NAME_MAX = 256;

export interface MlflowMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}
export interface MlflowKeyValue {
  key: string;
  value: string;
}

export function checkExperimentName(name: string): string {
  if (!EXPERIMENT_NAME.test(name)) {
    throw mlflowInvalid(`Invalid experiment name ${JSON.stringify(name)}: start with a letter or digit, then letters, digits, '.', '_' or '-' (at most 128)`);
  }
  return name;
}

export function checkRunName(name: string): string {
  if (!name || name.length > RUN_NAME_MAX) throw mlflowInvalid(`Invalid run name: 1 to ${RUN_NAME_MAX} characters`);
  return name;
}

function checkKey(kind: string, key: string) {
  if (!KEY.test(key)) {
    throw mlflowInvalid(`Invalid ${kind} name ${JSON.stringify(key)}: 1-250 of letters, digits, underscores, dashes, periods, spaces and slashes`);
  }
}

export function checkMetric(metric: MlflowMetric): MlflowMetric {
  checkKey('metric', metric.key);
  if (!Number.isFinite(metric.value)) throw mlflowInvalid(`Got invalid value ${metric.value} for metric '${metric.key}': only finite values are stored`);
  if (!Number.isSafeInteger(metric.step) || metric.step < 0) throw mlflowInvalid(`Invalid step ${metric.step} for metric '${metric.key}'`);
  return metric;
}

export function checkParam(param: MlflowKeyValue): MlflowKeyValue {
  checkKey('parameter', param.key);
  if (param.value.length > PARAM_VALUE_MAX) throw mlflowInvalid(`Param value for '${param.key}' had length ${param.value.length}, which exceeded length limit of ${PARAM_VALUE_MAX}`);
  return param;
}

export function checkTag(tag: MlflowKeyValue): MlflowKeyValue {
  if (!tag.key || tag.key.length > TAG_KEY_MAX) throw mlflowInvalid(`Invalid tag key ${JSON.stringify(tag.key)}: 1 to ${TAG_KEY_MAX} characters`);
  if (tag.value.length > TAG_VALUE_MAX) throw mlflowInvalid(`Tag value for '${tag.key}' had length ${tag.value.length}, which exceeded length limit of ${TAG_VALUE_MAX}`);
  return tag;
}

/** A log-batch request within MLflow's limits, every item valid; duplicated params must agree. */
export function checkBatch(batch: { metrics: MlflowMetric[]; params: MlflowKeyValue[]; tags: MlflowKeyValue[] }) {
  const { metrics, params, tags } = batch;
  const total = metrics.length + params.length + tags.length;
  if (metrics.length > BATCH_LIMITS.metrics || params.length > BATCH_LIMITS.params || tags.length > BATCH_LIMITS.tags || total > BATCH_LIMITS.total) {
    throw mlflowInvalid(
      `A batch logging request can contain at most ${BATCH_LIMITS.metrics} metrics, ${BATCH_LIMITS.params} params, ${BATCH_LIMITS.tags} tags and ` +
        `${BATCH_LIMITS.total} items in all; got ${metrics.length} metrics, ${params.length} params, ${tags.length} tags`,
    );
  }
  metrics.forEach(checkMetric);
  params.forEach(checkParam);
  tags.forEach(checkTag);
  const seen = new Map<string, string>();
  for (const { key, value } of params) {
    if (seen.has(key) && seen.get(key) !== value) throw mlflowInvalid(`Duplicate parameter key '${key}' with different values in one batch`);
    seen.set(key, value);
  }
  return batch;
}

/** MLflow's tag naming the context a dataset was read in. */
export const DATASET_CONTEXT_TAG = 'mlflow.data.context';
/** Our tag on a dataset input linked to a Feature Store dataset: its id. */
export const FEATURE_STORE_DATASET_TAG = 'mlops.feature_store.dataset_id';
const INPUTS_MAX = 100;
const INPUT_TEXT_MAX = 16_000;

/** log-inputs' datasets as our run inputs: by name and digest, the dataset's rows never copied. */
export function toRunInputs(datasets: { tags: MlflowKeyValue[]; dataset: Omit<RunInput, 'context'> }[]): RunInput[] {
  if (datasets.length > INPUTS_MAX) throw mlflowInvalid(`A log-inputs request can contain at most ${INPUTS_MAX} datasets; got ${datasets.length}`);
  return datasets.map(({ tags, dataset }) => {
    const { name, digest, source_type, source, schema, profile } = dataset;
    if (name.length > 500 || digest.length > 64 || source_type.length > 64) throw mlflowInvalid(`Dataset '${name.slice(0, 100)}': name, digest or source_type too long`);
    for (const [field, text] of Object.entries({ source, schema, profile })) {
      if (text !== undefined && text.length > INPUT_TEXT_MAX) throw mlflowInvalid(`Dataset '${name}': ${field} had length ${text.length}, over the limit of ${INPUT_TEXT_MAX}`);
    }
    const context = tags.find((tag) => tag.key === DATASET_CONTEXT_TAG)?.value;
    return { name, digest, source_type, source, ...(schema ? { schema } : {}), ...(profile ? { profile } : {}), ...(context ? { context } : {}) };
  });
}

const toMlflowDatasetInput = ({ context, dataset_id, ...dataset }: RunInput) => ({
  tags: [
    ...(context === undefined ? [] : [{ key: DATASET_CONTEXT_TAG, value: context }]),
    ...(dataset_id === undefined ? [] : [{ key: FEATURE_STORE_DATASET_TAG, value: dataset_id }]),
  ],
  dataset,
});

/** Where a run's artifacts live behind the tracking server's artifact proxy (MLflow server's layout). */
export const runArtifactUri = (experimentId: string, runId: string) => `mlflow-artifacts:/${experimentId}/${runId}/artifacts`;
export const experimentArtifactLocation = (experimentId: string) => `mlflow-artifacts:/${experimentId}`;

const tagValueOf = (tags: TagValue[], key: string) => tags.find((tag) => tag.key === key)?.value;

export const toMlflowMetric = (point: MetricPoint): MlflowMetric => ({
  key: point.key,
  value: point.value,
  timestamp: toEpochMs(point.timestamp)!,
  step: point.step,
});

export const toMlflowHistoryPoint = (key: string, point: HistoryPoint): MlflowMetric => ({
  key,
  value: point.value,
  timestamp: toEpochMs(point.timestamp)!,
  step: point.step,
});

const toMlflowParam = (param: RunParam): MlflowKeyValue => ({ key: param.key, value: String(param.value) });

/** A run as MLflow's `Run` message: info, data (latest metrics, params, tags) and inputs. */
export function toMlflowRun(run: RunDocument) {
  const experimentId = experimentMlflowId(run.experiment_name);
  const tags = run.tag_values ?? [];
  return {
    info: {
      run_id: run.run_id,
      run_uuid: run.run_id,
      run_name: run.name,
      experiment_id: experimentId,
      user_id: tagValueOf(tags, USER_TAG) ?? run.created_by,
      status: toMlflowStatus(run.status),
      start_time: toEpochMs(run.start_time),
      ...(run.end_time ? { end_time: toEpochMs(run.end_time) } : {}),
      artifact_uri: runArtifactUri(experimentId, run.run_id),
      lifecycle_stage: run.deleted ? 'deleted' : 'active',
    },
    data: {
      metrics: run.metrics.map(toMlflowMetric),
      params: run.params.map(toMlflowParam),
      // The run's name is a tag in MLflow, whichever API named it.
      tags: tagValueOf(tags, RUN_NAME_TAG) === undefined ? [...tags, { key: RUN_NAME_TAG, value: run.name }] : tags,
    },
    inputs: { dataset_inputs: (run.inputs ?? []).map(toMlflowDatasetInput) },
  };
}

/** An experiment as MLflow's `Experiment` message; archived is MLflow's lifecycle stage `deleted`. */
export function toMlflowExperiment(experiment: ExperimentDocument) {
  const id = experiment.mlflow_id ?? experimentMlflowId(experiment.name);
  return {
    experiment_id: id,
    name: experiment.name,
    artifact_location: experimentArtifactLocation(id),
    lifecycle_stage: experiment.status === 'archived' ? 'deleted' : 'active',
    creation_time: toEpochMs(experiment.created_at),
    last_update_time: toEpochMs(experiment.updated_at),
    tags: [...(experiment.tag_values ?? []), ...(experiment.description ? [{ key: 'mlflow.note.content', value: experiment.description }] : [])],
  };
}

/** Run attributes a search filter narrows in MongoDB by index (runs by experiment and status, or start time; by id). */
export const RUN_STORED_ATTRIBUTES: Record<string, StoredAttribute> = {
  status: { field: 'status', stored: storedAs(SHOWN_STATUS) },
  start_time: { field: 'start_time', stored: storedTime },
  created: { field: 'start_time', stored: storedTime },
  run_id: { field: '_id', stored: (id) => runStreamId(String(id)) },
};

/** Experiment attributes a search filter narrows in MongoDB by index. */
export const EXPERIMENT_STORED_ATTRIBUTES: Record<string, StoredAttribute> = {
  name: { field: 'name', stored: String },
  experiment_id: { field: 'mlflow_id', stored: String },
};

/** A run's value for a search comparison or an order_by clause; undefined when it has none. */
export function runValue(run: RunDocument, entity: string, key: string): string | number | undefined {
  switch (entity) {
    case 'metric':
      return run.metrics.find((m) => m.key === key)?.value;
    case 'param': {
      const param = run.params.find((p) => p.key === key);
      return param === undefined ? undefined : String(param.value);
    }
    case 'tag':
      return key === RUN_NAME_TAG ? (tagValueOf(run.tag_values ?? [], key) ?? run.name) : tagValueOf(run.tag_values ?? [], key);
    case 'attribute':
      switch (key) {
        case 'run_id':
          return run.run_id;
        case 'run_name':
          return run.name;
        case 'status':
          return toMlflowStatus(run.status);
        case 'user_id':
          return tagValueOf(run.tag_values ?? [], USER_TAG) ?? run.created_by;
        case 'artifact_uri':
          return runArtifactUri(experimentMlflowId(run.experiment_name), run.run_id);
        case 'lifecycle_stage':
          return run.deleted ? 'deleted' : 'active';
        case 'start_time':
        case 'created':
          return toEpochMs(run.start_time);
        case 'end_time':
          return run.end_time ? toEpochMs(run.end_time) : undefined;
      }
  }
  return undefined;
}

export function experimentValue(experiment: ExperimentDocument, entity: string, key: string): string | number | undefined {
  if (entity === 'tag') return tagValueOf(experiment.tag_values ?? [], key);
  switch (key) {
    case 'name':
      return experiment.name;
    case 'experiment_id':
      return experiment.mlflow_id ?? experimentMlflowId(experiment.name);
    case 'creation_time':
      return toEpochMs(experiment.created_at);
    case 'last_update_time':
      return toEpochMs(experiment.updated_at);
  }
  return undefined;
}
