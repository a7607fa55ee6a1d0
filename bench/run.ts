/**
 * Drives the gateway (the platform must be running: `bash tools/platform.sh up`) and prints:
 * GET experiment rps and latency at fixed concurrency, POST experiment rps and latency (each POST
 * waits for its read model: read-your-writes), and command → read-model lag measured from the
 * outside (POST with `Prefer: respond-async`, then poll GET until the experiment is visible), and
 * metric ingest: runs logging batches of 100 points (PATCH /runs/{id}) at fixed concurrency, one
 * run per connection (a run's batches are sequential, as a training loop logs them).
 *
 *   npm run bench                      # GATEWAY_URL=http://127.0.0.1:8080 BENCH_DURATION_S=10 BENCH_CONNECTIONS=32
 *                                      # BENCH_METRIC_CONNECTIONS=16 BENCH_METRIC_BATCH=100
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';

const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';
const duration = Number(process.env.BENCH_DURATION_S ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const lagSamples = Number(process.env.BENCH_LAG_SAMPLES ?? 300);
const lagConcurrency = Number(process.env.BENCH_LAG_CONCURRENCY ?? 8);
const metricConnections = Number(process.env.BENCH_METRIC_CONNECTIONS ?? 16);
const metricBatch = Number(process.env.BENCH_METRIC_BATCH ?? 100);
const API = '/api/v1/ml/lifecycle/experiments';
const RUNS = '/api/v1/ml/lifecycle/runs';
const runId = Date.now().toString(36);
const headers = { 'content-type': 'application/json', 'x-actor': 'bench' };

interface Row {
  scenario: string;
  connections: number;
  requests: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  non_2xx: number;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function cannon(scenario: string, options: Omit<autocannon.Options, 'url'>): Promise<Row> {
  const result = await autocannon({ duration, connections, ...options, url: gateway });
  return {
    scenario,
    connections,
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    non_2xx: result.non2xx,
  };
}

async function seed(count: number): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `bench-${runId}-seed-${i}`);
  for (const name of names) {
    const response = await fetch(gateway + API, { method: 'POST', headers, body: JSON.stringify({ name, tags: ['bench'] }) });
    if (response.status !== 201) throw new Error(`seeding ${name}: ${response.status} ${await response.text()}`);
  }
  return names;
}

async function measureLag(): Promise<{ samples: number; p50_ms: number; p99_ms: number; max_ms: number }> {
  const lags: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < lagSamples) {
      const name = `bench-${runId}-lag-${next++}`;
      const started = performance.now();
      const accepted = await fetch(gateway + API, {
        method: 'POST',
        headers: { ...headers, prefer: 'respond-async' },
        body: JSON.stringify({ name }),
      });
      if (accepted.status !== 202 && accepted.status !== 201) throw new Error(`lag command: ${accepted.status}`);
      for (;;) {
        const read = await fetch(`${gateway}${API}/${name}`);
        await read.arrayBuffer();
        if (read.status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      lags.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: lagConcurrency }, worker));
  lags.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return { samples: lags.length, p50_ms: round(percentile(lags, 50)), p99_ms: round(percentile(lags, 99)), max_ms: round(lags.at(-1)!) };
}

interface MetricIngestRow {
  scenario: string;
  connections: number;
  batch_points: number;
  requests: number;
  points: number;
  points_per_s: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  non_2xx: number;
}

/** Each connection starts its own run and logs batches into it back to back for the duration. */
async function measureMetricIngest(): Promise<MetricIngestRow> {
  const experiment = `bench-${runId}-metrics`;
  const created = await fetch(gateway + API, { method: 'POST', headers, body: JSON.stringify({ name: experiment }) });
  if (created.status !== 201) throw new Error(`metric ingest experiment: ${created.status} ${await created.text()}`);
  const runs: string[] = [];
  for (let i = 0; i < metricConnections; i++) {
    const started = await fetch(gateway + RUNS, { method: 'POST', headers, body: JSON.stringify({ experiment_name: experiment }) });
    if (started.status !== 201) throw new Error(`metric ingest run: ${started.status} ${await started.text()}`);
    runs.push(((await started.json()) as { run_id: string }).run_id);
  }
  const latencies: number[] = [];
  let failures = 0;
  const began = performance.now();
  const deadline = began + duration * 1000;
  const worker = async (run: string) => {
    for (let step = 0; performance.now() < deadline; step += metricBatch) {
      const metrics = Array.from({ length: metricBatch }, (_, i) => ({ key: i % 2 ? 'loss' : 'accuracy', value: Math.random(), step: step + i }));
      const sent = performance.now();
      const response = await fetch(`${gateway}${RUNS}/${run}`, { method: 'PATCH', headers, body: JSON.stringify({ metrics }) });
      await response.arrayBuffer();
      if (response.status === 200 || response.status === 202) latencies.push(performance.now() - sent);
      else failures++;
    }
  };
  await Promise.all(runs.map(worker));
  const elapsedS = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    scenario: `PATCH run metrics (${metricBatch} points per request)`,
    connections: metricConnections,
    batch_points: metricBatch,
    requests: latencies.length,
    points: latencies.length * metricBatch,
    points_per_s: Math.round((latencies.length * metricBatch) / elapsedS),
    rps: Math.round(latencies.length / elapsedS),
    p50_ms: round(percentile(latencies, 50)),
    p99_ms: round(percentile(latencies, 99)),
    non_2xx: failures,
  };
}

async function main() {
  const health = await fetch(`${gateway}/health`).catch(() => null);
  if (!health) throw new Error(`No gateway at ${gateway}: start the platform with bash tools/platform.sh up`);

  const names = await seed(200);
  let getIndex = 0;
  const getRow = await cannon('GET experiment', {
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `${API}/${names[getIndex++ % names.length]}` }) }],
  });

  let postIndex = 0;
  const postRow = await cannon('POST experiment (waits for read model)', {
    connections: Math.max(1, Math.floor(connections / 2)),
    requests: [
      {
        method: 'POST',
        headers,
        setupRequest: (req) => ({ ...req, path: API, body: JSON.stringify({ name: `bench-${runId}-post-${postIndex++}` }) }),
      },
    ],
  });
  postRow.connections = Math.max(1, Math.floor(connections / 2));

  const lag = await measureLag();
  const metricIngest = await measureMetricIngest();

  const machine = { cpus: (await import('node:os')).cpus().length, node: process.version };
  const report = { gateway, duration_s: duration, machine, throughput: [getRow, postRow], command_to_read_model_lag: lag, metric_ingest: metricIngest };
  console.table([getRow, postRow]);
  console.table([{ scenario: 'command → read model lag', concurrency: lagConcurrency, ...lag }]);
  console.table([metricIngest]);
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(`written ${file}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
