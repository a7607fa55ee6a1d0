import type { MetricValue } from '../../metrics/classification';
import { regressionMetrics } from '../../metrics/regression';
import { gather, slicesOfCase } from '../slicing';
import { TaskStrategy } from './task-evaluation';

/** Regression: MAE, MSE, RMSE and R² over expected and predicted values; the largest errors first. */
export const regressionTask: TaskStrategy = ({ cases, predictions, errorAnalysisLimit }) => {
  const n = cases.ids.length;
  const yTrue = Float64Array.from(cases.expected as number[]);
  const yPred = Float64Array.from(predictions.values!);
  const sliceOf = slicesOfCase(cases);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => Math.abs(yPred[b] - yTrue[b]) - Math.abs(yPred[a] - yTrue[a]) || a - b);
  return {
    confusion_matrix: null,
    roc_curve: null,
    error_analysis: {
      kind: 'largest_errors',
      total: n,
      items: order.slice(0, errorAnalysisLimit).map((i) => ({
        id: cases.ids[i], expected: cases.expected[i], predicted: predictions.values![i], error: predictions.values![i] - (cases.expected[i] as number),
        input: cases.inputs?.[i] ?? null, slices: sliceOf(i),
      })),
    },
    assertions: [],
    metricsOver(_metrics, rows) {
      const r = regressionMetrics(gather(yTrue, rows), gather(yPred, rows));
      return new Map<string, MetricValue>((['mae', 'mse', 'rmse', 'r2'] as const).map((m) => [m, { value: r[m] }]));
    },
  };
};
