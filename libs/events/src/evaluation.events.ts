import { EventCatalog } from './catalog';
import type { PayloadReference } from './payload-ref';
import { Topics } from './topics';
import scenarioCreated from '../schemas/evaluation/scenario.created.v1.json';
import scenarioVersionCreated from '../schemas/evaluation/scenario.version_created.v1.json';
import runQueued from '../schemas/evaluation/run.queued.v1.json';
import runStarted from '../schemas/evaluation/run.started.v1.json';
import runCompleted from '../schemas/evaluation/run.completed.v1.json';
import runFailed from '../schemas/evaluation/run.failed.v1.json';

export type EvaluationTaskType = 'binary_classification' | 'multiclass_classification' | 'regression' | 'text';
export const EVALUATION_TASK_TYPES: EvaluationTaskType[] = ['binary_classification', 'multiclass_classification', 'regression', 'text'];

/** A class label; one JSON type per scenario. */
export type ScenarioLabel = string | number | boolean;

/** Scenario cases, predictions and reports travel as content addresses in the payload store. */
export type EventPayloadRef = PayloadReference;

/** Pass when `value >= min` and `value <= max` (null: no bound). */
export interface MetricThreshold {
  metric: string;
  min: number | null;
  max: number | null;
}

/** promptfoo-style assertion: equals, contains, icontains, regex, starts-with, is-json, levenshtein, each also `not-`. */
export interface TextAssertionSpec {
  type: string;
  value?: string;
  threshold?: number;
}

export type ScenarioCasesSource =
  | { source: 'inline'; payload: EventPayloadRef; case_count: number; slice_keys: string[] }
  | {
      source: 'dataset';
      dataset_id: string;
      label_column: string;
      /** Column holding case ids; null: the 0-based row number (in the dataset's own order) is the id. */
      id_column: string | null;
      input_columns: string[];
      slice_columns: string[];
      /** The dataset as the scenario version saw it (lineage). */
      dataset_row_count: number | null;
      dataset_content_sha256: string | null;
    };

export interface ScenarioDefinition {
  description: string;
  tags: string[];
  cases: ScenarioCasesSource;
  labels: ScenarioLabel[];
  positive_label: ScenarioLabel | null;
  metrics: string[];
  thresholds: MetricThreshold[];
  assertions: TextAssertionSpec[];
}

export interface ScenarioCreatedData extends ScenarioDefinition {
  name: string;
  task_type: EvaluationTaskType;
  version: 1;
}
export interface ScenarioVersionCreatedData extends ScenarioDefinition {
  name: string;
  version: number;
  /** Which definition fields differ from the previous version. */
  changed: string[];
}

export type ScenarioEvent =
  | { type: 'ScenarioCreated'; data: ScenarioCreatedData }
  | { type: 'ScenarioVersionCreated'; data: ScenarioVersionCreatedData };

export interface EvaluationMetricValue {
  key: string;
  value: number | null;
}
export interface ThresholdResult extends MetricThreshold {
  value: number | null;
  passed: boolean;
}
export interface GateResult {
  passed: boolean;
  thresholds: ThresholdResult[];
}

export interface EvaluationRunQueuedData {
  run_id: string;
  scenario_name: string;
  scenario_version: number;
  task_type: EvaluationTaskType;
  model_name: string;
  model_version: number;
  cases: EventPayloadRef;
  case_count: number;
  predictions: EventPayloadRef;
  dataset: { dataset_id: string; row_count: number; content_sha256: string | null } | null;
  has_attributions: boolean;
  /** The model version as the evaluation harness knew it when the run was queued: the compliance record. */
  model_at_queue: EvaluatedModelSnapshot;
}
export interface EvaluatedModelSnapshot {
  stage: string;
  artifact_uri: string;
  run_id: string;
  registered_at: string;
  registered_by: string;
}
export interface EvaluationRunStartedData {
  run_id: string;
  started_at: string;
}
export interface EvaluationRunCompletedData {
  run_id: string;
  scenario_name: string;
  scenario_version: number;
  model_name: string;
  model_version: number;
  case_count: number;
  metrics: EvaluationMetricValue[];
  gate: GateResult;
  report: EventPayloadRef;
  completed_at: string;
}
export interface EvaluationRunFailedData {
  run_id: string;
  scenario_name: string;
  model_name: string;
  model_version: number;
  reason: string;
  failed_at: string;
}

export type EvaluationRunEvent =
  | { type: 'EvaluationRunQueued'; data: EvaluationRunQueuedData }
  | { type: 'EvaluationRunStarted'; data: EvaluationRunStartedData }
  | { type: 'EvaluationRunCompleted'; data: EvaluationRunCompletedData }
  | { type: 'EvaluationRunFailed'; data: EvaluationRunFailedData };

export const EVALUATION_RUN_COMPLETED = 'mlops.evaluation.run.completed.v1';

export const evaluationCatalog = new EventCatalog(Topics.evaluation, '/mlops/evaluation', [
  { name: 'ScenarioCreated', type: 'mlops.evaluation.scenario.created.v1', schema: scenarioCreated },
  { name: 'ScenarioVersionCreated', type: 'mlops.evaluation.scenario.version_created.v1', schema: scenarioVersionCreated },
  { name: 'EvaluationRunQueued', type: 'mlops.evaluation.run.queued.v1', schema: runQueued },
  { name: 'EvaluationRunStarted', type: 'mlops.evaluation.run.started.v1', schema: runStarted },
  { name: 'EvaluationRunCompleted', type: EVALUATION_RUN_COMPLETED, schema: runCompleted },
  { name: 'EvaluationRunFailed', type: 'mlops.evaluation.run.failed.v1', schema: runFailed },
]);
