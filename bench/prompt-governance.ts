/**
 * Prompt Governance benchmark, through the gateway:
 *  - usage ingest: `POST /templates/{id}/{version}/usage` with batches of BENCH_USAGE_BATCH (100)
 *    records at BENCH_USAGE_CONNECTIONS (16) connections for BENCH_DURATION_S, each request
 *    waiting for its read model (read-your-writes): records/s, requests/s, p50/p99;
 *  - usage read: `GET /templates/{id}/{version}/usage` (a page of the log and the aggregates over
 *    every record the ingest logged), BENCH_USAGE_READS (5) times one after another: p50, max;
 *  - render: `POST /templates/{id}/render` by the production label with varying variables
 *    (autocannon, BENCH_CONNECTIONS (32) connections): rps, p50/p99; and the same with a matching
 *    If-None-Match (304, no body).
 *
 * By default it starts its own prompt-governance service and gateway processes (on the local Kafka
 * and FerretDB of `tools/infra.sh up`) with a private database and topic prefix; GATEWAY_URL drives
 * a running platform instead.
 *
 *   npm run bench:prompts   # BENCH_DURATION_S=10 BENCH_CONNECTIONS=32 BENCH_USAGE_CONNECTIONS=16 BENCH_USAGE_BATCH=100 BENCH_USAGE_READS=5
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { dropDatabase, isolatedEnv, ServiceProcess, startGateway, startServiceProcess } from '@mlops/testing';

const duration = Number(process.env.BENCH_DURATION_S ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const usageConnections = Number(process.env.BENCH_USAGE_CONNECTIONS ?? 16);
const usageBatch = Number(process.env.BENCH_USAGE_BATCH ?? 100);
const usageReads = Number(process.env.BENCH_USAGE_READS ?? 5);
const API = '/api/v1/prompt-governance';
const runId = Date.now().toString(36);
const template = `bench-${runId}`;
const headers = { 'content-type': 'application/json', 'x-actor': 'bench' };

const round = (n: number) => Math.round(n * 10) / 10;
function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}

async function call(gateway: string, method: string, path: string, body: unknown, extra: Record<string, string> = {}, expected = 200): Promise<any> {
  const response = await fetch(gateway + path, { method, headers: { ...headers, ...extra }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (response.status !== expected) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A template with an approved version 1 labelled production (author, submitter and approver differ). */
async function seed(gateway: string): Promise<void> {
  await call(gateway, 'POST', `${API}/templates`, {
    id: template,
    name: 'Bench support answer',
    template: 'You are a support agent for {{product}}. Customer {{customer}} asks: {{question}}',
    config: { model: 'gpt-4o-mini', temperature: 0.2 },
  }, { 'x-actor': 'author' }, 201);
  await call(gateway, 'POST', `${API}/templates/${template}/1/submit`, undefined, { 'x-actor': 'submitter' });
  await call(gateway, 'POST', `${API}/templates/${template}/1/approve`, {}, { 'x-actor': 'approver', 'x-roles': 'prompt-approver' });
  await call(gateway, 'PUT', `${API}/templates/${template}/labels/production`, { version: 1 }, { 'x-actor': 'release' });
}

function usageRecords(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    caller: `app-${i % 7}`,
    environment: i % 3 ? 'production' : 'staging',
    input_tokens: 200 + (i % 300),
    output_tokens: 50 + (i % 120),
    latency_ms: 300 + Math.random() * 1500,
    cost: Math.round(Math.random() * 1e6) / 1e9,
    outcome: Math.random() < 0.05 ? 'error' : 'success',
  }));
}

async function measureUsage(gateway: string) {
  const latencies: number[] = [];
  let failures = 0;
  const began = performance.now();
  const deadline = began + duration * 1000;
  const path = `${API}/templates/${template}/1/usage`;
  const worker = async () => {
    while (performance.now() < deadline) {
      const body = JSON.stringify({ records: usageRecords(usageBatch) });
      const sent = performance.now();
      const response = await fetch(gateway + path, { method: 'POST', headers, body });
      await response.arrayBuffer();
      if (response.status === 201 || response.status === 202) latencies.push(performance.now() - sent);
      else failures++;
    }
  };
  await Promise.all(Array.from({ length: usageConnections }, worker));
  const elapsedS = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    scenario: `POST usage (${usageBatch} records per request)`,
    connections: usageConnections,
    requests: latencies.length,
    records: latencies.length * usageBatch,
    records_per_s: Math.round((latencies.length * usageBatch) / elapsedS),
    rps: round(latencies.length / elapsedS),
    p50_ms: round(percentile(latencies, 50)),
    p99_ms: round(percentile(latencies, 99)),
    non_2xx: failures,
  };
}

