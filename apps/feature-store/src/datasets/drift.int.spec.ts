import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DuckDBInstance } from '@duckdb/node-api';
import { DATASET_DRIFT_COMPUTED, EventValidator, featureStoreCatalog, Topics } from '@mlops/events';
import { connectMongo, dropDatabase, isolatedEnv, listen, readTopic, RunningApp, ServiceProcess, startGateway } from '@mlops/testing';
import golden from '../../fixtures/drift/evidently-cases.json';
import { createFeatureStoreApp } from '../app';

const API = '/api/v1/features/datasets';
const json = { 'content-type': 'application/json' };
const MILLION = 1_000_000;
const TOLERANCE = 1e-6;
const METHODS: Record<string, string> = {
  'K-S p_value': 'ks',
  'chi-square p_value': 'chisquare',
  'Z-test p_value': 'z',
  'Wasserstein distance (normed)': 'wasserstein',
  'Jensen-Shannon distance': 'jensenshannon',
  PSI: 'psi',
};

type Case = (typeof golden.cases)[number];
type Column = Record<string, (number | string | null)[]>;

async function duck(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A fixture side as a CSV file: columns padded with empty cells (nulls) to the longest. */
function toCsv(columns: Column): string {
  const names = Object.keys(columns);
  const rows = Math.max(...names.map((n) => columns[n].length));
  const lines = [names.join(',')];
  for (let i = 0; i < rows; i++) lines.push(names.map((n) => (columns[n][i] === null || columns[n][i] === undefined ? '' : String(columns[n][i]))).join(','));
  return lines.join('\n') + '\n';
}

describe('drift reports through the gateway, computed by DuckDB over real files, on a real Kafka broker and MongoDB-protocol server', () => {
  let base: string;
  let root: string;
  let env: Record<string, string>;
  let service: RunningApp;
  let gateway: ServiceProcess;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  const http = () => request(gateway.url);
  const register = (name: string, path: string, source_type: 'csv' | 'parquet') => http().post(API).set(json).send({ name, path, source_type });
  const drift = (id: string, body: Record<string, unknown>) => http().post(`${API}/${id}/drift`).set(json).send(body);
  const slug = (name: string) => name.replace(/[^a-z0-9-]/g, '-');

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'feature-store-drift-'));
    root = join(base, 'root');
    await mkdir(root, { recursive: true });
    for (const c of golden.cases) {
      await writeFile(join(root, `${slug(c.name)}-reference.csv`), toCsv(c.reference as unknown as Column));
      await writeFile(join(root, `${slug(c.name)}-current.csv`), toCsv(c.current as unknown as Column));
    }
    // A million-row pair: `amount` shifted by a fifth of its standard deviation, `channel` unchanged.
    const million = (seed: number, shift: number, file: string) =>
      duck(
        `SELECT setseed(${seed}); COPY (SELECT 100 + 15 * sqrt(-2 * ln(random())) * cos(2 * pi() * random()) + ${shift} AS amount,
                ['web', 'ios', 'android'][1 + (i % 3)::INTEGER] AS channel FROM range(${MILLION}) t(i))
          TO '${join(root, file)}' (FORMAT parquet)`,
      );
    await million(0.1, 0, 'million-reference.parquet');
    await million(0.2, 3, 'million-current.parquet');

    env = isolatedEnv('drift', { FEATURE_STORE_DATA_ROOT: root });
    service = await listen((await createFeatureStoreApp(env)).app);
    // A million-row pair on a shared machine may take longer than the default proxy bound.
    gateway = await startGateway({ FEATURE_STORE_URL: service.url, PROXY_TIMEOUT_MS: '120000' });
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
    for (const c of golden.cases) {
      expect((await register(`${slug(c.name)}-reference`, `${slug(c.name)}-reference.csv`, 'csv')).status).toBe(201);
      expect((await register(`${slug(c.name)}-current`, `${slug(c.name)}-current.csv`, 'csv')).status).toBe(201);
    }
    expect((await register('million-reference', 'million-reference.parquet', 'parquet')).status).toBe(201);
    expect((await register('million-current', 'million-current.parquet', 'parquet')).status).toBe(201);
  });

  afterAll(async () => {
    await gateway?.stop();
    await service?.close();
    await mongo?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
    await rm(base, { recursive: true, force: true });
  });

  const requestFor = (c: Case) => {
    const methods = c.methods as Record<string, string>;
    const thresholds = c.thresholds as Record<string, number>;
    const columns = c.columns.map((col) => ({
      column: col.column,
      ...(methods[col.column] ? { method: methods[col.column] } : {}),
      ...(thresholds[col.column] !== undefined ? { threshold: thresholds[col.column] } : {}),
    }));
    return { reference_dataset: `${slug(c.name)}-reference`, columns };
  };

  it.each(golden.cases.map((c) => [c.name, c] as const))("%s: the stored report matches Evidently's numbers", async (_name, c) => {
    const res = await drift(`${slug(c.name)}-current`, requestFor(c));
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/v1/features/datasets/${slug(c.name)}-current/drift/${res.body.report_id}`);
    for (const expected of c.columns) {
      const actual = res.body.columns.find((col: { column: string }) => col.column === expected.column);
      expect({ column: actual.column, method: actual.method, drifted: actual.drifted, threshold: actual.threshold }).toEqual({
        column: expected.column,
        method: METHODS[expected.method],
        drifted: expected.drifted,
        threshold: expected.threshold,
      });
      expect(Math.abs((actual.p_value ?? actual.distance) - expected.score)).toBeLessThan(TOLERANCE);
    }
    expect(res.body).toMatchObject({
      dataset_id: `${slug(c.name)}-current`,
      reference_dataset_id: `${slug(c.name)}-reference`,
      number_of_drifted_columns: c.number_of_drifted_columns,
      dataset_drift: c.dataset_drift,
    });
    const stored = await http().get(res.headers.location);
    expect(stored.status).toBe(200);
    expect(stored.body).toEqual(res.body);
  });

  it('by default compares every column both datasets have, with the default methods', async () => {
    const c = golden.cases.find((k) => k.name === 'large-shifted')!;
    const res = await drift(`${slug(c.name)}-current`, { reference_dataset: `${slug(c.name)}-reference` });
    expect(res.status).toBe(201);
    // Evidently's report took `rating` and `constant` as numerical, as DuckDB types them.
    const byColumn = (a: string[], b: string[]) => a[0].localeCompare(b[0]);
    expect(res.body.columns.map((col: { column: string; method: string }) => [col.column, col.method]).sort(byColumn)).toEqual(
      c.columns.map((col) => [col.column, METHODS[col.method]]).sort(byColumn),
    );
    expect(res.body.share_of_drifted_columns).toBeCloseTo(c.share_of_drifted_columns, 12);
  });

  it('profiles a million-row pair in DuckDB: normed Wasserstein as an independent SQL computation gives it, Jensen–Shannon for the categories', async () => {
    const res = await drift('million-current', { reference_dataset: 'million-reference' });
    expect(res.status).toBe(201);
    const [amount, channel] = res.body.columns;
    const q = (f: string) => `read_parquet('${join(root, f)}')`;
    // Wasserstein-1 between equal-size samples is the mean distance between their order statistics.
    const [expected] = await duck(
      `WITH r AS (SELECT amount, row_number() OVER (ORDER BY amount) AS k FROM ${q('million-reference.parquet')}),
            c AS (SELECT amount, row_number() OVER (ORDER BY amount) AS k FROM ${q('million-current.parquet')})
       SELECT avg(abs(r.amount - c.amount)) / (SELECT stddev_pop(amount) FROM ${q('million-reference.parquet')}) AS w FROM r JOIN c USING (k)`,
    );
    expect(amount).toMatchObject({ column: 'amount', method: 'wasserstein', drifted: true, reference_count: MILLION, current_count: MILLION });
    expect(Math.abs(amount.distance - (expected.w as number))).toBeLessThan(TOLERANCE);
    expect(channel).toMatchObject({ column: 'channel', method: 'jensenshannon', distance: 0, drifted: false });
    expect(res.body).toMatchObject({ dataset_rows: MILLION, reference_rows: MILLION, number_of_drifted_columns: 1, dataset_drift: true });
  });

  it('emits dataset.drift_computed.v1 on the feature-store topic, valid against its schema', async () => {
    const res = await drift('small-shifted-current', { reference_dataset: 'small-shifted-reference', drift_share: 0.75 });
    expect(res.status).toBe(201);
    const key = `dataset_drift:${res.body.report_id}`;
    const events = await readTopic(env.KAFKA_BROKERS, env.KAFKA_TOPIC_PREFIX + Topics.featureStore, (all) => all.some((e) => e.key === key));
    const event = events.find((e) => e.key === key)!.event;
    expect(event.type).toBe(DATASET_DRIFT_COMPUTED);
    expect(new EventValidator([featureStoreCatalog]).validate(event)).toEqual({ valid: true, errors: [] });
    const { computed_at: _at, computed_by: _by, version: _version, ...report } = res.body;
    expect(event.data).toEqual(report);
    expect(event.data.drift_share).toBe(0.75);
  });

  it('refuses what cannot be compared, before anything is stored', async () => {
    expect((await drift('small-shifted-current', { reference_dataset: 'nope' })).status).toBe(404);
    expect((await drift('nope', { reference_dataset: 'small-shifted-reference' })).status).toBe(404);
    const missing = await drift('small-shifted-current', { reference_dataset: 'small-shifted-reference', columns: [{ column: 'missing' }] });
    expect(missing.status).toBe(422);
    const wrongMethod = await drift('small-shifted-current', { reference_dataset: 'small-shifted-reference', columns: [{ column: 'country', method: 'ks' }] });
    expect(wrongMethod.status).toBe(422);
    const unknownMethod = await drift('small-shifted-current', { reference_dataset: 'small-shifted-reference', columns: [{ column: 'amount', method: 'magic' }] });
    expect(unknownMethod.status).toBe(400);
    const share = await drift('small-shifted-current', { reference_dataset: 'small-shifted-reference', drift_share: 0 });
    expect(share.status).toBe(400);
    expect((await http().get(`${API}/small-shifted-current/drift/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });
});
