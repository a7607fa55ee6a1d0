import { EventCatalog } from './catalog';
import { Topics } from './topics';
import experimentCreated from '../schemas/lifecycle/experiment.created.v1.json';
import experimentUpdated from '../schemas/lifecycle/experiment.updated.v1.json';
import experimentArchived from '../schemas/lifecycle/experiment.archived.v1.json';
import experimentRestored from '../schemas/lifecycle/experiment.restored.v1.json';
import runStarted from '../schemas/lifecycle/run.started.v1.json';
import runParamsLogged from '../schemas/lifecycle/run.params_logged.v1.json';
import runTagsSet from '../schemas/lifecycle/run.tags_set.v1.json';
import runMetricsLogged from '../schemas/lifecycle/run.metrics_logged.v1.json';
import runEnded from '../schemas/lifecycle/run.ended.v1.json';
import experimentTagSet from '../schemas/lifecycle/experiment.tag_set.v1.json';
import experimentTagDeleted from '../schemas/lifecycle/experiment.tag_deleted.v1.json';
import experimentRenamed from '../schemas/lifecycle/experiment.renamed.v1.json';
import runTagValuesSet from '../schemas/lifecycle/run.tag_values_set.v1.json';
import runTagValueDeleted from '../schemas/lifecycle/run.tag_value_deleted.v1.json';
import runRenamed from '../schemas/lifecycle/run.renamed.v1.json';
import runDeleted from '../schemas/lifecycle/run.deleted.v1.json';
import runRestored from '../schemas/lifecycle/run.restored.v1.json';
import runInputsLogged from '../schemas/lifecycle/run.inputs_logged.v1.json';
import modelVersionRegistered from '../schemas/lifecycle/model_version.registered.v1.json';
import modelVersionUpdated from '../schemas/lifecycle/model_version.updated.v1.json';
import modelVersionChecklistUpdated from '../schemas/lifecycle/model_version.checklist_updated.v1.json';
import modelVersionStageChanged from '../schemas/lifecycle/model_version.stage_changed.v1.json';
import registeredModelCreated from '../schemas/lifecycle/registered_model.created.v1.json';
import registeredModelUpdated from '../schemas/lifecycle/registered_model.updated.v1.json';
import registeredModelPropertySet from '../schemas/lifecycle/registered_model.property_set.v1.json';
import registeredModelPropertyDeleted from '../schemas/lifecycle/registered_model.property_deleted.v1.json';
import registeredModelDeleted from '../schemas/lifecycle/registered_model.deleted.v1.json';
import registeredModelRenamed from '../schemas/lifecycle/registered_model.renamed.v1.json';
import modelVersionPropertySet from '../schemas/lifecycle/model_version.property_set.v1.json';
import modelVersionPropertyDeleted from '../schemas/lifecycle/model_version.property_deleted.v1.json';
import modelVersionDeleted from '../schemas/lifecycle/model_version.deleted.v1.json';
import modelVersionAliasSet from '../schemas/lifecycle/model_version.alias_set.v1.json';
import modelVersionAliasDeleted from '../schemas/lifecycle/model_version.alias_deleted.v1.json';
import loggedModelCreated from '../schemas/lifecycle/logged_model.created.v1.json';
import loggedModelFinalized from '../schemas/lifecycle/logged_model.finalized.v1.json';
import loggedModelTagsSet from '../schemas/lifecycle/logged_model.tags_set.v1.json';
import loggedModelTagDeleted from '../schemas/lifecycle/logged_model.tag_deleted.v1.json';
import loggedModelParamsLogged from '../schemas/lifecycle/logged_model.params_logged.v1.json';
import loggedModelDeleted from '../schemas/lifecycle/logged_model.deleted.v1.json';
import artifactStored from '../schemas/lifecycle/artifact.stored.v1.json';
import { trafficAllocationEventDefinitions } from './traffic-allocation.events';
import { nameClaimEventDefinitions } from './lifecycle-names.events';
import deploymentCreated from '../schemas/lifecycle/deployment.created.v1.json';
import deploymentStatusChanged from '../schemas/lifecycle/deployment.status_changed.v1.json';
import deploymentHealthReported from '../schemas/lifecycle/deployment.health_reported.v1.json';
import deploymentPromoted from '../schemas/lifecycle/deployment.promoted.v1.json';
import deploymentRolledBack from '../schemas/lifecycle/deployment.rolled_back.v1.json';
import deploymentTerminated from '../schemas/lifecycle/deployment.terminated.v1.json';
import deploymentDriftAlerted from '../schemas/lifecycle/deployment.drift_alerted.v1.json';
import driftDetected from '../schemas/lifecycle/drift.detected.v1.json';

