import golden from '../../fixtures/sklearn/golden.json';
import { accuracy, balancedAccuracy, binaryRocAuc, capCurve, ClassificationInput, confusionMatrix, logLoss, precisionRecallF1, rocAuc, rocCurve, RocCurve } from './classification';
import { Label, labelKey, sortLabels } from './labels';

interface GoldenClassification {
  name: string;
  labels: Label[];
  positive_label: Label | null;
  y_true: Label[];
  y_pred: Label[];
  y_score?: number[];
  y_proba?: number[][];
  expected: Record<string, any>;
}

const cases = golden.classification as unknown as GoldenClassification[];

function inputOf(c: GoldenClassification): ClassificationInput {
  const classes = sortLabels(c.labels);
  const index = new Map(classes.map((label, i) => [labelKey(label), i]));
  const encode = (labels: Label[]) => Int32Array.from(labels, (label) => index.get(labelKey(label))!);
  return {
    classes,
    yTrue: encode(c.y_true),
    yPred: encode(c.y_pred),
    positive: c.positive_label === null ? undefined : index.get(labelKey(c.positive_label)),
    scores: c.y_score ? Float64Array.from(c.y_score) : undefined,
    proba: c.y_proba ? classes.map((_, k) => Float64Array.from(c.y_proba!, (row) => row[k])) : undefined,
  };
}

const close = (actual: number | null, expected: number | null) => {
  if (expected === null) return expect(actual).toBeNull();
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(1e-9);
};

describe(`classification metrics agree with scikit-learn ${golden.sklearn_version} to 1e-9`, () => {
  it('covers binary and multiclass fixtures, including the edge cases', () => {
    expect(cases.map((c) => c.name)).toEqual(
      expect.arrayContaining(['binary single class present', 'binary tied scores', 'binary probabilities of exactly 0 and 1', 'multiclass unpredicted and absent classes']),
    );
  });

  describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const input = inputOf(c);
    const e = c.expected;

    it('accuracy, balanced accuracy and the confusion matrix', () => {
      close(accuracy(input), e.accuracy);
      close(balancedAccuracy(input), e.balanced_accuracy);
      expect(confusionMatrix(input)).toEqual({ labels: e.confusion_matrix.labels, matrix: e.confusion_matrix.matrix.flat() });
    });

    it('precision, recall and F1: micro, macro, weighted and (binary) for the positive class', () => {
      for (const average of ['micro', 'macro', 'weighted'] as const) {
        const got = precisionRecallF1(input, average);
        close(got.precision, e[`precision_${average}`]);
        close(got.recall, e[`recall_${average}`]);
        close(got.f1, e[`f1_${average}`]);
      }
      const own = precisionRecallF1(input, input.positive === undefined ? 'macro' : 'binary');
      close(own.precision, e.precision);
      close(own.recall, e.recall);
      close(own.f1, e.f1);
    });

    if (c.y_score || c.y_proba) {
      it('ROC-AUC (null with scikit-learn’s reason where it is undefined) and log loss', () => {
        const auc = rocAuc(input);
        close(auc.value, e.roc_auc);
        if (e.roc_auc === null) expect(auc.reason).toContain('Only one class is present in y_true');
        close(logLoss(input).value, e.log_loss);
      });
    }
  });
});

describe('ROC-AUC by brute force', () => {
  it('equals the Mann-Whitney statistic (ties counted half) on random tied scores', () => {
    for (let trial = 0; trial < 20; trial++) {
      const n = 50 + trial;
      const isPositive = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 || (i * 7 + trial) % 5 === 0 ? 1 : 0));
      const scores = Float64Array.from({ length: n }, (_, i) => ((i * 31 + trial * 17) % 11) / 10);
      let wins = 0;
      let pairs = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (!isPositive[i] || isPositive[j]) continue;
          pairs++;
          wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
        }
      }
      expect(binaryRocAuc(isPositive, scores).value).toBeCloseTo(wins / pairs, 12);
    }
  });
});

