import type { DriftColumnKind, DriftColumnResult, DriftMethod } from '@mlops/events';
import {
  binOf,
  chiSquareTest,
  EcdfComparison,
  jensenShannonDistance,
  ksTwoSamplePValue,
  populationStabilityIndex,
  sturgesEdges,
  twoSidedNormalPValue,
} from './drift-statistics';

/**
 * Evidently's data drift, column by column, from aggregates: how it picks a method, its
 * defaults and its verdicts. Pure: DuckDB supplies the summaries and the merged value counts.
 */

/** Evidently's boundary between the small-sample tests and the distances. */
export const SMALL_REFERENCE_ROWS = 1000;
/** Share of drifted columns at which the dataset drifts. */
export const DEFAULT_DRIFT_SHARE = 0.5;
export const DRIFT_METHODS: DriftMethod[] = ['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon', 'psi'];

export const DEFAULT_THRESHOLDS: Record<DriftMethod, number> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
  psi: 0.1,
};

/** p-value tests drift below their threshold (KS at or below, as Evidently compares it); distances at or above it. */
export const IS_P_VALUE: Record<DriftMethod, boolean> = { ks: true, chisquare: true, z: true, wasserstein: false, jensenshannon: false, psi: false };

/** What DuckDB counts before the values stream: non-null (finite) sizes, distinct values, the combined range. */
export interface ColumnSummary {
  kind: DriftColumnKind;
  referenceCount: number;
  currentCount: number;
  referenceDistinct: number;
  combinedDistinct: number;
  /** Numerical columns: the combined minimum and maximum. */
  min: number | null;
  max: number | null;
}

/** Evidently's default test for a column (`_get_default_stattest`), decided on the non-null reference rows. */
export function defaultMethod(summary: ColumnSummary): DriftMethod {
  const few = summary.combinedDistinct <= 5;
  if (summary.referenceCount <= SMALL_REFERENCE_ROWS) {
    if (summary.kind === 'numerical' && !few) return 'ks';
    return summary.combinedDistinct > 2 ? 'chisquare' : 'z';
  }
  return summary.kind === 'numerical' && !few ? 'wasserstein' : 'jensenshannon';
}

/** Methods that need numbers: a categorical column cannot be measured by them. */
export const NUMERICAL_ONLY: DriftMethod[] = ['ks', 'wasserstein'];

/** Evidently bins numbers for Jensen–Shannon and PSI only above 20 distinct reference values; below, each value is a bin. */
const BINNED_ABOVE_DISTINCT = 20;

/**
 * One column's drift, fed the merged value counts in ascending value order (numbers numerically,
 * categories as text), chunk by chunk: it keeps only what its method needs — running ECDFs, the
 * histogram, or the per-value counts.
 */
export class ColumnDrift {
  readonly method: DriftMethod;
  readonly threshold: number;
  private readonly ecdf: EcdfComparison | null = null;
  private readonly edges: number[] | null = null;
  private readonly binsReference: number[] = [];
  private readonly binsCurrent: number[] = [];
  private readonly valuesReference: number[] = [];
  private readonly valuesCurrent: number[] = [];
  private first: { reference: number; current: number } | null = null;
  // Weighted Welford over the reference values, for the norm of the Wasserstein distance.
  private refN = 0;
  private refMean = 0;
  private refM2 = 0;

  constructor(
    readonly column: string,
    readonly type: string,
    readonly summary: ColumnSummary,
    requested?: { method?: DriftMethod; threshold?: number },
  ) {
    this.method = requested?.method ?? defaultMethod(summary);
    this.threshold = requested?.threshold ?? DEFAULT_THRESHOLDS[this.method];
    if (this.method === 'ks' || this.method === 'wasserstein') this.ecdf = new EcdfComparison(summary.referenceCount, summary.currentCount);
    if ((this.method === 'jensenshannon' || this.method === 'psi') && this.binned) {
      this.edges = sturgesEdges(summary.min!, summary.max!, summary.referenceCount + summary.currentCount);
      this.binsReference = new Array(this.edges.length - 1).fill(0);
      this.binsCurrent = new Array(this.edges.length - 1).fill(0);
    }
  }

