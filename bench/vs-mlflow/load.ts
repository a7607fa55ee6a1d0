/**
 * The one load tool for both systems: autocannon. A scenario gives one or more autocannon
 * instances (e.g. one per client when every client logs into its own run, since autocannon's
 * per-request context is not kept per connection); latencies are taken from every response of
 * every instance, so percentiles are exact over the whole load.
 */
import autocannon from 'autocannon';

export interface LoadGroup {
  connections: number;
  requests: autocannon.Request[];
}

export interface LoadResult {
  connections: number;
  duration_s: number;
  ok: number;
  /** Of `ok`: 202 answers (ours: stored, but the read model did not catch up within its bound). */
  accepted_202: number;
  non_2xx: number;
  errors: number;
  timeouts: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const round = (n: number, digits = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n);

export async function load(url: string, durationS: number, groups: LoadGroup[], headers: Record<string, string>): Promise<LoadResult> {
  const latencies: number[] = [];
  let ok = 0;
  let accepted = 0;
  let non2xx = 0;
  const started = performance.now();
  const results = await Promise.all(
    groups.map(
      (group) =>
        new Promise<autocannon.Result>((resolve, reject) => {
          const instance = autocannon(
            { url, duration: durationS, connections: group.connections, headers, requests: group.requests, timeout: 30 },
            (error, result) => (error ? reject(error) : resolve(result)),
          );
          instance.on('response', (_client, statusCode, _bytes, responseTime) => {
            if (statusCode >= 200 && statusCode < 300) {
              ok++;
              if (statusCode === 202) accepted++;
              latencies.push(responseTime);
            } else non2xx++;
          });
        }),
    ),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    connections: groups.reduce((sum, g) => sum + g.connections, 0),
    duration_s: round(elapsed, 2),
    ok,
    accepted_202: accepted,
    non_2xx: non2xx,
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    timeouts: results.reduce((sum, r) => sum + r.timeouts, 0),
    rps: round(ok / durationS, 1),
    p50_ms: round(percentile(latencies, 50)),
    p99_ms: round(percentile(latencies, 99)),
  };
}
