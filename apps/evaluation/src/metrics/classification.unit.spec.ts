import golden from '../../fixtures/sklearn/golden.json';
import { accuracy, balancedAccuracy, binaryRocAuc, ClassificationInput, confusionMatrix, logLoss, precisionRecallF1, rocAuc } from './classification';
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