  private get binned(): boolean {
    return this.summary.kind === 'numerical' && this.summary.referenceDistinct > BINNED_ABOVE_DISTINCT;
  }

  add(value: number | string, referenceCount: number, currentCount: number): void {
    if (!this.first) this.first = { reference: referenceCount, current: currentCount };
    if (this.ecdf) {
      this.ecdf.add(value as number, referenceCount, currentCount);
      if (this.method === 'wasserstein' && referenceCount > 0) {
        const n = this.refN + referenceCount;
        const delta = (value as number) - this.refMean;
        this.refMean += (delta * referenceCount) / n;
        this.refM2 += delta * ((value as number) - this.refMean) * referenceCount;
        this.refN = n;
      }
      return;
    }
    if (this.edges) {
      const bin = binOf(this.edges, value as number);
      this.binsReference[bin] += referenceCount;
      this.binsCurrent[bin] += currentCount;
      return;
    }
    if (this.method === 'z') return;
    this.valuesReference.push(referenceCount);
    this.valuesCurrent.push(currentCount);
  }

  result(): DriftColumnResult {
    const { referenceCount: n1, currentCount: n2 } = this.summary;
    let statistic: number;
    let score: number;
    switch (this.method) {
      case 'ks':
        statistic = this.ecdf!.ksStatistic;
        score = ksTwoSamplePValue(statistic, n1, n2);
        break;
      case 'wasserstein':
        // Normed by the reference's population standard deviation, never less than 0.001.
        statistic = this.ecdf!.wassersteinDistance / Math.max(Math.sqrt(this.refM2 / this.refN), 0.001);
        score = statistic;
        break;
      case 'chisquare': {
        const scale = n2 / n1;
        const test = chiSquareTest(
          this.valuesCurrent,
          this.valuesReference.map((c) => c * scale),
        );
        statistic = test.statistic;
        score = test.p_value;
        break;
      }
      case 'z': {
        // The first value in order is "0", every other value "1"; one shared single value is no drift.
        if (this.summary.combinedDistinct === 1) {
          statistic = 0;
          score = 1;
          break;
        }
        const p1 = (n1 - this.first!.reference) / n1;
        const p2 = (n2 - this.first!.current) / n2;
        const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
        statistic = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
        score = twoSidedNormalPValue(statistic);
        break;
      }
      case 'jensenshannon':
      case 'psi': {
        const [reference, current] = this.edges ? [this.binsReference, this.binsCurrent] : [this.valuesReference, this.valuesCurrent];
        const p = reference.map((c) => c / n1);
        const q = current.map((c) => c / n2);
        statistic = this.method === 'psi' ? populationStabilityIndex(p, q) : jensenShannonDistance(p, q);
        score = statistic;
        break;
      }
    }
    const drifted = IS_P_VALUE[this.method] ? (this.method === 'ks' ? score <= this.threshold : score < this.threshold) : score >= this.threshold;
    return {
      column: this.column,
      type: this.type,
      kind: this.summary.kind,
      method: this.method,
      // An unbounded chi-squared (a category the reference never had) is stored as null: events carry finite numbers only.
      statistic: Number.isFinite(statistic) ? statistic : null,
      p_value: IS_P_VALUE[this.method] ? score : null,
      distance: IS_P_VALUE[this.method] ? null : score,
      threshold: this.threshold,
      drifted,
      reference_count: n1,
      current_count: n2,
    };
  }
}

/** The dataset verdict: drifted columns over all columns compared, drift at or above the share. */
export function datasetDrift(columns: DriftColumnResult[], driftShare = DEFAULT_DRIFT_SHARE) {
  const drifted = columns.filter((c) => c.drifted).length;
  const share = columns.length ? drifted / columns.length : 0;
  return { number_of_columns: columns.length, number_of_drifted_columns: drifted, share_of_drifted_columns: share, drift_share: driftShare, dataset_drift: columns.length > 0 && share >= driftShare };
}