/** GET usage (a page of the log and the aggregates over everything the ingest scenario logged), one request at a time. */
async function measureUsageRead(gateway: string, records: number) {
  const path = `${API}/templates/${template}/1/usage?limit=50`;
  const latencies: number[] = [];
  let count = 0;
  for (let i = 0; i < usageReads; i++) {
    const sent = performance.now();
    const response = await fetch(gateway + path, { headers });
    const body = (await response.json()) as { aggregates: { count: number } };
    if (response.status !== 200) throw new Error(`GET usage: ${response.status}`);
    latencies.push(performance.now() - sent);
    count = body.aggregates.count;
  }
  latencies.sort((a, b) => a - b);
  if (count !== records) throw new Error(`GET usage counted ${count} records, ${records} were logged`);
  return { scenario: 'GET usage (page of 50 + aggregates)', records: count, requests: usageReads, p50_ms: round(percentile(latencies, 50)), max_ms: round(latencies[latencies.length - 1]) };
}

async function measureRender(gateway: string, conditional: boolean) {
  const path = `${API}/templates/${template}/render`;
  const body = (i: number) => JSON.stringify({ variables: { product: 'Widgets', customer: `c-${i % 1000}`, question: 'Where is my order?' } });
  // For the conditional run: the ETag of each of the 1,000 variable sets, as a client cache would hold it.
  const etags: string[] = [];
  if (conditional) {
    for (let i = 0; i < 1000; i++) {
      const response = await fetch(gateway + path, { method: 'POST', headers, body: body(i) });
      await response.arrayBuffer();
      etags.push(response.headers.get('etag')!);
    }
  }
  let index = 0;
  const result = await autocannon({
    url: gateway,
    duration,
    connections,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const i = index++;
          return { ...req, path, headers: { ...headers, ...(conditional ? { 'if-none-match': etags[i % 1000] } : {}) }, body: body(i) };
        },
      },
    ],
  });
  return {
    scenario: conditional ? 'POST render, If-None-Match matches (304)' : 'POST render (by production label)',
    connections,
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    // autocannon counts 304 as non-2xx; the 304 run expects every answer to be one.
    non_2xx: result.non2xx,
    status_304: (result as unknown as Record<string, number>)['3xx'] ?? 0,
  };
}

async function main() {
  let gateway = process.env.GATEWAY_URL;
  const owned: ServiceProcess[] = [];
  let ownedDb: { url: string; db: string } | undefined;
  if (!gateway) {
    const env = isolatedEnv('benchpg', { LOG_LEVEL: 'warn' });
    ownedDb = { url: env.MONGO_URL, db: env.MONGO_DB };
    const service = await startServiceProcess('prompt-governance', env);
    owned.push(service);
    const gw = await startGateway({ PROMPT_GOVERNANCE_URL: service.url });
    owned.push(gw);
    gateway = gw.url;
  }
  try {
    await seed(gateway);
    const usage = await measureUsage(gateway);
    const usageRead = await measureUsageRead(gateway, usage.records);
    const render = await measureRender(gateway, false);
    const notModified = await measureRender(gateway, true);
    const report = { gateway, own_processes: owned.length > 0, duration_s: duration, machine: { cpus: cpus().length, node: process.version }, usage_ingest: usage, usage_read: usageRead, render: [render, notModified] };
    console.table([usage]);
    console.table([usageRead]);
    console.table([render, notModified]);
    const dir = join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const out = join(dir, `prompt-governance-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(out, JSON.stringify(report, null, 2));
    console.log(`written ${out}`);
  } finally {
    for (const process of owned.reverse()) await process.stop();
    if (ownedDb) await dropDatabase(ownedDb.url, ownedDb.db);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
