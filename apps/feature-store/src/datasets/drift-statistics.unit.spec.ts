import golden from '../../fixtures/drift/scipy-cases.json';
import {
  binOf,
  chiSquareTest,
  compareEcdfs,
  jensenShannonDistance,
  kolmogorovSf,
  ksTwoSamplePValue,
  MergedCounts,
  populationStabilityIndex,
  sturgesEdges,
} from './drift-statistics';

/** Sorted distinct values with their counts per side: what DuckDB's GROUP BY … ORDER BY returns. */
export function merge(reference: number[], current: number[]): MergedCounts {
  const counts = new Map<number, [number, number]>();
  for (const v of reference) counts.set(v, [(counts.get(v)?.[0] ?? 0) + 1, counts.get(v)?.[1] ?? 0]);
  for (const v of current) counts.set(v, [counts.get(v)?.[0] ?? 0, (counts.get(v)?.[1] ?? 0) + 1]);
  const values = [...counts.keys()].sort((a, b) => a - b);
  return { values, reference: values.map((v) => counts.get(v)![0]), current: values.map((v) => counts.get(v)![1]) };
}

const TOLERANCE = 1e-6;

describe('drift statistics against scipy', () => {
  it.each(golden.ks_2samp.map((c, i) => [i, c] as const))('ks_2samp case %i: statistic and p-value', (_i, c) => {
    const d = compareEcdfs(merge(c.reference, c.current)).ksStatistic;
    expect(Math.abs(d - c.statistic)).toBeLessThan(TOLERANCE);
    expect(Math.abs(ksTwoSamplePValue(d, c.reference.length, c.current.length) - c.p_value)).toBeLessThan(TOLERANCE);
  });

  it.each(golden.kstwo_sf.map((c) => [c.n, c.d, c.sf] as const))('kstwo.sf(d, n=%i) at d=%f', (n, d, sf) => {
    expect(Math.abs(kolmogorovSf(n, d) - sf)).toBeLessThan(TOLERANCE);
  });

  it.each(golden.chisquare.map((c, i) => [i, c] as const))('chisquare case %i', (_i, c) => {
    const result = chiSquareTest(c.observed, c.expected);
    expect(Math.abs(result.statistic - c.statistic)).toBeLessThan(TOLERANCE);
    expect(Math.abs(result.p_value - c.p_value)).toBeLessThan(TOLERANCE);
  });

  it.each(golden.wasserstein_distance.map((c, i) => [i, c] as const))('wasserstein_distance case %i', (_i, c) => {
    expect(Math.abs(compareEcdfs(merge(c.reference, c.current)).wassersteinDistance - c.distance)).toBeLessThan(TOLERANCE);
  });

  it('places values in bins as np.histogram does: half-open bins, the last one closed', () => {
    const edges = sturgesEdges(0, 10, 16); // ceil(log2(16) + 1) = 5 bins of width 2
    expect(edges).toEqual([0, 2, 4, 6, 8, 10]);
    expect([0, 1.99, 2, 9.99, 10].map((v) => binOf(edges, v))).toEqual([0, 0, 1, 4, 4]);
  });

  it('Jensen–Shannon distance is 0 for equal shares and ln-based for disjoint ones', () => {
    expect(jensenShannonDistance([0.5, 0.5], [0.5, 0.5])).toBe(0);
    expect(jensenShannonDistance([1, 0], [0, 1])).toBeCloseTo(Math.sqrt(Math.LN2), 12);
  });

  it('PSI fills empty bins instead of dividing by zero', () => {
    expect(Number.isFinite(populationStabilityIndex([0.5, 0.5, 0], [0.4, 0.4, 0.2]))).toBe(true);
  });
});