export interface ExperimentCreatedData {
  name: string;
  description: string;
  owner: string;
  tags: string[];
}
export interface ExperimentUpdatedData {
  name: string;
  description?: string;
  tags?: string[];
}
export interface ExperimentArchivedData {
  name: string;
}
export interface ExperimentRestoredData {
  name: string;
}

/** A key/value tag (MLflow's tags): keys are user data, so they travel in arrays, never as document keys. */
export interface TagValue {
  key: string;
  value: string;
}
export interface ExperimentTagSetData {
  name: string;
  key: string;
  value: string;
}
export interface ExperimentTagDeletedData {
  name: string;
  key: string;
}
/** `name` stays the experiment's key (its stream, its runs' `experiment_name`); `new_name` is what it is called. */
export interface ExperimentRenamedData {
  name: string;
  new_name: string;
  previous_name: string;
}

export type ExperimentEvent =
  | { type: 'ExperimentCreated'; data: ExperimentCreatedData }
  | { type: 'ExperimentUpdated'; data: ExperimentUpdatedData }
  | { type: 'ExperimentArchived'; data: ExperimentArchivedData }
  | { type: 'ExperimentRestored'; data: ExperimentRestoredData }
  | { type: 'ExperimentTagSet'; data: ExperimentTagSetData }
  | { type: 'ExperimentTagDeleted'; data: ExperimentTagDeletedData }
  | { type: 'ExperimentRenamed'; data: ExperimentRenamedData };

/** Params and metrics travel as `{key, value}` arrays: keys are user data, never document keys. */
export type RunParamValue = string | number | boolean;
export interface RunParam {
  key: string;
  value: RunParamValue;
}
export interface MetricPoint {
  key: string;
  value: number;
  step: number;
  timestamp: string;
}
export type RunStatus = 'running' | 'completed' | 'failed' | 'killed';
export type RunEndStatus = Exclude<RunStatus, 'running'>;

export interface RunStartedData {
  run_id: string;
  experiment_name: string;
  name: string;
  params: RunParam[];
  tags: string[];
  start_time: string;
}
export interface RunParamsLoggedData {
  run_id: string;
  params: RunParam[];
}
export interface RunTagsSetData {
  run_id: string;
  tags: string[];
}
export interface RunMetricsLoggedData {
  run_id: string;
  metrics: MetricPoint[];
}
export interface RunEndedData {
  run_id: string;
  status: RunEndStatus;
  end_time: string;
}

export interface RunTagValuesSetData {
  run_id: string;
  tags: TagValue[];
}
export interface RunTagValueDeletedData {
  run_id: string;
  key: string;
}
export interface RunRenamedData {
  run_id: string;
  name: string;
}
export interface RunDeletedData {
  run_id: string;
}
export interface RunRestoredData {
  run_id: string;
}
/** A dataset a run read, as MLflow's log-inputs names it: by name and digest, never its rows. */
export interface RunInput {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string;
  profile?: string;
  /** MLflow's `mlflow.data.context` tag: training, validation, … */
  context?: string;
  /** The Feature Store dataset the run read: the one whose file's sha256 is `digest`. */
  dataset_id?: string;
}
export interface RunInputsLoggedData {
  run_id: string;
  inputs: RunInput[];
}

