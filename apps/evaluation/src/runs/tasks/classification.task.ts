import type { ScenarioLabel } from '@mlops/events';
import { accuracy, balancedAccuracy, binaryRocAuc, capCurve, ClassificationInput, confusionMatrix, logLoss, MetricValue, precisionRecallF1, rocAuc, rocCurve } from '../../metrics/classification';
import { labelKey } from '../../metrics/labels';
import { EvaluationFailure, EvaluationReport, RocCurveReport, RocReport } from '../evaluation-report';
import { gather, slicesOfCase } from '../slicing';
import { TaskStrategy } from './task-evaluation';

/** A 100,000-case run's report keeps at most this many points per ROC curve. */
export const ROC_MAX_POINTS = 1_000;

function rocCurveOf(label: ScenarioLabel, isPositive: Uint8Array, scores: Float64Array): RocCurveReport {
  const { curve, reason } = rocCurve(isPositive, scores);
  const capped = curve && capCurve(curve, ROC_MAX_POINTS);
  return {
    label,
    auc: binaryRocAuc(isPositive, scores).value,
    reason: reason ?? null,
    point_count: curve?.fpr.length ?? 0,
    fpr: capped?.fpr ?? [],
    tpr: capped?.tpr ?? [],
    thresholds: capped?.thresholds ?? [],
  };
}

/** Binary: the positive class's curve from the scores; multiclass: one-vs-rest per class from the probabilities. */
function rocReport(input: ClassificationInput): RocReport {
  const n = input.yTrue.length;
  const against = (c: number) => Uint8Array.from(input.yTrue, (y) => (y === c ? 1 : 0));
  if (input.scores && input.positive !== undefined) {
    return { reason: null, max_points: ROC_MAX_POINTS, curves: [rocCurveOf(input.classes[input.positive], against(input.positive), input.scores)] };
  }
  if (input.proba && n > 0) {
    return { reason: null, max_points: ROC_MAX_POINTS, curves: input.classes.map((label, c) => rocCurveOf(label, against(c), input.proba![c])) };
  }
  return { reason: 'The predictions carry no scores (binary) or probabilities (multiclass): a ROC curve needs them.', max_points: ROC_MAX_POINTS, curves: [] };
}

/** Binary and multiclass classification: labels encoded as class indexes, scores or probabilities when given. */
export const classificationTask: TaskStrategy = ({ task, cases, predictions, errorAnalysisLimit }) => {
  const n = cases.ids.length;
  const classes = predictions.classes;
  const index = new Map(classes.map((label, i) => [labelKey(label), i]));
  const encode = (labels: (ScenarioLabel | null)[]) =>
    Int32Array.from(labels, (label) => {
      const k = label === null ? undefined : index.get(labelKey(label));
      if (k === undefined) throw new EvaluationFailure(`label ${String(label)} is not a class of the run`);
      return k;
    });
  const all: ClassificationInput = {
    classes,
    yTrue: encode(cases.expected),
    yPred: encode(predictions.labels!),
    positive: predictions.positive_label === null ? undefined : index.get(labelKey(predictions.positive_label)),
    scores: predictions.scores ? Float64Array.from(predictions.scores) : undefined,
    proba: predictions.proba?.map((column) => Float64Array.from(column)),
  };
  const matrix = confusionMatrix(all);
  const k = matrix.labels.length;
  const confusion: EvaluationReport['confusion_matrix'] = { labels: matrix.labels, rows: matrix.labels.map((actual, r) => ({ actual, counts: matrix.matrix.slice(r * k, (r + 1) * k) })) };

  const sliceOf = slicesOfCase(cases);
  const wrong: { i: number; confidence: number | null }[] = [];
  for (let i = 0; i < n; i++) {
    if (all.yTrue[i] === all.yPred[i]) continue;
    const p = all.yPred[i];
    const confidence = all.scores ? (p === all.positive ? all.scores[i] : 1 - all.scores[i]) : all.proba ? all.proba[p][i] : null;
    wrong.push({ i, confidence });
  }
  wrong.sort((a, b) => (b.confidence ?? -1) - (a.confidence ?? -1) || a.i - b.i);

  return {
    confusion_matrix: confusion,
    roc_curve: rocReport(all),
    error_analysis: {
      kind: 'most_confident_wrong',
      total: wrong.length,
      items: wrong.slice(0, errorAnalysisLimit).map(({ i, confidence }) => ({
        id: cases.ids[i], expected: cases.expected[i], predicted: classes[all.yPred[i]], confidence,
        input: cases.inputs?.[i] ?? null, slices: sliceOf(i),
      })),
    },
    assertions: [],
    metricsOver(metrics, rows) {
      const values = new Map<string, MetricValue>();
      const input: ClassificationInput = {
        ...all,
        yTrue: gather(all.yTrue, rows),
        yPred: gather(all.yPred, rows),
        scores: all.scores && gather(all.scores, rows),
        proba: all.proba?.map((column) => gather(column, rows)),
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
      return values;
    },
  };
};
