import type { DriftMethod } from '@mlops/events';
import golden from '../../fixtures/drift/evidently-cases.json';
import { ColumnDrift, ColumnSummary, datasetDrift, defaultMethod } from './drift-report';

/** Evidently's display names for its stattests, as its report prints them. */
const EVIDENTLY_NAMES: Record<string, DriftMethod> = {
  'K-S p_value': 'ks',
  'chi-square p_value': 'chisquare',
  'Z-test p_value': 'z',
  'Wasserstein distance (normed)': 'wasserstein',
  'Jensen-Shannon distance': 'jensenshannon',
  PSI: 'psi',
};

type Value = number | string;

/** What DuckDB hands over for one column: its summary and the merged value counts in ascending order. */
function aggregate(kind: 'numerical' | 'categorical', reference: (Value | null)[], current: (Value | null)[]) {
  const counts = new Map<Value, [number, number]>();
  const count = (values: (Value | null)[], side: 0 | 1) => {
    for (const v of values) {
      if (v === null) continue;
      const entry = counts.get(v) ?? [0, 0];
      entry[side]++;
      counts.set(v, entry);
    }
  };
  count(reference, 0);
  count(current, 1);
  const values = [...counts.keys()].sort((a, b) => (kind === 'numerical' ? (a as number) - (b as number) : a < b ? -1 : a > b ? 1 : 0));
  const pairs = values.map((v) => [v, ...counts.get(v)!] as const);
  const summary: ColumnSummary = {
    kind,
    referenceCount: pairs.reduce((a, p) => a + p[1], 0),
    currentCount: pairs.reduce((a, p) => a + p[2], 0),
    referenceDistinct: pairs.filter((p) => p[1] > 0).length,
    combinedDistinct: pairs.length,
    min: kind === 'numerical' ? (values[0] as number) : null,
    max: kind === 'numerical' ? (values[values.length - 1] as number) : null,
  };
  return { summary, pairs };
}

const TOLERANCE = 1e-6;

describe("drift report against Evidently's DataDriftTable", () => {
  describe.each(golden.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const methods = c.methods as Record<string, DriftMethod>;
    const thresholds = c.thresholds as Record<string, number>;
    const results = c.columns.map((expected) => {
      const { summary, pairs } = aggregate(
        expected.kind as 'numerical' | 'categorical',
        (c.reference as unknown as Record<string, (Value | null)[]>)[expected.column],
        (c.current as unknown as Record<string, (Value | null)[]>)[expected.column],
      );
      const drift = new ColumnDrift(expected.column, 'DOUBLE', summary, { method: methods[expected.column], threshold: thresholds[expected.column] });
      for (const [value, r, k] of pairs) drift.add(value, r, k);
      return { expected, actual: drift.result() };
    });

    it.each(results.map((r) => [r.expected.column, r] as const))('column %s: method, score, threshold and verdict', (_column, { expected, actual }) => {
      expect(actual.method).toBe(EVIDENTLY_NAMES[expected.method]);
      const score = actual.p_value ?? actual.distance!;
      expect(Math.abs(score - expected.score)).toBeLessThan(TOLERANCE);
      expect(actual.threshold).toBe(expected.threshold);
      expect(actual.drifted).toBe(expected.drifted);
    });

    it('share of drifted columns and dataset drift', () => {
      const verdict = datasetDrift(results.map((r) => r.actual));
      expect(verdict.number_of_drifted_columns).toBe(c.number_of_drifted_columns);
      expect(Math.abs(verdict.share_of_drifted_columns - c.share_of_drifted_columns)).toBeLessThan(TOLERANCE);
      expect(verdict.dataset_drift).toBe(c.dataset_drift);
    });
  });

  it('picks the method from the non-null reference rows and the combined distinct values', () => {
    const summary = (kind: 'numerical' | 'categorical', referenceCount: number, combinedDistinct: number): ColumnSummary => ({
      kind,
      referenceCount,
      currentCount: 10,
      referenceDistinct: combinedDistinct,
      combinedDistinct,
      min: 0,
      max: 1,
    });
    expect(defaultMethod(summary('numerical', 1000, 6))).toBe('ks');
    expect(defaultMethod(summary('numerical', 1000, 5))).toBe('chisquare');
    expect(defaultMethod(summary('numerical', 1000, 2))).toBe('z');
    expect(defaultMethod(summary('categorical', 1000, 3))).toBe('chisquare');
    expect(defaultMethod(summary('categorical', 1000, 2))).toBe('z');
    expect(defaultMethod(summary('numerical', 1001, 6))).toBe('wasserstein');
    expect(defaultMethod(summary('numerical', 1001, 5))).toBe('jensenshannon');
    expect(defaultMethod(summary('categorical', 1001, 2))).toBe('jensenshannon');
  });
});
