import type { EvaluationMetricValue, EvaluationTaskType, GateResult, MetricThreshold, ScenarioDefinition, ScenarioLabel, TextAssertionSpec } from '@mlops/events';
import { accuracy, balancedAccuracy, ClassificationInput, confusionMatrix, logLoss, MetricValue, precisionRecallF1, rocAuc } from '../metrics/classification';
import { labelKey } from '../metrics/labels';
import { regressionMetrics } from '../metrics/regression';
import { Assertion, compilePattern, runAssertion } from '@mlops/assertions';
import { CasesPayload, SliceValue } from '../scenarios/scenario-cases';
import { isClassification, LOWER_IS_BETTER } from '../scenarios/scenario-definition';
import { PredictionsPayload } from './predictions';

export interface ReportMetric extends EvaluationMetricValue {
  /** Why the value is null (e.g. ROC-AUC with one class present). */
  reason?: string;
}

export interface SliceReport {
  key: string;
  value: SliceValue;
  case_count: number;
  metrics: ReportMetric[];
  gate: GateResult;
}

export interface FeatureImportance {
  feature: string;
  mean_abs_attribution: number;
  mean_attribution: number;
}

/** What a run computes: stored once in the payload store; the completed event carries the summary. */
export interface EvaluationReport {
  task_type: EvaluationTaskType;
  case_count: number;
  metrics: ReportMetric[];
  gate: GateResult;
  confusion_matrix: { labels: ScenarioLabel[]; rows: { actual: ScenarioLabel; counts: number[] }[] } | null;
  classes: ScenarioLabel[];
  positive_label: ScenarioLabel | null;
  /** The metric slices are ranked by, worst first. */
  slice_ranking: { metric: string; lower_is_better: boolean } | null;
  slices: SliceReport[];
  error_analysis: { kind: 'most_confident_wrong' | 'largest_errors' | 'failed_text_checks'; total: number; items: Record<string, unknown>[] };
  assertions: { type: string; value: string | null; passed: number; evaluated: number; pass_rate: number | null }[];
  explainability: {
    available: boolean;
    reason: string | null;
    method: string | null;
    feature_importance: FeatureImportance[];
    by_slice: { key: string; value: SliceValue; top_features: FeatureImportance[] }[];
  };
}

/** A run that cannot be evaluated (the reason becomes the run's failure reason). */
export class EvaluationFailure extends Error {}

const MAX_SLICE_VALUES = 200;
const TOP_FEATURES_PER_SLICE = 5;

export interface EvaluationInput {
  task: EvaluationTaskType;
  definition: ScenarioDefinition;
  cases: CasesPayload;
  predictions: PredictionsPayload;
  errorAnalysisLimit: number;
}

/** The subset of cases (all when `rows` is null) as the typed columns the metric functions take. */
interface Columns {
  classification?: ClassificationInput;
  yTrue?: Float64Array;
  yPred?: Float64Array;
  textPass?: Uint8Array; // per case: every assertion passed (1), some failed (0), none ran (2)
  exact?: Uint8Array; // 1 match, 0 mismatch, 2 no expected text
}

