import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { DuckDBInstance } from '@duckdb/node-api';
import { EventValidator, featureStoreCatalog, Topics } from '@mlops/events';
import {
  connectMongo,
  countStoredEvents,
  dropDatabase,
  eventually,
  isolatedEnv,
  listen,
  readTopic,
  repoRoot,
  RunningApp,
  ServiceProcess,
  startGateway,
} from '@mlops/testing';
import { createFeatureStoreApp } from '../app';

const run = promisify(execFile);
const API = '/api/v1/features';
const json = { 'content-type': 'application/json' };

const fare = (overrides: Record<string, unknown> = {}) => ({
  name: 'trip_fare',
  description: 'Fare of a trip',
  entity: 'trip_id',
  value_type: 'double',
  schema: { nullable: false, min: 0 },
  source: { kind: 'column', dataset_id: 'trips', column: 'fare' },
  owner: 'pricing',
  tags: ['taxi', 'money'],
  ...overrides,
});

describe('features on a real Kafka broker and MongoDB-protocol server, through the gateway', () => {
  let root: string;
  let env: Record<string, string>;
  let service: RunningApp;
  let gateway: ServiceProcess;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  const http = () => request(gateway.url);
  const eventCount = () => countStoredEvents(mongo.db);
  const create = (body: Record<string, unknown>) => http().post(API).set(json).send(body);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'feature-store-features-'));
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(
      `COPY (SELECT i AS trip_id, i * 2.5 AS fare, 'z' || (i % 5) AS zone, (i % 4)::INTEGER AS passengers FROM range(100) t(i))
       TO '${join(root, 'trips.parquet')}' (FORMAT parquet)`,
    );
    connection.closeSync();
    instance.closeSync();
    env = isolatedEnv('features', { FEATURE_STORE_DATA_ROOT: root });
    service = await listen((await createFeatureStoreApp(env)).app);
    gateway = await startGateway({ FEATURE_STORE_URL: service.url });
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
    await http().post(`${API}/datasets`).set(json).send({ name: 'trips', source_type: 'parquet', path: 'trips.parquet' }).expect(201);
  });

  afterAll(async () => {
    await gateway?.stop();
    await service?.close();
    await mongo?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
    await rm(root, { recursive: true, force: true });
  });

  describe('create and read', () => {
    it('creates a feature as version 1 and serves it with its latest version', async () => {
      const created = await create(fare());
      expect(created.status).toBe(201);
      expect(created.headers.location).toBe(`${API}/trip_fare`);
      expect(created.headers.etag).toBe('"1"');
      expect(created.body).toMatchObject({
        name: 'trip_fare',
        entity: 'trip_id',
        owner: 'pricing',
        status: 'active',
        version: 1,
        latest_version: {
          name: 'trip_fare',
          version: 1,
          value_type: 'double',
          schema: { nullable: false, min: 0, max: null, allowed_values: null },
          source: { kind: 'column', dataset_id: 'trips', column: 'fare' },
          changelog: 'Initial version',
          backward_compatible: true,
          breaking_changes: [],
          created_by: expect.any(String),
        },
      });
      expect(new Date(created.body.created_at).toISOString()).toBe(created.body.created_at);
      const detail = await http().get(`${API}/trip_fare`).expect(200);
      expect(detail.headers.etag).toBe('"1"');
      expect(detail.body).toEqual(created.body);
    });

    it('accepts a SQL expression DuckDB can bind against the dataset', async () => {
      const created = await create(
        fare({ name: 'fare_per_passenger', value_type: 'double', schema: {}, source: { kind: 'sql', dataset_id: 'trips', expression: 'fare / nullif(passengers, 0)' } }),
      );
      expect(created.status).toBe(201);
      expect(created.body.latest_version.source).toEqual({ kind: 'sql', dataset_id: 'trips', expression: 'fare / nullif(passengers, 0)' });
    });

    it.each([
      ['a column the dataset does not have', { source: { kind: 'column', dataset_id: 'trips', column: 'tip' } }, /column "tip" does not exist in dataset trips/],
      ['a dataset that is not registered', { source: { kind: 'column', dataset_id: 'weather', column: 'fare' } }, /dataset weather is not registered/],
      ['an expression over a missing column', { source: { kind: 'sql', dataset_id: 'trips', expression: 'tip * 2' } }, /DuckDB.*tip/],
      ['an expression reading another file', { source: { kind: 'sql', dataset_id: 'trips', expression: "(SELECT count(*) FROM read_csv('/etc/passwd'))" } }, /disabled by configuration/],
      ['an expression adding columns', { source: { kind: 'sql', dataset_id: 'trips', expression: 'fare), (zone' } }, /one scalar expression; it yields 2 columns/],
      ['an expression smuggling a second statement', { source: { kind: 'sql', dataset_id: 'trips', expression: '1); DROP TABLE x; SELECT (1' } }, /DuckDB/],
      ['a column of a type the feature cannot hold', { value_type: 'int32', source: { kind: 'column', dataset_id: 'trips', column: 'zone' } }, /a int32 feature cannot hold the source's DuckDB type VARCHAR/],
      ['an expression of a type the feature cannot hold', { source: { kind: 'sql', dataset_id: 'trips', expression: "zone || '-x'" } }, /a double feature cannot hold the source's DuckDB type VARCHAR/],
    ])('answers 422 for %s and writes nothing', async (_label, overrides, reason) => {
      const before = await eventCount();
      const response = await create(fare({ name: 'rejected', schema: {}, ...overrides }));
      expect(response.status).toBe(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.detail).toMatch(reason);
      expect(await eventCount()).toBe(before);
    });

    it.each([
      ['the reserved name datasets', fare({ name: 'datasets' })],
      ['an invalid name', fare({ name: 'Trip-Fare' })],
      ['an unknown value type', fare({ name: 'x', value_type: 'decimal' })],
      ['bounds on a string feature', fare({ name: 'x', value_type: 'string', source: { kind: 'column', dataset_id: 'trips', column: 'zone' } })],
      ['min above max', fare({ name: 'x', schema: { min: 5, max: 1 } })],
      ['allowed values of another type', fare({ name: 'x', value_type: 'int32', schema: { allowed_values: ['a'] } })],
      ['an unknown field in the schema', fare({ name: 'x', schema: { nullable: true, unique: true } })],
      ['a column source with an expression', fare({ name: 'x', source: { kind: 'column', dataset_id: 'trips', column: 'fare', expression: 'fare' } })],
      ['a source without a column', fare({ name: 'x', source: { kind: 'column', dataset_id: 'trips' } })],
      ['a schema that is not an object', fare({ name: 'x', schema: 'strict' })],
      ['a MongoDB operator as a value', fare({ name: { $gt: '' } })],
      ['NaN as a bound', fare({ name: 'x', schema: { min: 'NaN' } })],
    ])('rejects %s with 400 problem+json and writes nothing', async (_label, body) => {
      const before = await eventCount();
      const response = await create(body);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 400, errors: expect.any(Array) });
      expect(await eventCount()).toBe(before);
    });

    it('answers 409 to a duplicate name and 404 to an unknown feature, writing nothing', async () => {
      const before = await eventCount();
      expect((await create(fare())).status).toBe(409);
      expect((await http().get(`${API}/nope`)).status).toBe(404);
      expect((await http().patch(`${API}/nope`).set(json).send({ owner: 'x' })).status).toBe(404);
      expect((await http().delete(`${API}/nope`)).status).toBe(404);
      expect((await http().post(`${API}/nope/versions`).set(json).send({ changelog: 'x', value_type: 'float' })).status).toBe(404);
      expect((await http().get(`${API}/nope/versions`)).status).toBe(404);
      expect(await eventCount()).toBe(before);
    });
  });

  describe('metadata updates and concurrency (invariant 2)', () => {
    it('lets exactly one of 20 concurrent PATCHes with the same If-Match win', async () => {
      await create(fare({ name: 'race' })).expect(201);
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => http().patch(`${API}/race`).set(json).set('If-Match', '"1"').send({ description: `writer ${i}` })),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 412)).toHaveLength(19);
      const current = await http().get(`${API}/race`).expect(200);
      expect(current.headers.etag).toBe('"2"');
      expect(current.body.description).toBe(responses.find((r) => r.status === 200)!.body.description);
    });

    it('lets one of 10 concurrent creations of a name win (409 for the rest); concurrent versions never share a number', async () => {
      const creations = await Promise.all(Array.from({ length: 10 }, () => create(fare({ name: 'contested' }))));
      expect(creations.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(409)]);
      const versions = await Promise.all(
        Array.from({ length: 10 }, (_, i) => http().post(`${API}/contested/versions`).set(json).send({ schema: { min: i + 1 }, changelog: `writer ${i}` })),
      );
      const won = versions.filter((r) => r.status === 201);
      expect(won.length).toBeGreaterThanOrEqual(1);
      expect(versions.every((r) => r.status === 201 || r.status === 409)).toBe(true);
      const history = await http().get(`${API}/contested/versions`).expect(200);
      expect(history.body.items.map((v: { version: number }) => v.version)).toEqual(Array.from({ length: won.length + 1 }, (_, i) => i + 1));
      expect(won.map((r) => r.body.version as number).sort((a, b) => a - b)).toEqual(history.body.items.slice(1).map((v: { version: number }) => v.version));
    });

    it('updates description, owner and tags, keeps versions untouched, and answers 412 to a stale If-Match', async () => {
      await create(fare({ name: 'meta' })).expect(201);
      const patched = await http().patch(`${API}/meta`).set(json).set('If-Match', '"1"').send({ owner: 'risk', tags: ['taxi'], description: 'd' });
      expect(patched.status).toBe(200);
      expect(patched.headers.etag).toBe('"2"');
      expect(patched.body).toMatchObject({ owner: 'risk', tags: ['taxi'], description: 'd', version: 2, latest_version: { version: 1 } });
      const before = await eventCount();
      const stale = await http().patch(`${API}/meta`).set(json).set('If-Match', '"1"').send({ owner: 'lost' });
      expect(stale.status).toBe(412);
      expect((await http().patch(`${API}/meta`).set(json).send({ owner: 'risk', reason: 'x' })).status).toBe(400);
      expect((await http().patch(`${API}/meta`).set(json).send({ value_type: 'float' })).status).toBe(400);
      expect(await eventCount()).toBe(before);
    });
  });

  describe('versions', () => {
    it('creates immutable versions with changelog, author and compatibility, and serves the history', async () => {
      await create(fare({ name: 'passengers', value_type: 'int32', schema: { nullable: true, allowed_values: [0, 1, 2, 3] }, source: { kind: 'column', dataset_id: 'trips', column: 'passengers' } })).expect(201);
      const widened = await http().post(`${API}/passengers/versions`).set(json).send({ value_type: 'int64', changelog: 'Widen to int64' });
      expect(widened.status).toBe(201);
      expect(widened.headers.location).toBe(`${API}/passengers/versions/2`);
      expect(widened.headers.etag).toBe('"2"');
      expect(widened.body).toMatchObject({
        version: 2,
        value_type: 'int64',
        schema: { nullable: true, allowed_values: [0, 1, 2, 3] },
        changelog: 'Widen to int64',
        backward_compatible: true,
        breaking_changes: [],
      });
      const narrowed = await http()
        .post(`${API}/passengers/versions`)
        .set(json)
        .send({ value_type: 'int32', schema: { nullable: false, allowed_values: [1, 2, 3] }, changelog: 'Only trips with passengers' })
        .expect(201);
      expect(narrowed.body).toMatchObject({ version: 3, backward_compatible: false });
      expect(narrowed.body.breaking_changes).toEqual([
        expect.stringMatching(/^value_type int64 → int32/),
        expect.stringMatching(/^nullable true → false/),
        'allowed values removed: 0',
      ]);
      const resourced = await http()
        .post(`${API}/passengers/versions`)
        .set(json)
        .send({ source: { kind: 'sql', dataset_id: 'trips', expression: 'passengers + 0' }, changelog: 'Computed' })
        .expect(201);
      expect(resourced.body).toMatchObject({ version: 4, backward_compatible: true, value_type: 'int32' });

      const detail = await http().get(`${API}/passengers`).expect(200);
      expect(detail.body.latest_version).toEqual(resourced.body);

      const versions: number[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await http()
          .get(`${API}/passengers/versions`)
          .query({ limit: 3, ...(cursor ? { cursor } : {}) })
          .expect(200);
        versions.push(...page.body.items.map((v: { version: number }) => v.version));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(versions).toEqual([1, 2, 3, 4]);

      const one = await http().get(`${API}/passengers/versions/2`).expect(200);
      expect(one.headers.etag).toBe('"2"');
      expect(one.body).toEqual(widened.body);
      expect((await http().get(`${API}/passengers/versions/9`)).status).toBe(404);
      expect((await http().get(`${API}/passengers/versions/zero`)).status).toBe(400);
    });

    it('answers 422 to an unchanged definition and to a source column that does not exist, writing nothing', async () => {
      const before = await eventCount();
      const unchanged = await http().post(`${API}/trip_fare/versions`).set(json).send({ value_type: 'double', changelog: 'Nothing' });
      expect(unchanged.status).toBe(422);
      expect(unchanged.body.detail).toMatch(/unchanged/);
      const missing = await http()
        .post(`${API}/trip_fare/versions`)
        .set(json)
        .send({ source: { kind: 'column', dataset_id: 'trips', column: 'tip' }, changelog: 'x' });
      expect(missing.status).toBe(422);
      expect((await http().post(`${API}/trip_fare/versions`).set(json).send({ value_type: 'float' })).status).toBe(400);
      expect(await eventCount()).toBe(before);
    });
  });

  describe('deprecation', () => {
    it('deprecates softly, refuses new versions (422), repeats harmlessly, and restores', async () => {
      await create(fare({ name: 'old_fare' })).expect(201);
      const deleted = await http().delete(`${API}/old_fare`).query({ reason: 'replaced by trip_fare' });
      expect(deleted.status).toBe(200);
      expect(deleted.body).toMatchObject({ status: 'deprecated', deprecation_reason: 'replaced by trip_fare', version: 2 });
      const before = await eventCount();
      const again = await http().delete(`${API}/old_fare`).expect(200);
      expect(again.body.version).toBe(2);
      const refused = await http().post(`${API}/old_fare/versions`).set(json).send({ value_type: 'float', changelog: 'x' });
      expect(refused.status).toBe(422);
      expect(refused.body.detail).toMatch(/deprecated/);
      expect(await eventCount()).toBe(before);
      expect((await http().get(`${API}/old_fare/versions`).expect(200)).body.items).toHaveLength(1);
      const restored = await http().patch(`${API}/old_fare`).set(json).send({ status: 'active' }).expect(200);
      expect(restored.body).toMatchObject({ status: 'active', deprecation_reason: null, version: 3 });
      await http().post(`${API}/old_fare/versions`).set(json).send({ value_type: 'float', changelog: 'x' }).expect(201);
    });
  });

  describe('lists', () => {
    it('filters by entity, owner, tag and status, and pages with a cursor', async () => {
      for (const i of [1, 2, 3, 4, 5]) {
        await create(fare({ name: `listed_${i}`, entity: i % 2 ? 'driver_id' : 'trip_id', owner: 'lister', tags: i % 2 ? ['odd'] : ['even'] })).expect(201);
      }
      await http().delete(`${API}/listed_5`).expect(200);
      const names: string[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await http()
          .get(API)
          .query({ owner: 'lister', limit: 2, ...(cursor ? { cursor } : {}) })
          .expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        names.push(...page.body.items.map((f: { name: string }) => f.name));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(names).toEqual(['listed_1', 'listed_2', 'listed_3', 'listed_4', 'listed_5']);
      const active = await http().get(API).query({ owner: 'lister', entity: 'driver_id', tag: 'odd', status: 'active' }).expect(200);
      expect(active.body).toEqual({ items: [expect.objectContaining({ name: 'listed_1' }), expect.objectContaining({ name: 'listed_3' })], next_cursor: null });
      const deprecated = await http().get(API).query({ owner: 'lister', status: 'deprecated' }).expect(200);
      expect(deprecated.body.items.map((f: { name: string }) => f.name)).toEqual(['listed_5']);
      await http().get(API).query({ status: 'deleted' }).expect(400);
      await http().get(API).query({ cursor: 'forged' }).expect(400);
    });
  });

  describe('the event contract', () => {
    it('publishes every event to the feature-store topic, valid against its JSON Schema, in stream order', async () => {
      const topic = env.KAFKA_TOPIC_PREFIX + Topics.featureStore;
      const stored = await eventCount();
      const events = await readTopic(env.KAFKA_BROKERS, topic, (all) => all.length >= stored);
      expect(events).toHaveLength(stored);
      const validator = new EventValidator([featureStoreCatalog]);
      for (const { event, key } of events) {
        expect(validator.validate(event)).toEqual({ valid: true, errors: [] });
        expect(event.subject).toBe(key);
      }
      const passengers = events.filter((e) => e.key === 'feature:passengers').map((e) => e.event);
      expect(passengers.map((e) => [e.type, e.streamversion])).toEqual([
        ['mlops.feature-store.feature.created.v1', 1],
        ['mlops.feature-store.feature.version_created.v1', 2],
        ['mlops.feature-store.feature.version_created.v1', 3],
        ['mlops.feature-store.feature.version_created.v1', 4],
      ]);
      const types = new Set(events.map((e) => e.event.type));
      for (const type of ['created', 'updated', 'deprecated', 'restored', 'version_created']) expect(types).toContain(`mlops.feature-store.feature.${type}.v1`);
    });
  });

  describe('documentation and health', () => {
    it('appears in the gateway’s merged OpenAPI document with every D1 route, and reports ready', async () => {
      const document = await http().get('/openapi.json').expect(200);
      const paths = document.body.paths;
      expect(Object.keys(paths)).toEqual(
        expect.arrayContaining([API, `${API}/{name}`, `${API}/{name}/versions`, `${API}/{name}/versions/{version}`, `${API}/datasets`, `${API}/datasets/{id}`, `${API}/datasets/{id}/refresh`]),
      );
      expect(Object.keys(paths[`${API}/{name}`]).sort()).toEqual(['delete', 'get', 'patch']);
      expect(Object.keys(paths[`${API}/datasets`]).sort()).toEqual(['get', 'post']);
      expect(JSON.stringify(paths[`${API}/datasets`].post)).toMatch(/dataset id is its name/);
      const health = await http().get('/health').expect((r) => expect([200, 503]).toContain(r.status));
      expect(health.body.services['feature-store']).toMatchObject({ status: 'up' });
    });
  });
});