export type RunEvent =
  | { type: 'RunStarted'; data: RunStartedData }
  | { type: 'RunParamsLogged'; data: RunParamsLoggedData }
  | { type: 'RunTagsSet'; data: RunTagsSetData }
  | { type: 'RunMetricsLogged'; data: RunMetricsLoggedData }
  | { type: 'RunEnded'; data: RunEndedData }
  | { type: 'RunTagValuesSet'; data: RunTagValuesSetData }
  | { type: 'RunTagValueDeleted'; data: RunTagValueDeletedData }
  | { type: 'RunRenamed'; data: RunRenamedData }
  | { type: 'RunDeleted'; data: RunDeletedData }
  | { type: 'RunRestored'; data: RunRestoredData }
  | { type: 'RunInputsLogged'; data: RunInputsLoggedData };

export type ModelStage = 'none' | 'staging' | 'production' | 'archived';
export interface ModelMetric {
  key: string;
  value: number;
}
export interface ChecklistItemDefinition {
  key: string;
  required: boolean;
}
export interface ModelVersionRegisteredData {
  model_name: string;
  version: number;
  run_id: string;
  artifact_uri: string;
  description: string;
  tags: string[];
  metrics: ModelMetric[];
  params: RunParam[];
  checklist: ChecklistItemDefinition[];
  stage: 'none' | 'staging';
  /** The Feature Store dataset the version was trained on (its drift reference); absent when not named. */
  reference_dataset?: string;
}
export interface ModelVersionUpdatedData {
  model_name: string;
  version: number;
  description?: string;
  tags?: string[];
}
export interface ChecklistItemChange {
  key: string;
  checked: boolean;
  by: string;
  at: string;
}
export interface ModelVersionChecklistUpdatedData {
  model_name: string;
  version: number;
  items: ChecklistItemChange[];
}
export interface ModelVersionStageChangedData {
  model_name: string;
  version: number;
  from: ModelStage;
  to: ModelStage;
  /** Set when a production version is archived because another version was promoted. */
  superseded_by?: number;
}

/** A key/value pair: MLflow's registered-model, model-version and logged-model tags. */
export interface KeyValue {
  key: string;
  value: string;
}
export interface RegisteredModelCreatedData {
  model_name: string;
  description: string;
  properties: KeyValue[];
}
export interface RegisteredModelUpdatedData {
  model_name: string;
  description: string;
}
export interface RegisteredModelPropertySetData {
  model_name: string;
  key: string;
  value: string;
}
export interface RegisteredModelPropertyDeletedData {
  model_name: string;
  key: string;
}
export interface RegisteredModelDeletedData {
  model_name: string;
}
/** `model_name` stays the model's key (its stream, what deployments refer to); `new_name` is what it is called. */
export interface RegisteredModelRenamedData {
  model_name: string;
  new_name: string;
  previous_name: string;
}
export interface ModelVersionPropertySetData {
  model_name: string;
  version: number;
  key: string;
  value: string;
}
export interface ModelVersionPropertyDeletedData {
  model_name: string;
  version: number;
  key: string;
}
export interface ModelVersionDeletedData {
  model_name: string;
  version: number;
}
export interface ModelVersionAliasSetData {
  model_name: string;
  alias: string;
  version: number;
  previous_version?: number;
}
export interface ModelVersionAliasDeletedData {
  model_name: string;
  alias: string;
  version: number;
}

