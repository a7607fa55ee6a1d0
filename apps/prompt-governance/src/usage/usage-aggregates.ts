import type { UsageOutcome } from '@mlops/events';

/**
 * Usage records of one day that share environment, caller and outcome, summed — a whole rollup
 * group of a batch, or a single record. `latencies` are every record's latency, so percentiles
 * stay exact.
 */
export interface UsageGroup {
  day: string;
  outcome: UsageOutcome;
  count: number;
  input_tokens: number;
  output_tokens: number;
  cost: number;
  latencies: number[];
}

/** The fields of a usage record the aggregates need. */
export interface UsageSample {
  day: string;
  outcome: UsageOutcome;
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

export const groupOfSample = ({ day, outcome, latency_ms, input_tokens, output_tokens, cost }: UsageSample): UsageGroup => ({
  day,
  outcome,
  count: 1,
  input_tokens,
  output_tokens,
  cost,
  latencies: [latency_ms],
});

/** A batch's records summed per (day, environment, caller, outcome), in a stable order. */
export function rollUp<R extends UsageSample & { environment: string; caller: string }>(records: R[]): (UsageGroup & { environment: string; caller: string })[] {
  const groups = new Map<string, UsageGroup & { environment: string; caller: string }>();
  for (const r of records) {
    const key = JSON.stringify([r.day, r.environment, r.caller, r.outcome]);
    const group = groups.get(key) ?? { day: r.day, environment: r.environment, caller: r.caller, outcome: r.outcome, count: 0, input_tokens: 0, output_tokens: 0, cost: 0, latencies: [] };
    group.count++;
    group.input_tokens += r.input_tokens;
    group.output_tokens += r.output_tokens;
    group.cost += r.cost;
    group.latencies.push(r.latency_ms);
    groups.set(key, group);
  }
  return [...groups.keys()].sort().map((key) => {
    const group = groups.get(key)!;
    return { ...group, latencies: group.latencies.sort((a, b) => a - b) };
  });
}

function totals(groups: UsageGroup[]): UsageTotals {
  const latencies = groups.flatMap((g) => g.latencies).sort((a, b) => a - b);
  const count = groups.reduce((n, g) => n + g.count, 0);
  const error_count = groups.reduce((n, g) => n + (g.outcome === 'error' ? g.count : 0), 0);
  const input_tokens = groups.reduce((n, g) => n + g.input_tokens, 0);
  const output_tokens = groups.reduce((n, g) => n + g.output_tokens, 0);
  return {
    count,
    error_count,
    error_rate: count ? error_count / count : 0,
    latency_p50_ms: nearestRank(latencies, 50),
    latency_p95_ms: nearestRank(latencies, 95),
    input_tokens,
    output_tokens,
    total_tokens: input_tokens + output_tokens,
    // Float sums depend on their order, and the store returns the groups in no particular one.
    cost: groups
      .map((g) => g.cost)
      .sort((a, b) => a - b)
      .reduce((n, cost) => n + cost, 0),
  };
}

/** Count, error rate, p50/p95 latency, tokens and cost, overall and per UTC day (ascending). */
export function aggregateUsage(groups: UsageGroup[]): UsageAggregates {
  const byDay = new Map<string, UsageGroup[]>();
  for (const group of groups) byDay.set(group.day, [...(byDay.get(group.day) ?? []), group]);
  const per_day = [...byDay.keys()].sort().map((day) => ({ day, ...totals(byDay.get(day)!) }));
  return { ...totals(groups), per_day };
}

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** How to read a time window: whole UTC days from the rollups, the partial days at its edges from the records. */
export interface UsageReadPlan {
  /** Days `[from, to)` (`YYYY-MM-DD`, either side open when undefined) read from the rollups; null: none. */
  wholeDays: { from?: string; to?: string } | null;
  /** Time ranges (ISO-8601) read record by record. */
  partial: { from?: string; to?: string }[];
}

export function planUsageRead(from?: string, to?: string): UsageReadPlan {
  const fromMs = from === undefined ? undefined : Date.parse(from);
  const toMs = to === undefined ? undefined : Date.parse(to);
  // First whole day starts at or after `from`; whole days end at or before `to`.
  const wholeStart = fromMs === undefined ? undefined : Math.ceil(fromMs / DAY_MS) * DAY_MS;
  const wholeEnd = toMs === undefined ? undefined : Math.floor(toMs / DAY_MS) * DAY_MS;
  if (wholeStart !== undefined && wholeEnd !== undefined && wholeStart >= wholeEnd) {
    return { wholeDays: null, partial: fromMs! < toMs! ? [{ from: new Date(fromMs!).toISOString(), to: new Date(toMs!).toISOString() }] : [] };
  }
  const partial: UsageReadPlan['partial'] = [];
  if (fromMs !== undefined && fromMs < wholeStart!) partial.push({ from: new Date(fromMs).toISOString(), to: new Date(wholeStart!).toISOString() });
  if (toMs !== undefined && wholeEnd! < toMs) partial.push({ from: new Date(wholeEnd!).toISOString(), to: new Date(toMs).toISOString() });
  return {
    wholeDays: { from: wholeStart === undefined ? undefined : dayOf(wholeStart), to: wholeEnd === undefined ? undefined : dayOf(wholeEnd) },
    partial,
  };
}
