import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DuckDBInstance } from '@duckdb/node-api';
import { EventValidator, featureStoreCatalog, Topics } from '@mlops/events';
import { connectMongo, countStoredEvents, dropDatabase, isolatedEnv, listen, readTopic, RunningApp, ServiceProcess, startGateway } from '@mlops/testing';
import { createFeatureStoreApp } from '../app';

const API = '/api/v1/features/datasets';
const json = { 'content-type': 'application/json' };
const MILLION = 1_000_000;

const CSV_WITH_NULLS = ['id,name,score,joined', '1,ana,3.5,2024-01-01', '2,,4.5,2024-02-01', '3,bo,,', '4,cy,1.0,2024-03-01', ''].join('\n');

/** Runs SQL in a throw-away DuckDB, to write fixtures and to compute expected values independently of the service. */
async function duck<T = Record<string, unknown>>(sql: string, database = ':memory:'): Promise<T[]> {
  const instance = await DuckDBInstance.create(database);
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as T[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('datasets on a real Kafka broker and MongoDB-protocol server, through the gateway', () => {
  let base: string;
  let root: string;
  let outside: string;
  let env: Record<string, string>;
  let service: RunningApp;
  let gateway: ServiceProcess;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  const http = () => request(gateway.url);
  const eventCount = () => countStoredEvents(mongo.db);
  const register = (body: Record<string, unknown>) => http().post(API).set(json).send(body);

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'feature-store-datasets-'));
    root = join(base, 'root');
    outside = join(base, 'outside');
    await mkdir(join(root, 'raw'), { recursive: true });
    await mkdir(outside);
    await writeFile(join(root, 'raw', 'people.csv'), CSV_WITH_NULLS);
    await writeFile(join(outside, 'secret.csv'), 'token\nhunter2\n');
    await writeFile(join(root, 'raw', 'broken.parquet'), 'PAR1 this is not a parquet file');
    await symlink(join(outside, 'secret.csv'), join(root, 'raw', 'link-out.csv'));
    await symlink(outside, join(root, 'dir-out'));
    await symlink(join(root, 'raw', 'people.csv'), join(root, 'people-link.csv'));
    const q = (file: string) => `'${join(root, file)}'`;
    await duck(
      `COPY (SELECT i AS id, CASE WHEN i % 4 = 0 THEN NULL ELSE i % 100 END AS x, 'c' || (i % 3) AS s,
              TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS ts
            FROM range(${MILLION}) t(i)) TO ${q('raw/million.parquet')} (FORMAT parquet)`,
    );
    await duck(
      `COPY (SELECT i, [i, i + 1] AS l, {'a': i} AS st, (i % 2 = 0) AS b,
              TIMESTAMPTZ '2024-01-01 00:00:00+00' + INTERVAL (i) HOUR AS tz,
              CASE WHEN i = 0 THEN 'NaN'::DOUBLE WHEN i = 1 THEN 'inf'::DOUBLE ELSE i::DOUBLE END AS d,
              (9223372036854775807 - i)::BIGINT AS big, 'blob'::BLOB AS bl, DATE '2024-01-01' + i::INTEGER AS dt,
              'nul' || chr(0) || i AS nul
            FROM range(3) t(i)) TO ${q('raw/types.parquet')} (FORMAT parquet)`,
    );
    const wide = Array.from({ length: 300 }, (_, k) => `i * ${k} AS c${k}`).join(', ');
    await duck(`COPY (SELECT ${wide} FROM range(10) t(i)) TO ${q('raw/wide.parquet')} (FORMAT parquet)`);
    const tooWide = Array.from({ length: 1500 }, (_, k) => `i AS "${'column_with_a_very_long_name_'.repeat(14)}${k}"`).join(', ');
    await duck(`COPY (SELECT ${tooWide} FROM range(2) t(i)) TO ${q('raw/too-wide.parquet')} (FORMAT parquet)`);
    await duck(`CREATE TABLE trips AS SELECT i AS trip_id, i * 1.5 AS fare FROM range(1000) t(i)`, join(root, 'warehouse.duckdb'));

    env = isolatedEnv('datasets', { FEATURE_STORE_DATA_ROOT: root });
    service = await listen((await createFeatureStoreApp(env)).app);
    gateway = await startGateway({ FEATURE_STORE_URL: service.url });
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
  });

  afterAll(async () => {
    await gateway?.stop();
    await service?.close();
    await mongo?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
    await rm(base, { recursive: true, force: true });
  });

  describe('profiling with DuckDB', () => {
    it('registers a CSV with nulls: schema, row count, size, hash and per-column profile', async () => {
      const response = await register({ name: 'people', source_type: 'csv', path: 'raw/people.csv', tags: ['hr', 'small'], description: 'People' });
      expect(response.status).toBe(201);
      expect(response.headers.location).toBe(`${API}/people`);
      expect(response.headers.etag).toBe('"1"');
      const body = response.body;
      expect(body).toMatchObject({
        id: 'people',
        name: 'people',
        description: 'People',
        source_type: 'csv',
        path: 'raw/people.csv',
        table_name: null,
        tags: ['hr', 'small'],
        row_count: 4,
        size_bytes: Buffer.byteLength(CSV_WITH_NULLS),
        content_sha256: createHash('sha256').update(CSV_WITH_NULLS).digest('hex'),
        last_schema_change: null,
        version: 1,
      });
      expect(body.schema).toEqual([
        { column: 'id', type: 'BIGINT' },
        { column: 'name', type: 'VARCHAR' },
        { column: 'score', type: 'DOUBLE' },
        { column: 'joined', type: 'DATE' },
      ]);
      const profile = Object.fromEntries(body.profile.map((p: { column: string }) => [p.column, p]));
      expect(profile.id).toMatchObject({ null_count: 0, approx_distinct: 4, min: 1, max: 4, mean: 2.5 });
      expect(profile.id.stddev).toBeCloseTo(Math.sqrt(5 / 3), 12);
      expect(profile.name).toEqual({ column: 'name', type: 'VARCHAR', null_count: 1, approx_distinct: 3, min: 'ana', max: 'cy', mean: null, stddev: null });
      expect(profile.score).toMatchObject({ null_count: 1, min: 1, max: 4.5, mean: 3 });
      expect(profile.score.stddev).toBeCloseTo(Math.sqrt(3.25), 12);
      expect(profile.joined).toMatchObject({ null_count: 1, min: '2024-01-01', max: '2024-03-01', mean: null });

      const detail = await http().get(`${API}/people`).expect(200);
      expect(detail.headers.etag).toBe('"1"');
      expect(detail.body).toEqual(body);
    });

    it('profiles a 1-million-row Parquet file, matching values computed independently', async () => {
      const response = await register({ name: 'million', source_type: 'parquet', path: 'raw/million.parquet' });
      expect(response.status).toBe(201);
      const body = response.body;
      expect(body.row_count).toBe(MILLION);
      expect(body.size_bytes).toBe((await stat(join(root, 'raw/million.parquet'))).size);
      expect(body.content_sha256).toBe(createHash('sha256').update(await readFile(join(root, 'raw/million.parquet'))).digest('hex'));
      expect(body.schema).toEqual([
        { column: 'id', type: 'BIGINT' },
        { column: 'x', type: 'BIGINT' },
        { column: 's', type: 'VARCHAR' },
        { column: 'ts', type: 'TIMESTAMP' },
      ]);
      const [id, x, s, ts] = body.profile;
      // id = 0..n-1: mean (n-1)/2, sample variance n(n+1)/12.
      expect(id).toMatchObject({ null_count: 0, min: 0, max: MILLION - 1, mean: (MILLION - 1) / 2 });
      expect(id.stddev).toBeCloseTo(Math.sqrt((MILLION * (MILLION + 1)) / 12), 6);
      expect(Math.abs(id.approx_distinct - MILLION) / MILLION).toBeLessThan(0.05);
      // x = i % 100 except every fourth row is null: the 75 values not divisible by 4, 10 000 times each.
      const values = Array.from({ length: 100 }, (_, v) => v).filter((v) => v % 4 !== 0);
      const mean = values.reduce((a, v) => a + v, 0) / values.length;
      const variance = (values.reduce((a, v) => a + (v - mean) ** 2, 0) * 10_000) / (values.length * 10_000 - 1);
      expect(x).toMatchObject({ null_count: MILLION / 4, min: 1, max: 99, mean: 50 });
      expect(x.stddev).toBeCloseTo(Math.sqrt(variance), 9);
      // HyperLogLog is approximate: close to the exact count, and the same as DuckDB's own estimate.
      expect(Math.abs(x.approx_distinct - 75) / 75).toBeLessThan(0.1);
      const [estimates] = await duck<{ id: bigint; x: bigint }>(
        `SELECT approx_count_distinct(id) AS id, approx_count_distinct(x) AS x FROM read_parquet('${join(root, 'raw/million.parquet')}')`,
      );
      expect([id.approx_distinct, x.approx_distinct]).toEqual([Number(estimates.id), Number(estimates.x)]);
      expect(s).toMatchObject({ null_count: 0, approx_distinct: 3, min: 'c0', max: 'c2', mean: null, stddev: null });
      expect(new Date(ts.min).toISOString()).toBe('2024-01-01T00:00:00.000Z');
      expect(new Date(ts.max).toISOString()).toBe(new Date(Date.UTC(2024, 0, 1) + (MILLION - 1) * 1000).toISOString());
    });

    it('profiles every type family without NaN, Infinity or unsafe integers', async () => {
      const response = await register({ name: 'types', source_type: 'parquet', path: 'raw/types.parquet' }).expect(201);
      const profile = Object.fromEntries(response.body.profile.map((p: { column: string }) => [p.column, p]));
      expect(profile.l).toMatchObject({ type: 'BIGINT[]', approx_distinct: 3, min: null, max: null, mean: null });
      expect(profile.st).toMatchObject({ type: 'STRUCT(a BIGINT)', approx_distinct: 3, min: null, max: null });
      expect(profile.b).toMatchObject({ min: false, max: true, mean: null });
      expect(profile.tz).toMatchObject({ type: 'TIMESTAMP WITH TIME ZONE', min: '2024-01-01T00:00:00.000000Z', max: '2024-01-01T02:00:00.000000Z' });
      // NaN and inf are values (not nulls), but min, max, mean and stddev are over the finite ones.
      expect(profile.d).toMatchObject({ min: 2, max: 2, mean: 2, stddev: null, null_count: 0 });
      expect(profile.big).toMatchObject({ min: '9223372036854775805', max: '9223372036854775807' });
      expect(profile.bl).toMatchObject({ type: 'BLOB', min: null, max: null });
      expect(profile.dt).toMatchObject({ type: 'DATE', min: '2024-01-01', max: '2024-01-03' });
      expect(profile.nul).toMatchObject({ min: 'nul\uFFFD0', max: 'nul\uFFFD2' });
      expect(JSON.stringify(response.body)).not.toMatch(/NaN|Infinity/);
    });

    it('profiles a wide table of 300 columns', async () => {
      const response = await register({ name: 'wide', source_type: 'parquet', path: 'raw/wide.parquet' }).expect(201);
      expect(response.body.schema).toHaveLength(300);
      expect(response.body.profile).toHaveLength(300);
      expect(response.body.profile[299]).toMatchObject({ column: 'c299', min: 0, max: 9 * 299, mean: 4.5 * 299, null_count: 0 });
    });

    it('registers a table of the configured DuckDB database file', async () => {
      const response = await register({ name: 'trips', source_type: 'duckdb_table', table_name: 'trips', tags: ['taxi'] }).expect(201);
      const [expected] = await duck<{ n: bigint; mean: number }>(
        `SELECT count(*) AS n, avg(fare)::DOUBLE AS mean FROM trips`,
        join(root, 'warehouse.duckdb'),
      );
      expect(response.body).toMatchObject({
        source_type: 'duckdb_table',
        path: 'warehouse.duckdb',
        table_name: 'trips',
        row_count: Number(expected.n),
        content_sha256: null,
        schema: [
          { column: 'trip_id', type: 'BIGINT' },
          { column: 'fare', type: 'DECIMAL(21,1)' },
        ],
      });
      expect(response.body.size_bytes).toBeGreaterThan(0);
      expect(response.body.profile[1].mean).toBeCloseTo(expected.mean, 9);
    });

    it('follows a symlink that stays inside the data root, recording the real path', async () => {
      const response = await register({ name: 'people-linked', source_type: 'csv', path: 'people-link.csv' }).expect(201);
      expect(response.body.path).toBe('raw/people.csv');
      const absolute = await register({ name: 'people-absolute', source_type: 'csv', path: join(root, 'raw', 'people.csv') }).expect(201);
      expect(absolute.body.path).toBe('raw/people.csv');
    });
  });

  describe('paths outside the data root and unreadable files write nothing', () => {
    const escapes: [string, () => string][] = [
      ['a ../ path', () => '../outside/secret.csv'],
      ['a ../ path hidden in the middle', () => 'raw/../../outside/secret.csv'],
      ['an absolute path elsewhere', () => join(outside, 'secret.csv')],
      ['/etc/passwd', () => '/etc/passwd'],
      ['a symlinked file leading out', () => 'raw/link-out.csv'],
      ['a symlinked directory leading out', () => 'dir-out/secret.csv'],
      ['a glob', () => 'raw/*.csv'],
      ['the data root itself', () => '.'],
    ];

    it.each(escapes)('rejects %s with 400 problem+json', async (_label, path) => {
      const before = await eventCount();
      const response = await register({ name: 'escape', source_type: 'csv', path: path() });
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'path' })]);
      expect(JSON.stringify(response.body)).not.toContain('hunter2');
      expect(await eventCount()).toBe(before);
    });

    it.each([
      ['a missing file', { source_type: 'csv', path: 'raw/missing.csv' }, /No files found|does not exist/i],
      ['a file that is not Parquet', { source_type: 'parquet', path: 'raw/broken.parquet' }, /parquet/i],
      ['a table the database does not have', { source_type: 'duckdb_table', table_name: 'nope' }, /nope/],
      ['a database file that does not exist', { source_type: 'duckdb_table', path: 'missing.duckdb', table_name: 'trips' }, /missing\.duckdb|Cannot open|does not exist/i],
    ])('answers 422 with DuckDB’s reason for %s', async (_label, body, reason) => {
      const before = await eventCount();
      const response = await register({ name: 'unreadable', ...body });
      expect(response.status).toBe(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.detail).toMatch(/^DuckDB cannot read the dataset: /);
      expect(response.body.detail).toMatch(reason);
      expect(response.body.detail).not.toContain(root);
      expect(await eventCount()).toBe(before);
    });

    it('answers 422 to a table whose profile would not fit in one event', async () => {
      const before = await eventCount();
      const response = await register({ name: 'too-wide', source_type: 'parquet', path: 'raw/too-wide.parquet' });
      expect(response.status).toBe(422);
      expect(response.body.detail).toMatch(/profile of 1500 columns takes \d+ bytes/);
      expect(await eventCount()).toBe(before);
    });

    it.each([
      ['an unknown source type', { name: 'x', source_type: 'excel', path: 'raw/people.csv' }],
      ['a csv without a path', { name: 'x', source_type: 'csv' }],
      ['a table without a table name', { name: 'x', source_type: 'duckdb_table' }],
      ['a table name on a file', { name: 'x', source_type: 'csv', path: 'raw/people.csv', table_name: 't' }],
      ['a table name with SQL in it', { name: 'x', source_type: 'duckdb_table', table_name: 'trips; DROP TABLE trips' }],
      ['an invalid name', { name: 'Not A Slug', source_type: 'csv', path: 'raw/people.csv' }],
      ['an unknown field', { name: 'x', source_type: 'csv', path: 'raw/people.csv', format: 'csv' }],
      ['a MongoDB operator in a tag', { name: 'x', source_type: 'csv', path: 'raw/people.csv', tags: ['$where'] }],
    ])('rejects %s with 400 and writes nothing', async (_label, body) => {
      const before = await eventCount();
      const response = await register(body);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ status: 400, errors: expect.any(Array) });
      expect(await eventCount()).toBe(before);
    });

    it('lets one of 5 concurrent registrations of a name win; the rest get 409', async () => {
      const responses = await Promise.all(Array.from({ length: 5 }, () => register({ name: 'raced', source_type: 'csv', path: 'raw/people.csv' })));
      expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
      expect(await mongo.db.collection('events').countDocuments({ stream_id: 'dataset:raced' })).toBe(1);
    });

    it('answers 409 to a taken name before profiling, writing nothing', async () => {
      const before = await eventCount();
      const response = await register({ name: 'people', source_type: 'parquet', path: 'raw/broken.parquet' });
      expect(response.status).toBe(409);
      expect(await eventCount()).toBe(before);
    });
  });

  describe('refresh', () => {
    it('records added, removed and retyped columns, then only the new profile when nothing changed', async () => {
      const file = join(root, 'raw', 'evolving.csv');
      await writeFile(file, 'a,b\n1,x\n2,y\n');
      await register({ name: 'evolving', source_type: 'csv', path: 'raw/evolving.csv' }).expect(201);
      await writeFile(file, 'a,c\nfirst,1.5\nsecond,2.5\nthird,3.5\n');

      const stale = await http().post(`${API}/evolving/refresh`).set('If-Match', '"7"');
      expect(stale.status).toBe(412);
      const refreshed = await http().post(`${API}/evolving/refresh`).set('If-Match', '"1"');
      expect(refreshed.status).toBe(200);
      expect(refreshed.headers.etag).toBe('"3"');
      expect(refreshed.body).toMatchObject({
        row_count: 3,
        schema: [
          { column: 'a', type: 'VARCHAR' },
          { column: 'c', type: 'DOUBLE' },
        ],
        last_schema_change: {
          added: [{ column: 'c', type: 'DOUBLE' }],
          removed: [{ column: 'b', type: 'VARCHAR' }],
          retyped: [{ column: 'a', from: 'BIGINT', to: 'VARCHAR' }],
          changed_at: expect.any(String),
        },
      });
      expect(refreshed.body.profile[1]).toMatchObject({ column: 'c', mean: 2.5, min: 1.5, max: 3.5 });

      const again = await http().post(`${API}/evolving/refresh`).expect(200);
      expect(again.body.version).toBe(4);
      expect(again.body.last_schema_change).toEqual(refreshed.body.last_schema_change);

      const events = await readTopic(env.KAFKA_BROKERS, env.KAFKA_TOPIC_PREFIX + Topics.featureStore, (all) =>
        all.filter((e) => e.key === 'dataset:evolving').length >= 4,
      );
      const stream = events.filter((e) => e.key === 'dataset:evolving').map((e) => e.event);
      expect(stream.map((e) => [e.type, e.streamversion])).toEqual([
        ['mlops.feature-store.dataset.registered.v1', 1],
        ['mlops.feature-store.dataset.schema_changed.v1', 2],
        ['mlops.feature-store.dataset.profiled.v1', 3],
        ['mlops.feature-store.dataset.profiled.v1', 4],
      ]);
      const validator = new EventValidator([featureStoreCatalog]);
      for (const event of events.map((e) => e.event)) expect(validator.validate(event)).toEqual({ valid: true, errors: [] });
      expect(stream[0].data).toMatchObject({ id: 'evolving', path: 'raw/evolving.csv', source_type: 'csv', table_name: null });
    });

    it('answers 422 and writes nothing when the file is gone or its link now leads out of the data root', async () => {
      const link = join(root, 'swap.csv');
      await writeFile(join(root, 'raw', 'swap-target.csv'), 'v\n1\n');
      await symlink(join(root, 'raw', 'swap-target.csv'), link);
      await register({ name: 'swap', source_type: 'csv', path: 'swap.csv' }).expect(201);
      await unlink(join(root, 'raw', 'swap-target.csv'));
      const before = await eventCount();
      const gone = await http().post(`${API}/swap/refresh`);
      expect(gone.status).toBe(422);
      expect(gone.body.detail).toMatch(/^DuckDB cannot read the dataset/);

      await writeFile(join(root, 'moved.csv'), 'v\n1\n');
      await register({ name: 'moved', source_type: 'csv', path: 'moved.csv' }).expect(201);
      await unlink(join(root, 'moved.csv'));
      await symlink(join(outside, 'secret.csv'), join(root, 'moved.csv'));
      const countBefore = await eventCount();
      const out = await http().post(`${API}/moved/refresh`);
      expect(out.status).toBe(422);
      expect(out.body.detail).toMatch(/no longer resolves inside the data root/);
      expect(await eventCount()).toBe(countBefore);
      expect(countBefore).toBe(before + 1);
      await http().post(`${API}/unknown/refresh`).expect(404);
    });
  });

  describe('lists and routes', () => {
    it('filters by source_type and tag, and pages with a cursor', async () => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await http()
          .get(API)
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        ids.push(...page.body.items.map((d: { id: string }) => d.id));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(ids).toEqual([...ids].sort());
      expect(ids).toEqual(expect.arrayContaining(['people', 'million', 'wide', 'trips', 'evolving']));
      const tables = await http().get(API).query({ source_type: 'duckdb_table' }).expect(200);
      expect(tables.body.items.map((d: { id: string }) => d.id)).toEqual(['trips']);
      const hr = await http().get(API).query({ tag: 'hr', source_type: 'csv' }).expect(200);
      expect(hr.body).toEqual({ items: [expect.objectContaining({ id: 'people' })], next_cursor: null });
      await http().get(API).query({ source_type: 'xlsx' }).expect(400);
      await http().get(API).query({ limit: 501 }).expect(400);
    });

    it('never takes /features/datasets for a feature, and 404s an unknown dataset', async () => {
      const missing = await http().get(`${API}/nope`);
      expect(missing.status).toBe(404);
      expect(missing.body.detail).toMatch(/Dataset nope/);
      const feature = await http().post('/api/v1/features').set(json).send({
        name: 'datasets',
        entity: 'id',
        value_type: 'int64',
        source: { kind: 'column', dataset_id: 'people', column: 'id' },
      });
      expect(feature.status).toBe(400);
    });
  });
});
