import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import request from 'supertest';
import { lifecycleCatalog, Topics } from '@mlops/events';
import { connectMongo, dropDatabase, eventually, isolatedEnv, listen, readTopic, repoRoot, RunningApp, ServiceProcess, startGateway, countStoredEvents } from '@mlops/testing';
import { createLifecycleApp } from '../app';

const run = promisify(execFile);
const API = '/api/v1/ml/lifecycle/experiments';
const json = { 'content-type': 'application/json' };

async function startLifecycle(env: Record<string, string>): Promise<RunningApp> {
  const { app } = await createLifecycleApp(env);
  return listen(app);
}


describe('experiments on a real Kafka broker and MongoDB-protocol server', () => {
  const env = isolatedEnv('experiments');
  const topic = env.KAFKA_TOPIC_PREFIX + Topics.lifecycle;
  let service: RunningApp;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  let gateway: ServiceProcess;
  const http = () => request(gateway.url);
  const eventCount = () => countStoredEvents(mongo.db);

  beforeAll(async () => {
    service = await startLifecycle(env);
    gateway = await startGateway({ LIFECYCLE_URL: service.url });
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
  });
  afterAll(async () => {
    await gateway?.stop();
    await service.close();
    await mongo.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  describe('optimistic concurrency (invariant 2)', () => {
    it('lets exactly one of 50 concurrent PATCHes with the same If-Match win', async () => {
      const created = await http().post(API).set(json).send({ name: 'race', description: 'start' }).expect(201);
      expect(created.headers.etag).toBe('"1"');
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          http().patch(`${API}/race`).set(json).set('If-Match', '"1"').send({ description: `writer ${i}` }),
        ),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 412)).toHaveLength(49);
      const winner = responses.find((r) => r.status === 200)!;
      const current = await http().get(`${API}/race`).expect(200);
      expect(current.headers.etag).toBe('"2"');
      expect(current.body.description).toBe(winner.body.description);
      const commits = await mongo.db.collection('events').countDocuments({ stream_id: 'experiment:race' });
      expect(commits).toBe(2);
    });

    it('answers 412 to a stale If-Match and 409 to a duplicate name, writing nothing', async () => {
      await http().post(API).set(json).send({ name: 'stale' }).expect(201);
      await http().patch(`${API}/stale`).set(json).send({ description: 'changed' }).expect(200);
      const before = await eventCount();
      const stale = await http().patch(`${API}/stale`).set(json).set('If-Match', '"1"').send({ description: 'lost update' });
      expect(stale.status).toBe(412);
      expect(stale.headers['content-type']).toMatch(/application\/problem\+json/);
      const duplicate = await http().post(API).set(json).send({ name: 'stale' });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body).toMatchObject({ status: 409, title: expect.any(String), type: expect.any(String) });
      expect(await eventCount()).toBe(before);
    });
  });

  describe('atomic append (invariant 1)', () => {
    it('stores a PATCH that changes tags and status as one commit of two events, both published', async () => {
      await http().post(API).set(json).send({ name: 'atomic', tags: ['a'] }).expect(201);
      const patched = await http().patch(`${API}/atomic`).set(json).send({ tags: ['a', 'b'], status: 'archived' }).expect(200);
      expect(patched.body).toMatchObject({ tags: ['a', 'b'], status: 'archived', version: 3 });
      const commits = await mongo.db.collection('events').find({ stream_id: 'experiment:atomic' }).sort({ version: 1 }).toArray();
      expect(commits.map((c) => c.events.length)).toEqual([1, 2]);
      const events = await readTopic(env.KAFKA_BROKERS, topic, (all) => all.filter((e) => e.key === 'experiment:atomic').length >= 3);
      expect(events.filter((e) => e.key === 'experiment:atomic').map((e) => e.event.type)).toEqual([
        'mlops.lifecycle.experiment.created.v1',
        'mlops.lifecycle.experiment.updated.v1',
        'mlops.lifecycle.experiment.archived.v1',
      ]);
    });
  });

  describe('consumer offsets (invariant 4)', () => {
    it('commits the consumer group offsets after applying', async () => {
      const { Kafka } = await import('kafkajs');
      const admin = new Kafka({ brokers: env.KAFKA_BROKERS.split(','), logLevel: 0 }).admin();
      await admin.connect();
      try {
        await eventually(async () => {
          const end = await admin.fetchTopicOffsets(topic);
          const [committed] = await admin.fetchOffsets({ groupId: `${env.KAFKA_TOPIC_PREFIX}lifecycle.experiments.g0`, topics: [topic] });
          for (const partition of end) {
            const offset = committed.partitions.find((p) => p.partition === partition.partition)!.offset;
            const expected = partition.high === '0' ? ['-1', '0'] : [partition.high];
            expect(expected).toContain(offset);
          }
        });
      } finally {
        await admin.disconnect();
      }
    });
  });

  describe('read-your-writes (invariant 6)', () => {
    it('shows every acknowledged command on the next GET', async () => {
      for (let i = 0; i < 10; i++) {
        await http().post(API).set(json).send({ name: `ryw-${i}`, owner: 'ryw' }).expect(201);
        expect((await http().get(`${API}/ryw-${i}`).expect(200)).body.version).toBe(1);
        await http().patch(`${API}/ryw-${i}`).set(json).send({ description: `d${i}` }).expect(200);
        expect((await http().get(`${API}/ryw-${i}`).expect(200)).body.description).toBe(`d${i}`);
      }
    });

    it('answers 202 with Location when the caller prefers not to wait, and the change follows', async () => {
      const accepted = await http().post(API).set(json).set('Prefer', 'respond-async').send({ name: 'async-one' });
      expect(accepted.status).toBe(202);
      expect(accepted.headers.location).toBe(`${API}/async-one`);
      expect(accepted.body).toMatchObject({ status: 'accepted', version: 1 });
      await eventually(async () => {
        await http().get(accepted.headers.location).expect(200);
      });
    });
  });

  describe('bad input never corrupts (invariant 7)', () => {
    const cases: [string, () => request.Test][] = [
      ['malformed JSON', () => http().post(API).set(json).send('{"name": "x",')],
      ['an unknown field', () => http().post(API).set(json).send({ name: 'unknown-field', colour: 'red' })],
      ['a wrong type', () => http().post(API).set(json).send({ name: 'wrong-type', tags: 'not-a-list' })],
      ['a MongoDB operator as a value', () => http().post(API).set(json).send({ name: { $gt: '' } })],
      ['a MongoDB operator in a tag', () => http().post(API).set(json).send({ name: 'op-tag', tags: ['$where'] })],
      ['an invalid name', () => http().post(API).set(json).send({ name: '../etc/passwd' })],
      ['an unknown status', () => http().patch(`${API}/stale`).set(json).send({ status: 'deleted' })],
      ['a body that is not an object', () => http().post(API).set(json).send('[1,2]')],
      ['a bad limit', () => http().get(`${API}?limit=501`)],
      ['an unknown query parameter', () => http().get(`${API}?owner[$ne]=x`)],
      ['a forged cursor', () => http().get(`${API}?cursor=not-a-cursor`)],
    ];

    it.each(cases)('rejects %s with 400 problem+json and writes nothing', async (_label, send) => {
      const before = await eventCount();
      const response = await send();
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status: 400 });
      expect(await eventCount()).toBe(before);
    });

    it('rejects a body over 1 MB with 413 problem+json and writes nothing', async () => {
      const before = await eventCount();
      const response = await http().post(API).set(json).send({ name: 'huge', description: 'x'.repeat(1_100_000) });
      expect(response.status).toBe(413);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await eventCount()).toBe(before);
    });

    it('rejects a non-JSON body with 415', async () => {
      const response = await http().post(API).set('content-type', 'text/plain').send('name=x');
      expect(response.status).toBe(415);
    });

    it('answers 404 problem+json for an unknown experiment, on GET and PATCH', async () => {
      const before = await eventCount();
      const get = await http().get(`${API}/does-not-exist`);
      expect(get.status).toBe(404);
      expect(get.headers['content-type']).toMatch(/^application\/problem\+json/);
      await http().patch(`${API}/does-not-exist`).set(json).send({ description: 'x' }).expect(404);
      expect(await eventCount()).toBe(before);
    });
  });

  describe('lists', () => {
    it('filters by owner, status and tag, and pages with a cursor', async () => {
      for (const i of [1, 2, 3, 4, 5]) {
        await http().post(API).set(json).send({ name: `page-${i}`, owner: 'pager', tags: i % 2 ? ['odd'] : ['even'] }).expect(201);
      }
      await http().patch(`${API}/page-5`).set(json).send({ status: 'archived' }).expect(200);
      const names: string[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await http()
          .get(API)
          .query({ owner: 'pager', limit: 2, ...(cursor ? { cursor } : {}) })
          .expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        names.push(...page.body.items.map((e: { name: string }) => e.name));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(names).toEqual(['page-1', 'page-2', 'page-3', 'page-4', 'page-5']);
      const active = await http().get(API).query({ owner: 'pager', status: 'active', tag: 'odd' }).expect(200);
      expect(active.body.items.map((e: { name: string }) => e.name)).toEqual(['page-1', 'page-3']);
      expect(active.body.next_cursor).toBeNull();
    });
  });
});