export type ModelEvent =
  | { type: 'ModelVersionRegistered'; data: ModelVersionRegisteredData }
  | { type: 'ModelVersionUpdated'; data: ModelVersionUpdatedData }
  | { type: 'ModelVersionChecklistUpdated'; data: ModelVersionChecklistUpdatedData }
  | { type: 'ModelVersionStageChanged'; data: ModelVersionStageChangedData }
  | { type: 'RegisteredModelCreated'; data: RegisteredModelCreatedData }
  | { type: 'RegisteredModelUpdated'; data: RegisteredModelUpdatedData }
  | { type: 'RegisteredModelPropertySet'; data: RegisteredModelPropertySetData }
  | { type: 'RegisteredModelPropertyDeleted'; data: RegisteredModelPropertyDeletedData }
  | { type: 'RegisteredModelDeleted'; data: RegisteredModelDeletedData }
  | { type: 'RegisteredModelRenamed'; data: RegisteredModelRenamedData }
  | { type: 'ModelVersionPropertySet'; data: ModelVersionPropertySetData }
  | { type: 'ModelVersionPropertyDeleted'; data: ModelVersionPropertyDeletedData }
  | { type: 'ModelVersionDeleted'; data: ModelVersionDeletedData }
  | { type: 'ModelVersionAliasSet'; data: ModelVersionAliasSetData }
  | { type: 'ModelVersionAliasDeleted'; data: ModelVersionAliasDeletedData };

export type LoggedModelStatus = 'PENDING' | 'READY' | 'FAILED';
export interface LoggedModelCreatedData {
  model_id: string;
  experiment_id: string;
  name: string;
  source_run_id: string | null;
  model_type: string | null;
  artifact_location: string;
  tags: KeyValue[];
  params: KeyValue[];
}
export type LoggedModelEvent =
  | { type: 'LoggedModelCreated'; data: LoggedModelCreatedData }
  | { type: 'LoggedModelFinalized'; data: { model_id: string; status: 'READY' | 'FAILED' } }
  | { type: 'LoggedModelTagsSet'; data: { model_id: string; tags: KeyValue[] } }
  | { type: 'LoggedModelTagDeleted'; data: { model_id: string; key: string } }
  | { type: 'LoggedModelParamsLogged'; data: { model_id: string; params: KeyValue[] } }
  | { type: 'LoggedModelDeleted'; data: { model_id: string } };

/** A file written to the artifact store; the bytes never travel in the event. */
export type ArtifactEvent = { type: 'ArtifactStored'; data: { path: string; size: number; sha256: string } };

export type DeploymentStatus = 'pending' | 'validating' | 'deploying' | 'active' | 'failed' | 'rollback' | 'terminated';
export type DeploymentEnvironment = 'development' | 'staging' | 'production';
export type DeploymentHealth = 'unknown' | 'healthy' | 'degraded' | 'unhealthy';
export type DriftSeverity = 'low' | 'medium' | 'high' | 'critical';
export interface DeploymentConfig {
  replicas: number;
  resources: { cpu?: string; memory?: string; gpu?: number };
  traffic_percent: number;
}
export interface DeploymentMetrics {
  latency_p50_ms?: number;
  latency_p99_ms?: number;
  error_rate?: number;
  rps?: number;
}
export interface DeploymentCreatedData {
  deployment_id: string;
  model_name: string;
  model_version: number;
  environment: DeploymentEnvironment;
  config: DeploymentConfig;
}
export interface DeploymentStatusChangedData {
  deployment_id: string;
  from: DeploymentStatus;
  to: DeploymentStatus;
  reason?: string;
}
export interface DeploymentHealthReportedData {
  deployment_id: string;
  reported_at: string;
  health?: DeploymentHealth;
  metrics?: DeploymentMetrics;
}
export interface DeploymentPromotedData {
  deployment_id: string;
  from_traffic_percent: number;
  to_traffic_percent: 100;
}
export interface DeploymentRolledBackData {
  deployment_id: string;
  from: 'active';
  reason?: string;
}
export interface DeploymentTerminatedData {
  deployment_id: string;
  from: DeploymentStatus;
  terminated_at: string;
  reason?: string;
}
export interface DriftDetectedData {
  drift_event_id: string;
  model_name: string;
  model_version: number;
  feature: string;
  metric: string;
  value: number;
  threshold: number;
  severity: DriftSeverity;
  detected_at: string;
}
export type DeploymentDriftAlertedData = DriftDetectedData & { deployment_id: string };

