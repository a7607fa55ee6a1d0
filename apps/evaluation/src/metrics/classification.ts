import { Label } from './labels';

/**
 * Columnar input for classification metrics: labels as indexes into `classes` (every class of the
 * task, in scikit-learn's sorted order), so 100,000 cases cost a few typed arrays.
 */
export interface ClassificationInput {
  classes: Label[];
  yTrue: Int32Array;
  yPred: Int32Array;
  /** Binary: index of the positive class. */
  positive?: number;
  /** Binary: P(positive class) per case. */
  scores?: Float64Array;
  /** Multiclass: one column of probabilities per class, aligned with `classes`. */
  proba?: Float64Array[];
}

/** A metric value, or null with the reason scikit-learn gives for leaving it undefined. */
export interface MetricValue {
  value: number | null;
  reason?: string;
}

export interface ConfusionMatrix {
  /** The classes present in y_true or y_pred, sorted (scikit-learn's default `labels`). */
  labels: Label[];
  /** Row-major: `matrix[i * labels.length + j]` counts cases of true class i predicted as j. */
  matrix: number[];
}

/** Full k×k counts over every class of the task. */
export function countMatrix(k: number, yTrue: Int32Array, yPred: Int32Array): Float64Array {
  const counts = new Float64Array(k * k);
  for (let i = 0; i < yTrue.length; i++) counts[yTrue[i] * k + yPred[i]]++;
  return counts;
}

interface Tallies {
  /** Classes present in y_true ∪ y_pred, as indexes. */
  present: number[];
  tp: Float64Array;
  /** Predicted as the class. */
  predicted: Float64Array;
  /** Truly the class (support). */
  support: Float64Array;
}

function tallies(input: ClassificationInput): Tallies {
  const k = input.classes.length;
  const counts = countMatrix(k, input.yTrue, input.yPred);
  const tp = new Float64Array(k);
  const predicted = new Float64Array(k);
  const support = new Float64Array(k);
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      const c = counts[t * k + p];
      support[t] += c;
      predicted[p] += c;
      if (t === p) tp[t] = c;
    }
  }
  const present = [...Array(k).keys()].filter((c) => support[c] > 0 || predicted[c] > 0);
  return { present, tp, predicted, support };
}

/** zero_division=0, as scikit-learn reports (with a warning) when a ratio is 0/0. */
const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
const fScore = (tp: number, predicted: number, support: number) => ratio(2 * tp, predicted + support);

export function confusionMatrix(input: ClassificationInput): ConfusionMatrix {
  const k = input.classes.length;
  const counts = countMatrix(k, input.yTrue, input.yPred);
  const { present } = tallies(input);
  const matrix: number[] = [];
  for (const t of present) for (const p of present) matrix.push(counts[t * k + p]);
  return { labels: present.map((c) => input.classes[c]), matrix };
}

export function accuracy(input: ClassificationInput): number {
  let correct = 0;
  for (let i = 0; i < input.yTrue.length; i++) if (input.yTrue[i] === input.yPred[i]) correct++;
  return correct / input.yTrue.length;
}

/** Mean recall over the classes present in y_true (classes only predicted are dropped, as scikit-learn does). */
export function balancedAccuracy(input: ClassificationInput): number {
  const { present, tp, support } = tallies(input);
  const recalls = present.filter((c) => support[c] > 0).map((c) => tp[c] / support[c]);
  return recalls.reduce((a, b) => a + b, 0) / recalls.length;
}

export type Average = 'binary' | 'micro' | 'macro' | 'weighted';

export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
}

