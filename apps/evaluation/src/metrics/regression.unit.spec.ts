import golden from '../../fixtures/sklearn/golden.json';
import { regressionMetrics } from './regression';

describe(`regression metrics agree with scikit-learn ${golden.sklearn_version} to 1e-9`, () => {
  it.each(golden.regression.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const got = regressionMetrics(Float64Array.from(c.y_true), Float64Array.from(c.y_pred));
    for (const key of ['mae', 'mse', 'rmse', 'r2'] as const) {
      expect(Math.abs(got[key] - c.expected[key])).toBeLessThanOrEqual(1e-9);
    }
  });
});
