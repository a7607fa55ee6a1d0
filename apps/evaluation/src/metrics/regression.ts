export interface RegressionMetrics {
  mae: number;
  mse: number;
  rmse: number;
  r2: number;
}

/** scikit-learn's mean_absolute_error, mean_squared_error, root_mean_squared_error and r2_score (force_finite). */
export function regressionMetrics(yTrue: Float64Array, yPred: Float64Array): RegressionMetrics {
  const n = yTrue.length;
  let absolute = 0;
  let squared = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const error = yTrue[i] - yPred[i];
    absolute += Math.abs(error);
    squared += error * error;
    sum += yTrue[i];
  }
  const mean = sum / n;
  let total = 0;
  for (let i = 0; i < n; i++) total += (yTrue[i] - mean) ** 2;
  const mse = squared / n;
  // A constant truth: 1 when predicted perfectly, else 0 (scikit-learn's force_finite=True).
  const r2 = total === 0 ? (squared === 0 ? 1 : 0) : 1 - squared / total;
  return { mae: absolute / n, mse, rmse: Math.sqrt(mse), r2 };
}
