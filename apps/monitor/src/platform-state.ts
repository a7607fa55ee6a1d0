/**
 * The platform's state as the monitor sees it: a pure fold of the event log. Replaying the topics
 * from offset 0 gives the same state, so every exported series can be rebuilt. Only the fields the
 * series need are read; their shapes are the published JSON Schemas'.
 */
export interface MonitoredEvent {
  id: string;
  type: string;
  subject: string;
  streamversion: number;
  data: Record<string, any>;
}

export interface DeploymentView {
  model: string;
  version: number;
  environment: string;
  status: string;
  trafficPercent: number;
}

export interface Tally {
  [field: string]: number;
}

export interface PlatformState {
  /**
   * What a registered model is called now, by its key where that differs. Lifecycle and evaluation
   * events name a model by its key (its stream's: the name it was created with, or a fresh key);
   * `registered_model.renamed` moves the name. The series are labelled by `modelCalled`.
   */
  modelNames: Map<string, string>;
  deployments: Map<string, DeploymentView>;
  /** Last drift statistic per model version, feature and metric. */
  drift: Map<string, { model: string; version: number; feature: string; metric: string; value: number; threshold: number; severity: string }>;
  /** Status changes into each status, per model and environment: failures and rollbacks as they happen. */
  transitions: Map<string, { model: string; environment: string; to: string; count: number }>;
  driftEvents: Map<string, { model: string; severity: string; count: number }>;
  driftAlerts: Map<string, { model: string; environment: string; count: number }>;
  /** Last computed drift per dataset and column (the feature store's drift reports). */
  datasetDrift: Map<string, { dataset: string; reference: string; column: string; method: string; score: number; threshold: number; drifted: boolean }>;
  datasetDriftShare: Map<string, { dataset: string; reference: string; share: number; drifted: boolean }>;
  evaluations: Map<string, { scenario: string; model: string; result: string; count: number }>;
  promptUsage: Map<string, { template: string; version: number } & Tally>;
  promptLabels: Map<string, { template: string; label: string; version: number }>;
}

export const emptyState = (): PlatformState => ({
  modelNames: new Map(),
  deployments: new Map(),
  drift: new Map(),
  transitions: new Map(),
  driftEvents: new Map(),
  driftAlerts: new Map(),
  datasetDrift: new Map(),
  datasetDriftShare: new Map(),
  evaluations: new Map(),
  promptUsage: new Map(),
  promptLabels: new Map(),
});

/** Statuses whose deployment serves traffic. */
export const LIVE_STATUSES = new Set(['pending', 'validating', 'deploying', 'active']);

/** The name the model with this key is called now (its key until renamed). */
export const modelCalled = (state: PlatformState, modelKey: string): string => state.modelNames.get(modelKey) ?? modelKey;

const key = (...parts: (string | number)[]) => parts.join('\u0000');

function count<T extends { count: number }>(map: Map<string, T>, id: string, init: Omit<T, 'count'>): void {
  const current = map.get(id) ?? ({ ...init, count: 0 } as T);
  current.count += 1;
  map.set(id, current);
}