export type DeploymentEvent =
  | { type: 'DeploymentCreated'; data: DeploymentCreatedData }
  | { type: 'DeploymentStatusChanged'; data: DeploymentStatusChangedData }
  | { type: 'DeploymentHealthReported'; data: DeploymentHealthReportedData }
  | { type: 'DeploymentPromoted'; data: DeploymentPromotedData }
  | { type: 'DeploymentRolledBack'; data: DeploymentRolledBackData }
  | { type: 'DeploymentTerminated'; data: DeploymentTerminatedData }
  | { type: 'DeploymentDriftAlerted'; data: DeploymentDriftAlertedData };

export type DriftEvent = { type: 'DriftDetected'; data: DriftDetectedData };

export const lifecycleCatalog = new EventCatalog(Topics.lifecycle, '/mlops/lifecycle', [
  { name: 'ExperimentCreated', type: 'mlops.lifecycle.experiment.created.v1', schema: experimentCreated },
  { name: 'ExperimentUpdated', type: 'mlops.lifecycle.experiment.updated.v1', schema: experimentUpdated },
  { name: 'ExperimentArchived', type: 'mlops.lifecycle.experiment.archived.v1', schema: experimentArchived },
  { name: 'ExperimentRestored', type: 'mlops.lifecycle.experiment.restored.v1', schema: experimentRestored },
  { name: 'RunStarted', type: 'mlops.lifecycle.run.started.v1', schema: runStarted },
  { name: 'RunParamsLogged', type: 'mlops.lifecycle.run.params_logged.v1', schema: runParamsLogged },
  { name: 'RunTagsSet', type: 'mlops.lifecycle.run.tags_set.v1', schema: runTagsSet },
  { name: 'RunMetricsLogged', type: 'mlops.lifecycle.run.metrics_logged.v1', schema: runMetricsLogged },
  { name: 'RunEnded', type: 'mlops.lifecycle.run.ended.v1', schema: runEnded },
  { name: 'ExperimentTagSet', type: 'mlops.lifecycle.experiment.tag_set.v1', schema: experimentTagSet },
  { name: 'ExperimentTagDeleted', type: 'mlops.lifecycle.experiment.tag_deleted.v1', schema: experimentTagDeleted },
  { name: 'ExperimentRenamed', type: 'mlops.lifecycle.experiment.renamed.v1', schema: experimentRenamed },
  { name: 'RunTagValuesSet', type: 'mlops.lifecycle.run.tag_values_set.v1', schema: runTagValuesSet },
  { name: 'RunTagValueDeleted', type: 'mlops.lifecycle.run.tag_value_deleted.v1', schema: runTagValueDeleted },
  { name: 'RunRenamed', type: 'mlops.lifecycle.run.renamed.v1', schema: runRenamed },
  { name: 'RunDeleted', type: 'mlops.lifecycle.run.deleted.v1', schema: runDeleted },
  { name: 'RunRestored', type: 'mlops.lifecycle.run.restored.v1', schema: runRestored },
  { name: 'RunInputsLogged', type: 'mlops.lifecycle.run.inputs_logged.v1', schema: runInputsLogged },
  { name: 'ModelVersionRegistered', type: 'mlops.lifecycle.model_version.registered.v1', schema: modelVersionRegistered },
  { name: 'ModelVersionUpdated', type: 'mlops.lifecycle.model_version.updated.v1', schema: modelVersionUpdated },
  { name: 'ModelVersionChecklistUpdated', type: 'mlops.lifecycle.model_version.checklist_updated.v1', schema: modelVersionChecklistUpdated },
  { name: 'ModelVersionStageChanged', type: 'mlops.lifecycle.model_version.stage_changed.v1', schema: modelVersionStageChanged },
  { name: 'RegisteredModelCreated', type: 'mlops.lifecycle.registered_model.created.v1', schema: registeredModelCreated },
  { name: 'RegisteredModelUpdated', type: 'mlops.lifecycle.registered_model.updated.v1', schema: registeredModelUpdated },
  { name: 'RegisteredModelPropertySet', type: 'mlops.lifecycle.registered_model.property_set.v1', schema: registeredModelPropertySet },
  { name: 'RegisteredModelPropertyDeleted', type: 'mlops.lifecycle.registered_model.property_deleted.v1', schema: registeredModelPropertyDeleted },
  { name: 'RegisteredModelDeleted', type: 'mlops.lifecycle.registered_model.deleted.v1', schema: registeredModelDeleted },
  { name: 'RegisteredModelRenamed', type: 'mlops.lifecycle.registered_model.renamed.v1', schema: registeredModelRenamed },
  { name: 'ModelVersionPropertySet', type: 'mlops.lifecycle.model_version.property_set.v1', schema: modelVersionPropertySet },
  { name: 'ModelVersionPropertyDeleted', type: 'mlops.lifecycle.model_version.property_deleted.v1', schema: modelVersionPropertyDeleted },
  { name: 'ModelVersionDeleted', type: 'mlops.lifecycle.model_version.deleted.v1', schema: modelVersionDeleted },
  { name: 'ModelVersionAliasSet', type: 'mlops.lifecycle.model_version.alias_set.v1', schema: modelVersionAliasSet },
  { name: 'ModelVersionAliasDeleted', type: 'mlops.lifecycle.model_version.alias_deleted.v1', schema: modelVersionAliasDeleted },
  { name: 'LoggedModelCreated', type: 'mlops.lifecycle.logged_model.created.v1', schema: loggedModelCreated },
  { name: 'LoggedModelFinalized', type: 'mlops.lifecycle.logged_model.finalized.v1', schema: loggedModelFinalized },
  { name: 'LoggedModelTagsSet', type: 'mlops.lifecycle.logged_model.tags_set.v1', schema: loggedModelTagsSet },
  { name: 'LoggedModelTagDeleted', type: 'mlops.lifecycle.logged_model.tag_deleted.v1', schema: loggedModelTagDeleted },
  { name: 'LoggedModelParamsLogged', type: 'mlops.lifecycle.logged_model.params_logged.v1', schema: loggedModelParamsLogged },
  { name: 'LoggedModelDeleted', type: 'mlops.lifecycle.logged_model.deleted.v1', schema: loggedModelDeleted },
  { name: 'ArtifactStored', type: 'mlops.lifecycle.artifact.stored.v1', schema: artifactStored },
  { name: 'DeploymentCreated', type: 'mlops.lifecycle.deployment.created.v1', schema: deploymentCreated },
  { name: 'DeploymentStatusChanged', type: 'mlops.lifecycle.deployment.status_changed.v1', schema: deploymentStatusChanged },
  { name: 'DeploymentHealthReported', type: 'mlops.lifecycle.deployment.health_reported.v1', schema: deploymentHealthReported },
  { name: 'DeploymentPromoted', type: 'mlops.lifecycle.deployment.promoted.v1', schema: deploymentPromoted },
  { name: 'DeploymentRolledBack', type: 'mlops.lifecycle.deployment.rolled_back.v1', schema: deploymentRolledBack },
  { name: 'DeploymentTerminated', type: 'mlops.lifecycle.deployment.terminated.v1', schema: deploymentTerminated },
  { name: 'DeploymentDriftAlerted', type: 'mlops.lifecycle.deployment.drift_alerted.v1', schema: deploymentDriftAlerted },
  { name: 'DriftDetected', type: 'mlops.lifecycle.drift.detected.v1', schema: driftDetected },
  ...trafficAllocationEventDefinitions,
  ...nameClaimEventDefinitions,
]);
export * from './lifecycle-names.events';