describe('no loss when the process dies right after the append (invariant 3)', () => {
  const env = isolatedEnv('fscrash');
  afterAll(() => dropDatabase(env.MONGO_URL, env.MONGO_DB));

  it('publishes what the dead process appended, once and in stream order, and projects it, when a service starts again', async () => {
    const child = await run(process.execPath, ['-r', '@swc-node/register', 'apps/feature-store/test/append-then-crash.ts', env.MONGO_URL, env.MONGO_DB, 'survivor', '4'], {
      cwd: repoRoot,
    }).catch((error: { stdout: string; signal: string }) => error);
    expect(child.stdout).toContain('appended');
    expect((child as { signal?: string }).signal).toBe('SIGKILL');
    const mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
    const root = await mkdtemp(join(tmpdir(), 'feature-store-crash-'));
    try {
      expect(await mongo.db.collection('events').countDocuments({ published: false })).toBe(4);
      const service = await listen((await createFeatureStoreApp({ ...env, FEATURE_STORE_DATA_ROOT: root })).app);
      try {
        const events = await readTopic(env.KAFKA_BROKERS, env.KAFKA_TOPIC_PREFIX + Topics.featureStore, (all) => all.length >= 4, { settleMs: 1500 });
        expect(events.map((e) => [e.key, e.event.streamversion, e.event.type])).toEqual([
          ['feature:survivor', 1, 'mlops.feature-store.feature.created.v1'],
          ['feature:survivor', 2, 'mlops.feature-store.feature.version_created.v1'],
          ['feature:survivor', 3, 'mlops.feature-store.feature.version_created.v1'],
          ['feature:survivor', 4, 'mlops.feature-store.feature.version_created.v1'],
        ]);
        await eventually(async () => {
          const doc = await request(service.url).get(`${API}/survivor`).expect(200);
          expect(doc.body).toMatchObject({ version: 4, created_by: 'crash-test', latest_version: { version: 4, schema: { min: -4 } } });
        });
        expect(await mongo.db.collection('events').countDocuments({ published: false })).toBe(0);
      } finally {
        await service.close();
      }
    } finally {
      await mongo.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
