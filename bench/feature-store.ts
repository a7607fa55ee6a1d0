/**
 * Feature Store benchmark, through the gateway:
 *  - DuckDB profile of a 1-million-row Parquet file: `POST /features/datasets` (resolve, profile,
 *    append, wait for the read model) and `POST /features/datasets/{id}/refresh`, repeated, wall time;
 *  - `GET /features/{name}` rps and latency at fixed concurrency (autocannon).
 *
 * By default it starts its own feature-store service and gateway processes (on the local Kafka and
 * FerretDB of `tools/infra.sh up`) with a private database, topic prefix and data root. To drive a
 * running platform instead, give both GATEWAY_URL and the service's FEATURE_STORE_DATA_ROOT (the
 * Parquet file is written there).
 *
 *   npm run bench:features   # BENCH_DURATION_S=10 BENCH_CONNECTIONS=32 BENCH_PROFILE_RUNS=5 BENCH_ROWS=1000000
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { DuckDBInstance } from '@duckdb/node-api';
import { dropDatabase, isolatedEnv, ServiceProcess, startGateway, startServiceProcess } from '@mlops/testing';

const duration = Number(process.env.BENCH_DURATION_S ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const profileRuns = Number(process.env.BENCH_PROFILE_RUNS ?? 5);
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const API = '/api/v1/features';
const runId = Date.now().toString(36);
const headers = { 'content-type': 'application/json', 'x-actor': 'bench' };

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function writeParquet(file: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(
    `COPY (SELECT i AS trip_id, i % 5000 AS driver_id, round(random() * 100, 2) AS fare,
                  CASE WHEN i % 10 = 0 THEN NULL ELSE (i % 6)::INTEGER END AS passengers,
                  'zone_' || (i % 263) AS zone, TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS pickup_at
           FROM range(${rows}) t(i)) TO '${file.replace(/'/g, "''")}' (FORMAT parquet)`,
  );
  connection.closeSync();
  instance.closeSync();
}

async function post(gateway: string, path: string, body?: unknown): Promise<{ status: number; ms: number; json: any }> {
  const started = performance.now();
  const response = await fetch(gateway + path, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await response.json();
  return { status: response.status, ms: performance.now() - started, json };
}

async function main() {
  let gateway = process.env.GATEWAY_URL;
  let dataRoot = process.env.FEATURE_STORE_DATA_ROOT;
  const owned: ServiceProcess[] = [];
  let ownedRoot: string | undefined;
  let ownedDb: { url: string; db: string } | undefined;
  if (!gateway || !dataRoot) {
    ownedRoot = dataRoot = await mkdtemp(join(tmpdir(), 'bench-feature-store-'));
    const env = isolatedEnv('benchfs', { FEATURE_STORE_DATA_ROOT: dataRoot, LOG_LEVEL: 'warn' });
    ownedDb = { url: env.MONGO_URL, db: env.MONGO_DB };
    const service = await startServiceProcess('feature-store', env);
    owned.push(service);
    const gw = await startGateway({ FEATURE_STORE_URL: service.url });
    owned.push(gw);
    gateway = gw.url;
  }
  try {
    const file = `bench-${runId}.parquet`;
    let began = performance.now();
    await writeParquet(join(dataRoot, file));
    const writeS = (performance.now() - began) / 1000;
    const sizeBytes = (await stat(join(dataRoot, file))).size;

    const registrations: number[] = [];
    for (let i = 0; i < profileRuns; i++) {
      const result = await post(gateway, `${API}/datasets`, { name: `bench-${runId}-${i}`, source_type: 'parquet', path: file });
      if (result.status !== 201) throw new Error(`register: ${result.status} ${JSON.stringify(result.json)}`);
      if (result.json.row_count !== rows) throw new Error(`register: row_count ${result.json.row_count}`);
      registrations.push(result.ms);
    }
    const refreshes: number[] = [];
    for (let i = 0; i < profileRuns; i++) {
      const result = await post(gateway, `${API}/datasets/bench-${runId}-0/refresh`);
      if (result.status !== 200) throw new Error(`refresh: ${result.status} ${JSON.stringify(result.json)}`);
      refreshes.push(result.ms);
    }
    const profile = {
      rows,
      columns: 6,
      file_bytes: sizeBytes,
      runs: profileRuns,
      register_median_s: round(median(registrations) / 1000, 3),
      register_max_s: round(Math.max(...registrations) / 1000, 3),
      refresh_median_s: round(median(refreshes) / 1000, 3),
      refresh_max_s: round(Math.max(...refreshes) / 1000, 3),
      fixture_write_s: round(writeS, 2),
    };

    const names = Array.from({ length: 100 }, (_, i) => `bench_${runId}_${i}`);
    for (const name of names) {
      const result = await post(gateway, API, {
        name,
        entity: 'trip_id',
        value_type: 'double',
        schema: { nullable: false, min: 0 },
        source: { kind: 'column', dataset_id: `bench-${runId}-0`, column: 'fare' },
        tags: ['bench'],
      });
      if (result.status !== 201) throw new Error(`seed feature: ${result.status} ${JSON.stringify(result.json)}`);
    }
    let index = 0;
    began = performance.now();
    const result = await autocannon({
      url: gateway,
      duration,
      connections,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `${API}/${names[index++ % names.length]}` }) }],
    });
    const getRow = {
      scenario: 'GET /features/{name}',
      connections,
      requests: result.requests.total,
      rps: Math.round(result.requests.average),
      p50_ms: result.latency.p50,
      p99_ms: result.latency.p99,
      non_2xx: result.non2xx,
    };

    const report = { gateway, own_processes: owned.length > 0, machine: { cpus: cpus().length, node: process.version }, profile_1m_parquet: profile, get_feature: getRow };
    console.table([profile]);
    console.table([getRow]);
    const dir = join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const out = join(dir, `feature-store-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(out, JSON.stringify(report, null, 2));
    console.log(`written ${out}`);
    if (!ownedRoot) await rm(join(dataRoot, file), { force: true });
  } finally {
    for (const process of owned.reverse()) await process.stop();
    if (ownedRoot) await rm(ownedRoot, { recursive: true, force: true });
    if (ownedDb) await dropDatabase(ownedDb.url, ownedDb.db);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
