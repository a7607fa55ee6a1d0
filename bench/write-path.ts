/**
 * Write-path benchmark, straight to two lifecycle processes on one database and topic prefix (the
 * local Kafka and FerretDB of `tools/infra.sh up`; private database and prefix, dropped afterwards):
 *  - unloaded `POST /experiments` (waits for its read model), one at a time, on the replica that
 *    holds the outbox lease and on the other one;
 *  - one client logging `BENCH_BATCHES` (300) batches of `BENCH_METRIC_BATCH` (100) points into one
 *    run (`PATCH /runs/{id}`, each waiting for its read model): p50 of the first and the last 50.
 *
 *   node -r @swc-node/register bench/write-path.ts   # BENCH_BATCHES=300 BENCH_METRIC_BATCH=100 BENCH_POSTS=40
 *                                                    # OUTBOX_POLL_INTERVAL_MS=1000 (the service default)
 *                                                    # BENCH_ASYNC=1: the batches with `Prefer: respond-async`,
 *                                                    #   so they time the write side alone (load, decide, append)
 */
import mongoose from 'mongoose';
import { dropDatabase, eventually, isolatedEnv, ServiceProcess, startServiceProcess } from '@mlops/testing';

const batches = Number(process.env.BENCH_BATCHES ?? 300);
const batchSize = Number(process.env.BENCH_METRIC_BATCH ?? 100);
const posts = Number(process.env.BENCH_POSTS ?? 40);
const API = '/api/v1/ml/lifecycle';
const headers = { 'content-type': 'application/json', 'x-actor': 'bench' };
const batchHeaders = process.env.BENCH_ASYNC === '1' ? { ...headers, prefer: 'respond-async' } : headers;

const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (n: number) => Math.round(n);

async function call(url: string, method: string, path: string, body: unknown, sent = headers): Promise<{ ms: number; json: any }> {
  const started = performance.now();
  const response = await fetch(url + API + path, { method, headers: sent, body: JSON.stringify(body) });
  const json = await response.json();
  const ms = performance.now() - started;
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return { ms, json };
}

async function postLatencies(url: string, label: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < posts; i++) times.push((await call(url, 'POST', '/experiments', { name: `bench-${label}-${i}` })).ms);
  return times;
}

async function main() {
  // The production poll interval: what a replica without the lease waits for without direct publishing.
  const env = isolatedEnv('benchwrite', { LOG_LEVEL: 'warn', OUTBOX_POLL_INTERVAL_MS: process.env.OUTBOX_POLL_INTERVAL_MS ?? '1000' });
  const replicas: ServiceProcess[] = [];
  const connection = await mongoose.createConnection(env.MONGO_URL, { dbName: env.MONGO_DB }).asPromise();
  try {
    // The first replica takes the outbox lease before the second one starts.
    replicas.push(await startServiceProcess('lifecycle', env));
    await eventually(async () => {
      if (!(await connection.db!.collection('outbox_lease').findOne({}))) throw new Error('no lease yet');
    }, 30_000);
    replicas.push(await startServiceProcess('lifecycle', env));
    const [holder, other] = replicas;

    // Warm both (connections, JIT) before measuring.
    await postLatencies(holder.url, 'warm-a');
    await postLatencies(other.url, 'warm-b');
    const onHolder = await postLatencies(holder.url, 'holder');
    const onOther = await postLatencies(other.url, 'other');
    console.log(`POST /experiments p50: lease holder ${round(p50(onHolder))} ms, other replica ${round(p50(onOther))} ms (${posts} each)`);

    await call(holder.url, 'POST', '/experiments', { name: 'bench-metrics' });
    const run = await call(holder.url, 'POST', '/runs', { experiment_name: 'bench-metrics' });
    const runId = run.json.run_id as string;
    const times: number[] = [];
    for (let b = 0; b < batches; b++) {
      const metrics = Array.from({ length: batchSize }, (_, i) => ({ key: `m${i % 10}`, value: Math.random(), step: b * 10 + Math.floor(i / 10) }));
      times.push((await call(holder.url, 'PATCH', `/runs/${runId}`, { metrics }, batchHeaders)).ms);
      if ((b + 1) % 50 === 0) console.log(`  batches ${b - 48}-${b + 1}: p50 ${round(p50(times.slice(-50)))} ms`);
    }
    console.log(
      `PATCH /runs/{id} with ${batchSize} points${batchHeaders === headers ? '' : ' (respond-async)'}: first 50 p50 ${round(p50(times.slice(0, 50)))} ms, last 50 p50 ${round(p50(times.slice(-50)))} ms (${batches} batches)`,
    );
  } finally {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await connection.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