/** precision_recall_fscore_support with zero_division=0 over the present classes. */
export function precisionRecallF1(input: ClassificationInput, average: Average): PrecisionRecallF1 {
  const { present, tp, predicted, support } = tallies(input);
  if (average === 'binary') {
    const p = input.positive;
    if (p === undefined) throw new Error('binary average needs a positive class');
    return { precision: ratio(tp[p], predicted[p]), recall: ratio(tp[p], support[p]), f1: fScore(tp[p], predicted[p], support[p]) };
  }
  if (average === 'micro') {
    let tpSum = 0;
    let predSum = 0;
    let trueSum = 0;
    for (const c of present) {
      tpSum += tp[c];
      predSum += predicted[c];
      trueSum += support[c];
    }
    return { precision: ratio(tpSum, predSum), recall: ratio(tpSum, trueSum), f1: fScore(tpSum, predSum, trueSum) };
  }
  const weights = present.map((c) => (average === 'weighted' ? support[c] : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const mean = (values: number[]) => (total === 0 ? 0 : values.reduce((sum, v, i) => sum + v * weights[i], 0) / total);
  return {
    precision: mean(present.map((c) => ratio(tp[c], predicted[c]))),
    recall: mean(present.map((c) => ratio(tp[c], support[c]))),
    f1: mean(present.map((c) => fScore(tp[c], predicted[c], support[c]))),
  };
}

const ONE_CLASS = 'Only one class is present in y_true. ROC AUC score is not defined in that case.';

/** Area under the ROC curve of one class against the rest, ties counted half (trapezoids over distinct thresholds). */
export function binaryRocAuc(isPositive: Uint8Array, scores: Float64Array): MetricValue {
  const n = scores.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += isPositive[i];
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return { value: null, reason: ONE_CLASS };
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[b] - scores[a]);
  let area = 0;
  let tp = 0;
  let fp = 0;
  let prevTp = 0;
  let prevFp = 0;
  for (let i = 0; i < n; i++) {
    const index = order[i];
    if (isPositive[index]) tp++;
    else fp++;
    // Close a trapezoid only at the end of a run of equal scores.
    if (i === n - 1 || scores[order[i + 1]] !== scores[index]) {
      area += (fp - prevFp) * (tp + prevTp);
      prevTp = tp;
      prevFp = fp;
    }
  }
  return { value: area / (2 * positives * negatives) };
}

/** Binary: AUC of the positive-class scores. Multiclass: one-vs-rest, unweighted mean over the task's classes. */
export function rocAuc(input: ClassificationInput): MetricValue {
  const n = input.yTrue.length;
  if (input.scores && input.positive !== undefined) {
    const isPositive = new Uint8Array(n);
    for (let i = 0; i < n; i++) isPositive[i] = input.yTrue[i] === input.positive ? 1 : 0;
    return binaryRocAuc(isPositive, input.scores);
  }
  if (!input.proba) return { value: null, reason: 'needs scores or probabilities' };
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (const column of input.proba) sum += column[i];
    // np.allclose(1, sum): |1 - sum| <= 1e-8 + 1e-5 * |sum|
    if (Math.abs(1 - sum) > 1e-8 + 1e-5 * Math.abs(sum)) {
      return { value: null, reason: 'Target scores need to be probabilities for multiclass roc_auc, i.e. they should sum up to 1.0 over classes' };
    }
  }
  let total = 0;
  for (let c = 0; c < input.classes.length; c++) {
    const isPositive = new Uint8Array(n);
    for (let i = 0; i < n; i++) isPositive[i] = input.yTrue[i] === c ? 1 : 0;
    const auc = binaryRocAuc(isPositive, input.proba[c]);
    if (auc.value === null) return { value: null, reason: `class ${String(input.classes[c])}: ${auc.reason}` };
    total += auc.value;
  }
  return { value: total / input.classes.length };
}

/** float64 machine epsilon: scikit-learn clips probabilities to [eps, 1 - eps]. */
const EPS = Number.EPSILON;
const clip = (p: number) => Math.min(Math.max(p, EPS), 1 - EPS);