describe('ROC curve (scikit-learn roc_curve, drop_intermediate=True)', () => {
  const curveOf = (y: number[], scores: number[]) => rocCurve(Uint8Array.from(y), Float64Array.from(scores));
  /** Trapezoids under the curve's points. */
  const area = ({ fpr, tpr }: RocCurve) => fpr.reduce((sum, x, i) => (i === 0 ? 0 : sum + ((x - fpr[i - 1]) * (tpr[i] + tpr[i - 1])) / 2), 0);

  it('answers scikit-learn’s documented example (y=[1,1,2,2], pos_label=2), +inf as null', () => {
    expect(curveOf([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).curve).toEqual({ fpr: [0, 0, 0.5, 0.5, 1], tpr: [0, 0.5, 0.5, 1, 1], thresholds: [null, 0.8, 0.4, 0.35, 0.1] });
  });

  it('puts tied scores in one point, and drops a point on a straight segment', () => {
    // 0.9 (+) | 0.5 (−, +) tied | 0.3 (+) | 0.1 (−): cumulative tp 1,2,3,3 and fp 0,1,1,2.
    expect(curveOf([0, 1, 1, 0, 1], [0.5, 0.5, 0.9, 0.1, 0.3]).curve).toEqual({ fpr: [0, 0, 0.5, 0.5, 1], tpr: [0, 1 / 3, 2 / 3, 1, 1], thresholds: [null, 0.9, 0.5, 0.3, 0.1] });
    // 0.9, 0.8, 0.7 are all positives: the point at 0.8 lies between two others on the tpr axis.
    expect(curveOf([1, 1, 1, 0], [0.9, 0.8, 0.7, 0.1]).curve).toEqual({ fpr: [0, 0, 0, 1], tpr: [0, 1 / 3, 1, 1], thresholds: [null, 0.9, 0.7, 0.1] });
  });

  it('is undefined, with scikit-learn’s reason, when only one class is present', () => {
    const { curve, reason } = curveOf([1, 1, 1], [0.2, 0.5, 0.9]);
    expect(curve).toBeNull();
    expect(reason).toContain('Only one class is present in y_true');
    expect(curveOf([0, 0], [0.2, 0.5]).curve).toBeNull();
  });

  it('encloses the ROC-AUC, and rises monotonically from (0, 0) to (1, 1)', () => {
    for (let trial = 0; trial < 20; trial++) {
      const n = 40 + trial * 3;
      const y = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 || (i * 7 + trial) % 5 === 0 ? 1 : 0));
      const scores = Float64Array.from({ length: n }, (_, i) => ((i * 31 + trial * 17) % 13) / 12);
      const { curve } = rocCurve(y, scores);
      expect(area(curve!)).toBeCloseTo(binaryRocAuc(y, scores).value!, 12);
      expect([curve!.fpr[0], curve!.tpr[0], curve!.fpr.at(-1), curve!.tpr.at(-1)]).toEqual([0, 0, 1, 1]);
      for (let i = 1; i < curve!.fpr.length; i++) {
        expect(curve!.fpr[i]).toBeGreaterThanOrEqual(curve!.fpr[i - 1]);
        expect(curve!.tpr[i]).toBeGreaterThanOrEqual(curve!.tpr[i - 1]);
        expect(curve!.thresholds[i]!).toBeLessThan(i === 1 ? Infinity : curve!.thresholds[i - 1]!);
      }
    }
  });

  it('keeps at most the cap of a 100,000-case curve: its own points, both ends, the area within 0.002', () => {
    const n = 100_000;
    // A deterministic pseudo-random draw: positives score higher on average.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const y = Uint8Array.from({ length: n }, () => (next() < 0.3 ? 1 : 0));
    const scores = Float64Array.from(y, (label) => Math.min(1, Math.max(0, next() * 0.7 + label * 0.25)));
    const full = rocCurve(y, scores).curve!;
    expect(full.fpr.length).toBeGreaterThan(5_000);
    const capped = capCurve(full, 1_000);
    expect(capped.fpr.length).toBeLessThanOrEqual(1_000);
    expect(capped.fpr.length).toBeGreaterThan(900);
    expect([capped.fpr[0], capped.tpr[0], capped.thresholds[0], capped.fpr.at(-1), capped.tpr.at(-1)]).toEqual([0, 0, null, 1, 1]);
    const own = new Set(full.thresholds.map((t, i) => `${t}:${full.fpr[i]}:${full.tpr[i]}`));
    expect(capped.thresholds.every((t, i) => own.has(`${t}:${capped.fpr[i]}:${capped.tpr[i]}`))).toBe(true);
    expect(Math.abs(area(capped) - binaryRocAuc(y, scores).value!)).toBeLessThan(0.002);
    // A curve already under the cap is left as it is.
    expect(capCurve(full, full.fpr.length)).toBe(full);
  });
});
