/** The fields of a usage record the aggregates need. */
export interface UsageSample {
  day: string;
  outcome: 'success' | 'error';
  latency_ms: number;
  input_tokens: number;
  output_tokens: number;
  cost: number;
}

export interface UsageTotals {
  count: number;
  error_count: number;
  /** error_count / count; 0 when there is no usage. */
  error_rate: number;
  /** Nearest-rank percentiles of latency; null when there is no usage. */
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cost: number;
}

export interface UsageAggregates extends UsageTotals {
  per_day: (UsageTotals & { day: string })[];
}

/** Nearest-rank percentile: the smallest value with at least p% of the values at or below it. */
export function nearestRank(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}

function totals(samples: UsageSample[]): UsageTotals {
  const latencies = samples.map((s) => s.latency_ms).sort((a, b) => a - b);
  const count = samples.length;
  const error_count = samples.filter((s) => s.outcome === 'error').length;
  const input_tokens = samples.reduce((n, s) => n + s.input_tokens, 0);
  const output_tokens = samples.reduce((n, s) => n + s.output_tokens, 0);
  return {
    count,
    error_count,
    error_rate: count ? error_count / count : 0,
    latency_p50_ms: nearestRank(latencies, 50),
    latency_p95_ms: nearestRank(latencies, 95),
    input_tokens,
    output_tokens,
    total_tokens: input_tokens + output_tokens,
    cost: samples.reduce((n, s) => n + s.cost, 0),
  };
}

/** Count, error rate, p50/p95 latency, tokens and cost, overall and per UTC day (ascending). */
export function aggregateUsage(samples: UsageSample[]): UsageAggregates {
  const byDay = new Map<string, UsageSample[]>();
  for (const sample of samples) {
    const day = byDay.get(sample.day) ?? [];
    day.push(sample);
    byDay.set(sample.day, day);
  }
  const per_day = [...byDay.keys()].sort().map((day) => ({ day, ...totals(byDay.get(day)!) }));
  return { ...totals(samples), per_day };
}
