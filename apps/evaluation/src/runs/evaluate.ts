import type { EvaluationMetricValue, EvaluationTaskType, GateResult, MetricThreshold } from '@mlops/events';
import { isClassification, LOWER_IS_BETTER } from '../scenarios/scenario-definition';
import { EvaluationFailure, EvaluationInput, EvaluationReport, FeatureImportance, ReportMetric, SliceReport } from './evaluation-report';
import { rankSlices, sliceGroups } from './slicing';
import { classificationTask } from './tasks/classification.task';
import { regressionTask } from './tasks/regression.task';
import { TaskEvaluation, TaskStrategy } from './tasks/task-evaluation';
import { textTask } from './tasks/text.task';

export * from './evaluation-report';

const TOP_FEATURES_PER_SLICE = 5;

const strategyFor = (task: EvaluationTaskType): TaskStrategy => (isClassification(task) ? classificationTask : task === 'regression' ? regressionTask : textTask);

/** The scenario's metrics in its order over `rows`; a value that overflowed fails the run. */
function metricsOver(evaluation: TaskEvaluation, metrics: string[], rows: Int32Array | null): ReportMetric[] {
  const values = evaluation.metricsOver(metrics, rows);
  return metrics.map((key) => {
    const metric = values.get(key) ?? { value: null, reason: 'not computed' };
    if (metric.value !== null && !Number.isFinite(metric.value)) throw new EvaluationFailure(`${key} is not finite (the values overflow double precision)`);
    return { key, value: metric.value, ...(metric.reason ? { reason: metric.reason } : {}) };
  });
}

/** A gate with no thresholds decides nothing: it is not evaluated — neither a pass nor a failure. */
export type GateStatus = 'passed' | 'failed' | 'not_evaluated';

export const gateStatus = (gate: GateResult): GateStatus => (gate.thresholds.length === 0 ? 'not_evaluated' : gate.passed ? 'passed' : 'failed');

/** Passed only when there are thresholds and every one holds (no vacuous pass on an empty gate). */
export function gateOf(thresholds: MetricThreshold[], metrics: EvaluationMetricValue[]): GateResult {
  const results = thresholds.map((t) => {
    const value = metrics.find((m) => m.key === t.metric)?.value ?? null;
    const passed = value !== null && (t.min === null || value >= t.min) && (t.max === null || value <= t.max);
    return { ...t, value, passed };
  });
  return { passed: results.length > 0 && results.every((r) => r.passed), thresholds: results };
}

function featureImportance(columns: number[][], features: string[], rows: Int32Array | null): FeatureImportance[] {
  const n = rows ? rows.length : columns[0]?.length ?? 0;
  return features
    .map((feature, f) => {
      let abs = 0;
      let signed = 0;
      const column = columns[f];
      for (let i = 0; i < n; i++) {
        const v = column[rows ? rows[i] : i];
        abs += Math.abs(v);
        signed += v;
      }
      return { feature, mean_abs_attribution: n ? abs / n : 0, mean_attribution: n ? signed / n : 0 };
    })
    .sort((a, b) => b.mean_abs_attribution - a.mean_abs_attribution || a.feature.localeCompare(b.feature));
}

/** Every metric, the gate, slices worst first, error analysis and explainability for one run. */
export function evaluate(input: EvaluationInput): EvaluationReport {
  const { task, definition, cases, predictions } = input;
  const evaluation = strategyFor(task)(input);
  const metrics = metricsOver(evaluation, definition.metrics, null);
  const gate = gateOf(definition.thresholds, metrics);

  // Slices: the same metrics per value of each slice key, the worst first by the gate's first metric.
  const groups = sliceGroups(cases);
  const rankMetric = definition.thresholds[0]?.metric ?? definition.metrics[0] ?? null;
  const lower = rankMetric !== null && LOWER_IS_BETTER.has(rankMetric);
  const slices: SliceReport[] = groups.map(({ key, value, rows }) => {
    const sliceMetrics = metricsOver(evaluation, definition.metrics, rows);
    return { key, value, case_count: rows.length, metrics: sliceMetrics, gate: gateOf(definition.thresholds, sliceMetrics) };
  });

  const attributions = predictions.attributions;
  const explainability: EvaluationReport['explainability'] = attributions
    ? {
        available: true,
        reason: null,
        method: 'mean absolute per-case attribution (e.g. SHAP values supplied with the predictions)',
        feature_importance: featureImportance(attributions.columns, attributions.features, null),
        by_slice: groups.map(({ key, value, rows }) => ({ key, value, top_features: featureImportance(attributions.columns, attributions.features, rows).slice(0, TOP_FEATURES_PER_SLICE) })),
      }
    : {
        available: false,
        reason: 'the run supplied no per-case attributions; permutation importance needs the model itself',
        method: null,
        feature_importance: [],
        by_slice: [],
      };

  return {
    task_type: task,
    case_count: cases.ids.length,
    metrics,
    gate,
    confusion_matrix: evaluation.confusion_matrix,
    roc_curve: evaluation.roc_curve,
    classes: predictions.classes,
    positive_label: predictions.positive_label,
    slice_ranking: rankMetric ? { metric: rankMetric, lower_is_better: lower } : null,
    slices: rankSlices(slices, rankMetric, lower),
    error_analysis: evaluation.error_analysis,
    assertions: evaluation.assertions,
    explainability,
  };
}