function gather<T extends Float64Array | Int32Array | Uint8Array>(array: T, rows: Int32Array | null): T {
  if (!rows) return array;
  const out = new (array.constructor as new (n: number) => T)(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = array[rows[i]];
  return out;
}

function computeMetrics(task: EvaluationTaskType, metrics: string[], all: Columns, rows: Int32Array | null): ReportMetric[] {
  const values = new Map<string, MetricValue>();
  if (isClassification(task)) {
    const base = all.classification!;
    const input: ClassificationInput = {
      ...base,
      yTrue: gather(base.yTrue, rows),
      yPred: gather(base.yPred, rows),
      scores: base.scores && gather(base.scores, rows),
      proba: base.proba?.map((column) => gather(column, rows)),
    };
    const want = (m: string) => metrics.includes(m);
    if (want('accuracy')) values.set('accuracy', { value: accuracy(input) });
    if (want('balanced_accuracy')) values.set('balanced_accuracy', { value: balancedAccuracy(input) });
    const own = task === 'binary_classification' && input.positive !== undefined ? 'binary' : 'macro';
    for (const average of ['own', 'micro', 'macro', 'weighted'] as const) {
      const suffix = average === 'own' ? '' : `_${average}`;
      if (!['precision', 'recall', 'f1'].some((m) => want(m + suffix))) continue;
      const prf = precisionRecallF1(input, average === 'own' ? own : average);
      for (const m of ['precision', 'recall', 'f1'] as const) if (want(m + suffix)) values.set(m + suffix, { value: prf[m] });
    }
    if (want('roc_auc')) values.set('roc_auc', rocAuc(input));
    if (want('log_loss')) values.set('log_loss', logLoss(input));
  } else if (task === 'regression') {
    const r = regressionMetrics(gather(all.yTrue!, rows), gather(all.yPred!, rows));
    for (const m of ['mae', 'mse', 'rmse', 'r2'] as const) values.set(m, { value: r[m] });
  } else {
    const rate = (flags: Uint8Array) => {
      let yes = 0;
      let counted = 0;
      for (const flag of flags) {
        if (flag === 2) continue;
        counted++;
        yes += flag;
      }
      return counted ? { value: yes / counted } : { value: null, reason: 'no case has an expected text or assertions' };
    };
    values.set('exact_match', rate(gather(all.exact!, rows)));
    values.set('assertion_pass_rate', rate(gather(all.textPass!, rows)));
  }
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
export function evaluate({ task, definition, cases, predictions, errorAnalysisLimit }: EvaluationInput): EvaluationReport {
  const n = cases.ids.length;
  const columns: Columns = {};
  let confusion: EvaluationReport['confusion_matrix'] = null;
  const sliceOf = (i: number) => cases.slice_keys.map((key, k) => ({ key, value: cases.slice_values[k][i] }));
  let errorAnalysis: EvaluationReport['error_analysis'];
  const assertionSummary: EvaluationReport['assertions'] = [];

  if (isClassification(task)) {
    const classes = predictions.classes;
    const index = new Map(classes.map((label, i) => [labelKey(label), i]));
    const encode = (labels: (ScenarioLabel | null)[]) =>
      Int32Array.from(labels, (label) => {
        const k = label === null ? undefined : index.get(labelKey(label));
        if (k === undefined) throw new EvaluationFailure(`label ${String(label)} is not a class of the run`);
        return k;
      });
    const input: ClassificationInput = {
      classes,
      yTrue: encode(cases.expected),
      yPred: encode(predictions.labels!),
      positive: predictions.positive_label === null ? undefined : index.get(labelKey(predictions.positive_label)),
      scores: predictions.scores ? Float64Array.from(predictions.scores) : undefined,
      proba: predictions.proba?.map((column) => Float64Array.from(column)),
    };
    columns.classification = input;
    const matrix = confusionMatrix(input);
    const k = matrix.labels.length;
    confusion = { labels: matrix.labels, rows: matrix.labels.map((actual, r) => ({ actual, counts: matrix.matrix.slice(r * k, (r + 1) * k) })) };
    const wrong: { i: number; confidence: number | null }[] = [];
    for (let i = 0; i < n; i++) {
      if (input.yTrue[i] === input.yPred[i]) continue;
      const p = input.yPred[i];
      const confidence = input.scores ? (p === input.positive ? input.scores[i] : 1 - input.scores[i]) : input.proba ? input.proba[p][i] : null;
      wrong.push({ i, confidence });
    }
    wrong.sort((a, b) => (b.confidence ?? -1) - (a.confidence ?? -1) || a.i - b.i);
    errorAnalysis = {
      kind: 'most_confident_wrong',
      total: wrong.length,
      items: wrong.slice(0, errorAnalysisLimit).map(({ i, confidence }) => ({
        id: cases.ids[i], expected: cases.expected[i], predicted: classes[input.yPred[i]], confidence,
        input: cases.inputs?.[i] ?? null, slices: sliceOf(i),
      })),
    };
  } else if (task === 'regression') {
    columns.yTrue = Float64Array.from(cases.expected as number[]);
    columns.yPred = Float64Array.from(predictions.values!);
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => Math.abs(columns.yPred![b] - columns.yTrue![b]) - Math.abs(columns.yPred![a] - columns.yTrue![a]) || a - b);
    errorAnalysis = {
      kind: 'largest_errors',
      total: n,
      items: order.slice(0, errorAnalysisLimit).map((i) => ({
        id: cases.ids[i], expected: cases.expected[i], predicted: predictions.values![i], error: predictions.values![i] - (cases.expected[i] as number),
        input: cases.inputs?.[i] ?? null, slices: sliceOf(i),
      })),
    };
  } else {
    const texts = predictions.texts!;
    const shared = definition.assertions.map((a) => ({ assertion: a as Assertion, compiled: a.type.endsWith('regex') ? compilePattern(a.value!) : undefined, passed: 0 }));
    columns.exact = new Uint8Array(n);
    columns.textPass = new Uint8Array(n);
    const failures: Record<string, unknown>[] = [];
    let failing = 0;
    for (let i = 0; i < n; i++) {
      const expected = cases.expected[i];
      columns.exact[i] = typeof expected === 'string' ? (texts[i] === expected ? 1 : 0) : 2;
      const failed: TextAssertionSpec[] = [];
      for (const s of shared) {
        if (runAssertion(texts[i], s.assertion, s.compiled).pass) s.passed++;
        else failed.push(s.assertion);
      }
      const own = cases.assertions?.[i] ?? [];
      for (const a of own) if (!runAssertion(texts[i], a as Assertion).pass) failed.push(a);
      const ran = shared.length + own.length;
      columns.textPass[i] = ran === 0 ? 2 : failed.length ? 0 : 1;
      if (failed.length || columns.exact[i] === 0) {
        failing++;
        if (failures.length < errorAnalysisLimit) {
          failures.push({ id: cases.ids[i], expected, output: texts[i], failed_assertions: failed, input: cases.inputs?.[i] ?? null, slices: sliceOf(i) });
        }
      }
    }
    for (const s of shared) assertionSummary.push({ type: s.assertion.type, value: s.assertion.value ?? null, passed: s.passed, evaluated: n, pass_rate: n ? s.passed / n : null });
    errorAnalysis = { kind: 'failed_text_checks', total: failing, items: failures };
  }

  const metrics = computeMetrics(task, definition.metrics, columns, null);
  const gate = gateOf(definition.thresholds, metrics);

  // Slices: the same metrics per value of each slice key, the worst first by the gate's first metric.
  const groups: { key: string; value: SliceValue; rows: Int32Array }[] = [];
  cases.slice_keys.forEach((key, k) => {
    const byValue = new Map<string, { value: SliceValue; rows: number[] }>();
    const column = cases.slice_values[k];
    for (let i = 0; i < n; i++) {
      const value = column[i];
      const id = value === null ? 'null' : labelKey(value);
      let group = byValue.get(id);
      if (!group) {
        if (byValue.size >= MAX_SLICE_VALUES) continue;
        byValue.set(id, (group = { value, rows: [] }));
      }
      group.rows.push(i);
    }
    for (const { value, rows } of byValue.values()) groups.push({ key, value, rows: Int32Array.from(rows) });
  });
  const rankMetric = definition.thresholds[0]?.metric ?? definition.metrics[0] ?? null;
  const lower = rankMetric !== null && LOWER_IS_BETTER.has(rankMetric);
  const slices: SliceReport[] = groups.map(({ key, value, rows }) => {
    const sliceMetrics = computeMetrics(task, definition.metrics, columns, rows);
    return { key, value, case_count: rows.length, metrics: sliceMetrics, gate: gateOf(definition.thresholds, sliceMetrics) };
  });
  const rankValue = (s: SliceReport) => s.metrics.find((m) => m.key === rankMetric)?.value ?? null;
  slices.sort((a, b) => {
    const va = rankValue(a);
    const vb = rankValue(b);
    if (va === null || vb === null) return (va === null ? 1 : 0) - (vb === null ? 1 : 0);
    return (lower ? vb - va : va - vb) || b.case_count - a.case_count;
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
    case_count: n,
    metrics,
    gate,
    confusion_matrix: confusion,
    classes: predictions.classes,
    positive_label: predictions.positive_label,
    slice_ranking: rankMetric ? { metric: rankMetric, lower_is_better: lower } : null,
    slices,
    error_analysis: errorAnalysis,
    assertions: assertionSummary,
    explainability,
  };
}
