import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { LIVE_STATUSES, modelCalled, PlatformState } from './platform-state';

export interface IntakeCounts {
  consumed: Map<string, { topic: string; type: string; count: number }>;
  rejected: Map<string, { topic: string; type: string; reason: string; count: number }>;
  duplicates: Map<string, { topic: string; count: number }>;
}

/**
 * The Prometheus series of the platform's state, computed from the folded state at scrape time
 * (so a rebuild from offset 0 exports the same values). Totals over the event log are counters.
 */
export function monitorRegistry(state: PlatformState, intake: IntakeCounts): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'monitor' });
  collectDefaultMetrics({ register: registry });

  /** A counter whose value is a total the fold keeps: reset, then set to that total on each scrape. */
  const total = <T>(name: string, help: string, labelNames: string[], rows: () => Iterable<T>, labels: (row: T) => Record<string, string>, value: (row: T) => number) =>
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const row of rows()) this.inc(labels(row), value(row));
      },
    });
  const gauge = <T>(name: string, help: string, labelNames: string[], rows: () => Iterable<T>, labels: (row: T) => Record<string, string>, value: (row: T) => number) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const row of rows()) this.set(labels(row), value(row));
      },
    });

  /** Series label a model by what it is called now; the fold keeps its key, so a rename moves them all. */
  const model = (modelKey: string) => modelCalled(state, modelKey);

  total('mlops_monitor_events_consumed_total', 'Events consumed, validated and applied, by topic and type', ['topic', 'type'], () => intake.consumed.values(), (r) => ({ topic: r.topic, type: r.type }), (r) => r.count);
  total('mlops_monitor_events_rejected_total', 'Events refused (invalid JSON, not a CloudEvent, unknown type, schema violation), by topic, type and reason', ['topic', 'type', 'reason'], () => intake.rejected.values(), (r) => ({ topic: r.topic, type: r.type, reason: r.reason }), (r) => r.count);
  total('mlops_monitor_events_duplicate_total', 'Redelivered or re-sent events skipped (same CloudEvent id, or a stream version already seen)', ['topic'], () => intake.duplicates.values(), (r) => ({ topic: r.topic }), (r) => r.count);

  gauge(
    'mlops_deployments',
    'Deployments by model, environment and status',
    ['model', 'environment', 'status'],
    () => {
      const counts = new Map<string, { model: string; environment: string; status: string; n: number }>();
      for (const d of state.deployments.values()) {
        const id = [model(d.model), d.environment, d.status].join('\u0000');
        const row = counts.get(id) ?? { model: model(d.model), environment: d.environment, status: d.status, n: 0 };
        row.n += 1;
        counts.set(id, row);
      }
      return counts.values();
    },
    (r) => ({ model: r.model, environment: r.environment, status: r.status }),
    (r) => r.n,
  );
  gauge(
    'mlops_deployment_traffic_percent',
    'Traffic share of each live deployment (canaries below 100)',
    ['deployment', 'model', 'version', 'environment'],
    () => [...state.deployments.entries()].filter(([, d]) => LIVE_STATUSES.has(d.status)),
    ([id, d]) => ({ deployment: id, model: model(d.model), version: String(d.version), environment: d.environment }),
    ([, d]) => d.trafficPercent,
  );
  total('mlops_deployment_transitions_total', 'Deployment status changes by model, environment and the status entered (failed and rollback included)', ['model', 'environment', 'to'], () => state.transitions.values(), (r) => ({ model: model(r.model), environment: r.environment, to: r.to }), (r) => r.count);
  gauge('mlops_drift_statistic', 'Last drift statistic recorded per model version, feature and metric', ['model', 'version', 'feature', 'metric'], () => state.drift.values(), (r) => ({ model: model(r.model), version: String(r.version), feature: r.feature, metric: r.metric }), (r) => r.value);
  gauge('mlops_drift_threshold', 'Threshold of the last drift statistic per model version, feature and metric', ['model', 'version', 'feature', 'metric'], () => state.drift.values(), (r) => ({ model: model(r.model), version: String(r.version), feature: r.feature, metric: r.metric }), (r) => r.threshold);
  total('mlops_drift_events_total', 'Drift events recorded, by model and severity', ['model', 'severity'], () => state.driftEvents.values(), (r) => ({ model: model(r.model), severity: r.severity }), (r) => r.count);
  total('mlops_deployment_drift_alerts_total', 'Critical-drift alerts raised on live production deployments', ['model', 'environment'], () => state.driftAlerts.values(), (r) => ({ model: model(r.model), environment: r.environment }), (r) => r.count);
  const columnLabels = ['dataset', 'reference', 'column', 'method'];
  const column = (r: { dataset: string; reference: string; column: string; method: string }) => ({ dataset: r.dataset, reference: r.reference, column: r.column, method: r.method });
  gauge('mlops_dataset_column_drift_score', 'Last computed drift score per dataset column against a reference: p-value (ks, chisquare, z) or distance (wasserstein, jensenshannon, psi)', columnLabels, () => state.datasetDrift.values(), column, (r) => r.score);
  gauge('mlops_dataset_column_drift_threshold', 'Threshold the drift score was compared with', columnLabels, () => state.datasetDrift.values(), column, (r) => r.threshold);
  gauge('mlops_dataset_column_drifted', '1 when the last drift report found the column drifted', columnLabels, () => state.datasetDrift.values(), column, (r) => (r.drifted ? 1 : 0));
  gauge('mlops_dataset_drifted_columns_share', 'Share of drifted columns in the last drift report of a dataset against a reference', ['dataset', 'reference'], () => state.datasetDriftShare.values(), (r) => ({ dataset: r.dataset, reference: r.reference }), (r) => r.share);
  gauge('mlops_dataset_drift', '1 when the last drift report found dataset drift (enough columns drifted)', ['dataset', 'reference'], () => state.datasetDriftShare.values(), (r) => ({ dataset: r.dataset, reference: r.reference }), (r) => (r.drifted ? 1 : 0));
  total('mlops_evaluation_runs_total', 'Evaluation runs by scenario, model and gate result (passed, failed, not_evaluated, error)', ['scenario', 'model', 'result'], () => state.evaluations.values(), (r) => ({ scenario: r.scenario, model: model(r.model), result: r.result }), (r) => r.count);

  const usage = (name: string, help: string, field: string) =>
    total(name, help, ['template', 'version'], () => state.promptUsage.values(), (r) => ({ template: r.template, version: String(r.version) }), (r) => r[field]);
  usage('mlops_prompt_usage_requests_total', 'Prompt calls logged, by template and version', 'requests');
  usage('mlops_prompt_usage_errors_total', 'Prompt calls that ended in an error', 'errors');
  usage('mlops_prompt_usage_input_tokens_total', 'Input tokens of prompt calls', 'inputTokens');
  usage('mlops_prompt_usage_output_tokens_total', 'Output tokens of prompt calls', 'outputTokens');
  usage('mlops_prompt_usage_cost_total', 'Cost of prompt calls, in the unit the callers report', 'cost');
  usage('mlops_prompt_usage_latency_milliseconds_total', 'Sum of prompt call latencies: divide by the requests total for the mean', 'latencyMsSum');
  gauge('mlops_prompt_label_version', 'The version a template label points at (join on template and version for usage by label)', ['template', 'label', 'version'], () => state.promptLabels.values(), (r) => ({ template: r.template, label: r.label, version: String(r.version) }), () => 1);
  return registry;
}