describe('no loss when the process dies right after the append (invariant 3)', () => {
  const env = isolatedEnv('crash');
  const topic = env.KAFKA_TOPIC_PREFIX + Topics.lifecycle;

  afterAll(() => dropDatabase(env.MONGO_URL, env.MONGO_DB));

  it('publishes what the dead process appended, once and in stream order, when a service starts again', async () => {
    const child = await run(
      process.execPath,
      ['-r', '@swc-node/register', 'apps/lifecycle/test/append-then-crash.ts', env.MONGO_URL, env.MONGO_DB, 'experiment:survivor', '4'],
      { cwd: repoRoot },
    ).catch((error: { stdout: string; signal: string }) => error);
    expect(child.stdout).toContain('appended');
    expect((child as { signal?: string }).signal).toBe('SIGKILL');

    const mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
    try {
      expect(await mongo.db.collection('events').countDocuments({ published: false })).toBe(4);
      const service = await startLifecycle(env);
      try {
        const events = await readTopic(env.KAFKA_BROKERS, topic, (all) => all.length >= 4, { settleMs: 1500 });
        expect(events.map((e) => [e.key, e.event.streamversion])).toEqual([
          ['experiment:survivor', 1],
          ['experiment:survivor', 2],
          ['experiment:survivor', 3],
          ['experiment:survivor', 4],
        ]);
        expect(events.every((e) => lifecycleCatalog.has(e.event.type))).toBe(true);
        await eventually(async () => {
          const doc = await request(service.url).get(`${API}/survivor`).expect(200);
          expect(doc.body).toMatchObject({ version: 4, description: 'v4', created_by: 'crash-test' });
        });
        expect(await mongo.db.collection('events').countDocuments({ published: false })).toBe(0);
      } finally {
        await service.close();
      }
    } finally {
      await mongo.close();
    }
  });
});