/** Applies one event (already validated and de-duplicated). Unknown types leave the state alone. */
export function applyEvent(state: PlatformState, event: MonitoredEvent): void {
  const d = event.data;
  switch (event.type) {
    case 'mlops.lifecycle.registered_model.renamed.v1':
      // `model_name` is the key; a model renamed back to its key is called by it again.
      if (d.new_name === d.model_name) state.modelNames.delete(d.model_name);
      else state.modelNames.set(d.model_name, d.new_name);
      return;
    case 'mlops.lifecycle.registered_model.created.v1':
      // Created (again, after a delete) on its stream: called by its key until renamed. A deleted
      // model keeps the name it had last, as the lifecycle's read model shows it.
      state.modelNames.delete(d.model_name);
      return;
    case 'mlops.lifecycle.deployment.created.v1':
      state.deployments.set(d.deployment_id, {
        model: d.model_name,
        version: d.model_version,
        environment: d.environment,
        status: 'pending',
        trafficPercent: d.config.traffic_percent,
      });
      return;
    case 'mlops.lifecycle.deployment.status_changed.v1':
    case 'mlops.lifecycle.deployment.terminated.v1':
    case 'mlops.lifecycle.deployment.rolled_back.v1': {
      const deployment = state.deployments.get(d.deployment_id);
      if (!deployment) return;
      deployment.status = event.type.endsWith('status_changed.v1') ? d.to : event.type.endsWith('terminated.v1') ? 'terminated' : 'rollback';
      count(state.transitions, key(deployment.model, deployment.environment, deployment.status), { model: deployment.model, environment: deployment.environment, to: deployment.status });
      return;
    }
    case 'mlops.lifecycle.deployment.promoted.v1': {
      const deployment = state.deployments.get(d.deployment_id);
      if (deployment) deployment.trafficPercent = d.to_traffic_percent;
      return;
    }
    case 'mlops.lifecycle.deployment.drift_alerted.v1': {
      const deployment = state.deployments.get(d.deployment_id);
      count(state.driftAlerts, key(d.model_name, deployment?.environment ?? 'unknown'), { model: d.model_name, environment: deployment?.environment ?? 'unknown' });
      return;
    }
    case 'mlops.lifecycle.drift.detected.v1':
      state.drift.set(key(d.model_name, d.model_version, d.feature, d.metric), {
        model: d.model_name,
        version: d.model_version,
        feature: d.feature,
        metric: d.metric,
        value: d.value,
        threshold: d.threshold,
        severity: d.severity,
      });
      count(state.driftEvents, key(d.model_name, d.severity), { model: d.model_name, severity: d.severity });
      return;
    case 'mlops.feature-store.dataset.drift_computed.v1':
      applyDatasetDrift(state, d);
      return;
    case 'mlops.evaluation.run.completed.v1': {
      // A gate without thresholds decides nothing: "not evaluated", as the lifecycle treats it.
      const result = d.gate.thresholds.length === 0 ? 'not_evaluated' : d.gate.passed ? 'passed' : 'failed';
      count(state.evaluations, key(d.scenario_name, d.model_name, result), { scenario: d.scenario_name, model: d.model_name, result });
      return;
    }
    case 'mlops.evaluation.run.failed.v1':
      count(state.evaluations, key(d.scenario_name, d.model_name, 'error'), { scenario: d.scenario_name, model: d.model_name, result: 'error' });
      return;
    case 'mlops.prompt-governance.usage.logged.v1': {
      const id = key(d.template_id, d.version);
      const usage = state.promptUsage.get(id) ?? { template: d.template_id, version: d.version, requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, cost: 0, latencyMsSum: 0 };
      usage.requests += d.count;
      usage.errors += d.error_count;
      usage.inputTokens += d.input_tokens;
      usage.outputTokens += d.output_tokens;
      usage.cost += d.cost;
      usage.latencyMsSum += d.latency_ms_sum ?? 0;
      state.promptUsage.set(id, usage);
      return;
    }
    case 'mlops.prompt-governance.template_label.moved.v1':
      state.promptLabels.set(key(d.template_id, d.label), { template: d.template_id, label: d.label, version: d.to_version });
      return;
  }
}

/**
 * The feature store's drift report: per column the method and its drift score — the p-value for
 * test methods (drift below the threshold), the distance for distance methods (drift at or above).
 */
function applyDatasetDrift(state: PlatformState, d: Record<string, any>): void {
  const dataset: string = d.dataset_id;
  const reference: string = d.reference_dataset_id;
  for (const column of d.columns as Record<string, any>[]) {
    state.datasetDrift.set(key(dataset, reference, column.column), {
      dataset,
      reference,
      column: column.column,
      method: column.method,
      score: column.p_value ?? column.distance ?? Number.NaN,
      threshold: column.threshold,
      drifted: column.drifted,
    });
  }
  state.datasetDriftShare.set(key(dataset, reference), { dataset, reference, share: d.share_of_drifted_columns, drifted: d.dataset_drift });
}
