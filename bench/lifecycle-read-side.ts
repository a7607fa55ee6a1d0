/**
 * Lifecycle read side, in-process against the shared Kafka and FerretDB (≤ 60 s):
 *  - command → read-model lag under metric ingest: BENCH_WRITERS runs each log batches of 100
 *    points with `Prefer: respond-async` for BENCH_INGEST_S seconds; each command's lag is the time
 *    until GET /runs/{id} shows its version;
 *  - a 10,000-point history read whole, in pages of 500.
 *
 *   node -r @swc-node/register bench/lifecycle-read-side.ts
 */
import { createLifecycleApp } from '../apps/lifecycle/src/app';
import { dropDatabase, isolatedEnv, listen } from '../libs/testing/src';

const writers = Number(process.env.BENCH_WRITERS ?? 8);
const ingestSeconds = Number(process.env.BENCH_INGEST_S ?? 15);
const json = { 'content-type': 'application/json' };

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main() {
  const env = isolatedEnv('benchreadside', { LOG_LEVEL: 'error' });
  const service = await listen((await createLifecycleApp(env)).app);
  const base = `${service.url}/api/v1/ml/lifecycle`;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(base + path, { method, headers: { ...json, ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  try {
    await call('POST', '/experiments', { name: 'bench' });
    // From Location: a 202 (the read model did not catch up within the bound) has no body to read it from.
    const startRun = async () => {
      const response = await fetch(`${base}/runs`, { method: 'POST', headers: json, body: JSON.stringify({ experiment_name: 'bench' }) });
      if (response.status >= 300) throw new Error(`POST /runs: ${response.status}`);
      return response.headers.get('location')!.split('/').pop()!;
    };

    // Command → read-model lag under metric ingest.
    const lags: number[] = [];
    const until = Date.now() + ingestSeconds * 1000;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        const runId = await startRun();
        for (let step = 0; Date.now() < until; step += 100) {
          const metrics = Array.from({ length: 100 }, (_, i) => ({ key: 'loss', value: 1 / (step + i + 1), step: step + i }));
          const sent = Date.now();
          const { version } = await call('PATCH', `/runs/${runId}`, { metrics }, { prefer: 'respond-async' });
          while ((await call('GET', `/runs/${runId}`)).version < version) await new Promise((r) => setTimeout(r, 5));
          lags.push(Date.now() - sent);
        }
      }),
    );
    lags.sort((a, b) => a - b);
    console.log(
      `ingest: ${writers} writers × 100-point batches for ${ingestSeconds} s: ${lags.length} commands (${Math.round((lags.length * 100) / ingestSeconds)} points/s); ` +
        `command → read-model lag p50 ${percentile(lags, 50)} ms, p99 ${percentile(lags, 99)} ms, max ${lags[lags.length - 1]} ms`,
    );

    // A 10,000-point history, read whole.
    const runId = await startRun();
    for (let b = 0; b < 10; b++) {
      const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: 'val/loss', value: i, step: b * 1000 + i }));
      await call('PATCH', `/runs/${runId}`, { metrics });
    }
    for (const limit of [500, 100]) {
      const started = Date.now();
      let cursor: string | null = null;
      let points = 0;
      let pages = 0;
      do {
        const page: { items: unknown[]; next_cursor: string | null } = await call(
          'GET',
          `/runs/${runId}/metrics/${encodeURIComponent('val/loss')}?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        points += page.items.length;
        pages++;
        cursor = page.next_cursor;
      } while (cursor);
      console.log(`history: ${points} points read whole in ${pages} pages of ${limit}: ${Date.now() - started} ms`);
    }
  } finally {
    await service.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