/** Mean cross-entropy of the true class; probabilities of exactly 0 or 1 are clipped as scikit-learn does. */
export function logLoss(input: ClassificationInput): MetricValue {
  const n = input.yTrue.length;
  if (input.classes.length < 2) return { value: null, reason: 'log loss needs at least two classes' };
  let total = 0;
  if (input.scores && input.positive !== undefined) {
    for (let i = 0; i < n; i++) {
      const s = input.scores[i];
      total -= Math.log(clip(input.yTrue[i] === input.positive ? s : 1 - s));
    }
  } else if (input.proba) {
    for (let i = 0; i < n; i++) total -= Math.log(clip(input.proba[input.yTrue[i]][i]));
  } else {
    return { value: null, reason: 'needs scores or probabilities' };
  }
  return { value: total / n };
}

/** A ROC curve as scikit-learn's `roc_curve` answers it; the first threshold (+inf there) is null here, JSON having no infinity. */
export interface RocCurve {
  fpr: number[];
  tpr: number[];
  thresholds: (number | null)[];
}

/**
 * scikit-learn's `roc_curve(y, scores, drop_intermediate=True)` of one class against the rest:
 * a point per distinct score (highest first), collinear points dropped, (0, 0) first. Undefined
 * (null, with the reason) when only one class is present, where scikit-learn's rates are NaN.
 */
export function rocCurve(isPositive: Uint8Array, scores: Float64Array): { curve: RocCurve | null; reason?: string } {
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[b] - scores[a]);
  // Cumulative true and false positives at the end of each run of equal scores (_binary_clf_curve).
  const tps: number[] = [];
  const fps: number[] = [];
  const cuts: number[] = [];
  let tp = 0;
  for (let i = 0; i < n; i++) {
    tp += isPositive[order[i]];
    if (i === n - 1 || scores[order[i + 1]] !== scores[order[i]]) {
      tps.push(tp);
      fps.push(i + 1 - tp);
      cuts.push(scores[order[i]]);
    }
  }
  const positives = tps.at(-1) ?? 0;
  const negatives = fps.at(-1) ?? 0;
  if (positives === 0 || negatives === 0) return { curve: null, reason: ONE_CLASS.replace('ROC AUC score', 'The ROC curve') };
  // drop_intermediate: keep the ends and every point where the curve bends (a second difference is non-zero).
  const kept = tps.length > 2 ? tps.map((_, i) => i).filter((i) => i === 0 || i === tps.length - 1 || fps[i - 1] - 2 * fps[i] + fps[i + 1] !== 0 || tps[i - 1] - 2 * tps[i] + tps[i + 1] !== 0) : tps.map((_, i) => i);
  return {
    curve: {
      fpr: [0, ...kept.map((i) => fps[i] / negatives)],
      tpr: [0, ...kept.map((i) => tps[i] / positives)],
      thresholds: [null, ...kept.map((i) => cuts[i])],
    },
  };
}

/**
 * At most `maxPoints` of a curve, spread evenly along its length: a ROC curve only moves up and
 * right, so the length walked to a point is fpr + tpr, and the first point past each of
 * `maxPoints - 1` equal steps is kept, with both ends. Each kept point is one of the curve's own.
 */
export function capCurve(curve: RocCurve, maxPoints: number): RocCurve {
  const n = curve.fpr.length;
  if (n <= maxPoints) return curve;
  const length = curve.fpr[n - 1] + curve.tpr[n - 1];
  const kept: number[] = [0];
  let step = 1;
  for (let i = 1; i < n - 1 && step < maxPoints - 1; i++) {
    if (curve.fpr[i] + curve.tpr[i] < (step * length) / (maxPoints - 1)) continue;
    kept.push(i);
    while (step < maxPoints - 1 && (step * length) / (maxPoints - 1) <= curve.fpr[i] + curve.tpr[i]) step++;
  }
  kept.push(n - 1);
  return { fpr: kept.map((i) => curve.fpr[i]), tpr: kept.map((i) => curve.tpr[i]), thresholds: kept.map((i) => curve.thresholds[i]) };
}
