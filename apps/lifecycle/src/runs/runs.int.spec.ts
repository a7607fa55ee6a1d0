import request from 'supertest';
import { connectMongo, dropDatabase, isolatedEnv, listen, RunningApp, ServiceProcess, startGateway, countStoredEvents } from '@mlops/testing';
import { createLifecycleApp } from '../app';
import { bucketPoints, METRIC_HISTORY_COLLECTION, MetricBucketDocument } from './runs.projection';
import { storedEvents } from '@mlops/event-sourcing';

type StoredBucket = Pick<MetricBucketDocument, '_id' | 'run_id' | 'items_json' | 'count'> & { generation?: number };

const ROOT = '/api/v1/ml/lifecycle';
const RUNS = `${ROOT}/runs`;
const EXPERIMENTS = `${ROOT}/experiments`;
const json = { 'content-type': 'application/json' };

// Replaying thousands of history points takes a few seconds on FerretDB.


describe('runs on a real Kafka broker and MongoDB-protocol server', () => {
  const env = isolatedEnv('runs');
  let service: RunningApp;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  let gateway: ServiceProcess;
  const http = () => request(gateway.url);
  const eventCount = () => countStoredEvents(mongo.db);
  const history = () => mongo.db.collection<StoredBucket>(METRIC_HISTORY_COLLECTION);

  const createExperiment = (name: string) => http().post(EXPERIMENTS).set(json).send({ name }).expect(201);
  const startRun = async (experiment_name: string, body: Record<string, unknown> = {}) => {
    const started = await http().post(RUNS).set(json).send({ experiment_name, ...body }).expect(201);
    return started.body.run_id as string;
  };
  const readHistory = async (runId: string, key: string, limit: number) => {
    const points: { step: number; value: number; timestamp: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: request.Response = await http()
        .get(`${RUNS}/${runId}/metrics/${encodeURIComponent(key)}`)
        .query({ limit, ...(cursor ? { cursor } : {}) })
        .expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(limit);
      points.push(...page.body.items);
      cursor = page.body.next_cursor;
      pages++;
    } while (cursor);
    return { points, pages };
  };

  beforeAll(async () => {
    service = await listen((await createLifecycleApp(env)).app);
    gateway = await startGateway({ LIFECYCLE_URL: service.url });
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
    await createExperiment('churn');
    await createExperiment('frozen');
    await http().patch(`${EXPERIMENTS}/frozen`).set(json).send({ status: 'archived' }).expect(200);
  });
  afterAll(async () => {
    await gateway?.stop();
    await service?.close();
    await mongo?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  describe('starting a run', () => {
    it('answers 201 with Location, ETag and the run, params stored as {key, value}', async () => {
      const started = await http()
        .post(RUNS)
        .set(json)
        .set('x-actor', 'ana')
        .send({ experiment_name: 'churn', name: 'baseline', params: { lr: 0.01, optimizer: 'adam', early_stop: true }, tags: ['gbm'], start_time: '2026-01-01T10:00:00+02:00' })
        .expect(201);
      const runId = started.body.run_id;
      expect(runId).toMatch(/^[0-9a-f-]{36}$/);
      expect(started.headers.location).toBe(`${RUNS}/${runId}`);
      expect(started.headers.etag).toBe('"1"');
      expect(started.body).toMatchObject({
        experiment_name: 'churn',
        name: 'baseline',
        status: 'running',
        params: [{ key: 'lr', value: 0.01 }, { key: 'optimizer', value: 'adam' }, { key: 'early_stop', value: true }],
        tags: ['gbm'],
        start_time: '2026-01-01T08:00:00.000Z',
        end_time: null,
        metrics: [],
        created_by: 'ana',
        version: 1,
      });
      const fetched = await http().get(started.headers.location).expect(200);
      expect(fetched.headers.etag).toBe('"1"');
      expect(fetched.body).toEqual(started.body);
      const [commit] = await mongo.db.collection('events').find({ stream_id: `run:${runId}` }).toArray();
      expect(storedEvents(commit)[0].type).toBe('mlops.lifecycle.run.started.v1');
    });

    it('answers 404 for an unknown experiment and 422 for an archived one, writing nothing', async () => {
      const before = await eventCount();
      const unknown = await http().post(RUNS).set(json).send({ experiment_name: 'nope' });
      expect(unknown.status).toBe(404);
      expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
      const archived = await http().post(RUNS).set(json).send({ experiment_name: 'frozen' });
      expect(archived.status).toBe(422);
      expect(await eventCount()).toBe(before);
    });
  });

  describe('metrics', () => {
    it('logs batches, serves the history by step then timestamp in pages, and keeps the latest point per key', async () => {
      const runId = await startRun('churn');
      const batch = (from: number) =>
        Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: 1 / (from + i + 1), step: from + i, timestamp: '2026-01-01T00:00:00Z' }));
      const first = await http().patch(`${RUNS}/${runId}`).set(json).send({ metrics: batch(1000) }).expect(200);
      expect(first.headers.etag).toBe('"2"');
      // Logged later but with lower steps, plus a tie on step 1999 decided by the later timestamp.
      await http()
        .patch(`${RUNS}/${runId}`)
        .set(json)
        .send({
          metrics: [
            ...batch(0).slice(0, 998),
            { key: 'loss', value: 0.123, step: 1999, timestamp: '2026-01-02T00:00:00Z' },
            { key: 'acc', value: 0.5 },
          ],
        })
        .expect(200);

      const detail = await http().get(`${RUNS}/${runId}`).expect(200);
      expect(detail.headers.etag).toBe('"3"');
      const latest = [...detail.body.metrics].sort((a, b) => a.key.localeCompare(b.key));
      expect(latest).toEqual([
        { key: 'acc', value: 0.5, step: 0, timestamp: expect.any(String) },
        { key: 'loss', value: 0.123, step: 1999, timestamp: '2026-01-02T00:00:00.000Z' },
      ]);

      const { points, pages } = await readHistory(runId, 'loss', 500);
      expect(points).toHaveLength(1999);
      expect(pages).toBe(4);
      const order = points.map((p) => [p.step, p.timestamp]);
      const sorted = [...order].sort((a, b) => (a[0] as number) - (b[0] as number) || String(a[1]).localeCompare(String(b[1])));
      expect(order).toEqual(sorted);
      expect(points[0]).toEqual({ step: 0, value: 1, timestamp: '2026-01-01T00:00:00.000Z' });
      expect(points.slice(-2).map((p) => p.value)).toEqual([1 / 2000, 0.123]);
      expect((await readHistory(runId, 'acc', 50)).points).toHaveLength(1);
      expect((await readHistory(runId, 'never-logged', 50)).points).toEqual([]);
    });

    it('stores a 10,000-point history as a handful of buckets and reads it whole, exactly, in pages', async () => {
      const runId = await startRun('churn');
      // Ten batches of 1,000, each logged in descending step order so every bucket's points arrive unsorted.
      for (let b = 0; b < 10; b++) {
        const metrics = Array.from({ length: 1000 }, (_, i) => {
          const step = b * 1000 + (999 - i);
          return { key: 'val/loss', value: step / 7, step, timestamp: '2026-01-01T00:00:00Z' };
        });
        await http().patch(`${RUNS}/${runId}`).set(json).send({ metrics }).expect(200);
      }
      // Each bucket holds its points as one JSON text, not as arrays FerretDB decodes element by element.
      const buckets = await history().find({ run_id: runId }).toArray();
      expect(buckets.map((b) => [typeof b.items_json, b.count, bucketPoints(b).length])).toEqual(Array(10).fill(['string', 1000, 1000]));
      const { points, pages } = await readHistory(runId, 'val/loss', 500);
      expect(pages).toBe(20);
      expect(points.map((p) => p.step)).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
      expect(points[9999]).toEqual({ step: 9999, value: 9999 / 7, timestamp: '2026-01-01T00:00:00.000Z' });
      // Pages of another size cut the same history at other places.
      expect((await readHistory(runId, 'val/loss', 333)).points).toEqual(points);
    });

    it('shows points appended to a bucket after it was read', async () => {
      const runId = await startRun('churn');
      const log = (steps: number[]) =>
        http().patch(`${RUNS}/${runId}`).set(json).send({ metrics: steps.map((step) => ({ key: 'loss', value: step / 3, step })) }).expect(200);
      await log([0, 1, 2]);
      expect((await readHistory(runId, 'loss', 500)).points.map((p) => p.step)).toEqual([0, 1, 2]);
      await log([3, 1]);
      expect((await readHistory(runId, 'loss', 500)).points.map((p) => [p.step, p.value])).toEqual([
        [0, 0],
        [1, 1 / 3],
        [1, 1 / 3],
        [2, 2 / 3],
        [3, 1],
      ]);
    });

    it('answers 404 for the history of an unknown run', async () => {
      const response = await http().get(`${RUNS}/00000000-0000-4000-8000-000000000000/metrics/loss`);
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });

  describe('params, tags and status', () => {
    it('keeps params write-once: the same value is a no-op, another value 409 naming the keys', async () => {
      const runId = await startRun('churn', { params: { lr: 0.1, depth: 6 } });
      const same = await http().patch(`${RUNS}/${runId}`).set(json).send({ params: { lr: 0.1 } }).expect(200);
      expect(same.headers.etag).toBe('"1"');
      const added = await http().patch(`${RUNS}/${runId}`).set(json).send({ params: { lr: 0.1, seed: '42' }, tags: ['tuned'] }).expect(200);
      expect(added.body).toMatchObject({ version: 3, tags: ['tuned'], params: [{ key: 'lr', value: 0.1 }, { key: 'depth', value: 6 }, { key: 'seed', value: '42' }] });
      const before = await eventCount();
      const changed = await http().patch(`${RUNS}/${runId}`).set(json).send({ params: { lr: 0.2, depth: '6', seed: '42' } });
      expect(changed.status).toBe(409);
      expect(changed.body.detail).toMatch(/lr, depth/);
      expect(await eventCount()).toBe(before);
    });

    it('ends a running run once; other transitions and metrics after the end answer 422', async () => {
      const runId = await startRun('churn', { start_time: '2026-01-01T00:00:00Z' });
      const ended = await http()
        .patch(`${RUNS}/${runId}`)
        .set(json)
        .send({ status: 'completed', end_time: '2026-01-01T01:00:00Z', metrics: [{ key: 'auc', value: 0.8 }] })
        .expect(200);
      expect(ended.body).toMatchObject({ status: 'completed', end_time: '2026-01-01T01:00:00.000Z', version: 3 });
      const before = await eventCount();
      for (const status of ['running', 'failed', 'completed']) {
        const response = await http().patch(`${RUNS}/${runId}`).set(json).send({ status });
        expect(response.status).toBe(422);
      }
      const late = await http().patch(`${RUNS}/${runId}`).set(json).send({ metrics: [{ key: 'auc', value: 0.9 }] });
      expect(late.status).toBe(422);
      expect(late.body.detail).toMatch(/no metrics after it ended/);
      expect(await eventCount()).toBe(before);

      const killed = await startRun('churn');
      const response = await http().patch(`${RUNS}/${killed}`).set(json).send({ status: 'killed' }).expect(200);
      expect(response.body.end_time).toEqual(expect.any(String));
    });

    it('honours If-Match: 412 for a stale version, writing nothing', async () => {
      const runId = await startRun('churn');
      await http().patch(`${RUNS}/${runId}`).set(json).set('If-Match', '"1"').send({ tags: ['x'] }).expect(200);
      const before = await eventCount();
      const stale = await http().patch(`${RUNS}/${runId}`).set(json).set('If-Match', '"1"').send({ tags: ['y'] });
      expect(stale.status).toBe(412);
      expect(stale.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await eventCount()).toBe(before);
      await http().patch(`${RUNS}/${runId}`).set(json).set('If-Match', '"2"').send({ tags: ['y'] }).expect(200);
    });

    it('answers 404 for an unknown run on GET and PATCH', async () => {
      await http().get(`${RUNS}/00000000-0000-4000-8000-000000000000`).expect(404);
      await http().patch(`${RUNS}/00000000-0000-4000-8000-000000000000`).set(json).send({ tags: ['x'] }).expect(404);
    });
  });

  describe('bad input never corrupts', () => {
    let runId: string;
    beforeAll(async () => {
      runId = await startRun('churn');
    });
    const patch = (body: unknown) => http().patch(`${RUNS}/${runId}`).set(json).send(body as object);
    const point = { key: 'loss', value: 1 };
    const cases: [string, () => request.Test][] = [
      ['a NaN-like string value', () => patch({ metrics: [{ key: 'loss', value: 'NaN' }] })],
      ['an Infinity-like string value', () => patch({ metrics: [{ key: 'loss', value: 'Infinity' }] })],
      ['a numeric string value', () => patch({ metrics: [{ key: 'loss', value: '0.5' }] })],
      ['more than 1,000 points', () => patch({ metrics: Array.from({ length: 1001 }, () => point) })],
      ['an unknown field in a point', () => patch({ metrics: [{ ...point, unit: 'ms' }] })],
      ['a negative step', () => patch({ metrics: [{ ...point, step: -1 }] })],
      ['a fractional step', () => patch({ metrics: [{ ...point, step: 1.5 }] })],
      ['a bad timestamp', () => patch({ metrics: [{ ...point, timestamp: 'yesterday' }] })],
      ['a metric key with $', () => patch({ metrics: [{ key: '$where', value: 1 }] })],
      ['an operator object as a value', () => patch({ metrics: [{ key: 'loss', value: { $gt: 0 } }] })],
      ['an operator object as a param value', () => patch({ params: { lr: { $set: 1 } } })],
      ['an operator as a param key', () => patch({ params: { $where: '1' } })],
      ['a nested param value', () => patch({ params: { lr: [1] } })],
      ['an unknown status', () => patch({ status: 'paused' })],
      ['an unknown top-level field', () => patch({ colour: 'red' })],
      ['an end_time without an ending status', () => patch({ end_time: '2030-01-01T00:00:00Z' })],
      ['a start with an operator experiment name', () => http().post(RUNS).set(json).send({ experiment_name: { $ne: '' } })],
      ['an unknown list filter', () => http().get(RUNS).query({ owner: 'x' })],
      ['a bad history limit', () => http().get(`${RUNS}/${runId}/metrics/loss?limit=501`)],
    ];

    it.each(cases)('rejects %s with 400 problem+json and writes nothing', async (_label, send) => {
      const before = await eventCount();
      const historyBefore = await history().countDocuments();
      const response = await send();
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await eventCount()).toBe(before);
      expect(await history().countDocuments()).toBe(historyBefore);
    });
  });

  describe('lists', () => {
    it('filters by experiment and status, and pages with a cursor', async () => {
      await createExperiment('listing');
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push(await startRun('listing', { name: `r${i}` }));
      await http().patch(`${RUNS}/${ids[1]}`).set(json).send({ status: 'failed' }).expect(200);
      await http().patch(`${RUNS}/${ids[3]}`).set(json).send({ status: 'failed' }).expect(200);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await http()
          .get(RUNS)
          .query({ experiment_name: 'listing', limit: 2, ...(cursor ? { cursor } : {}) })
          .expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((r: { run_id: string }) => r.run_id));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect([...seen].sort()).toEqual([...ids].sort());
      expect(new Set(seen).size).toBe(5);
      const failed = await http().get(RUNS).query({ experiment_name: 'listing', status: 'failed' }).expect(200);
      expect(failed.body.items.map((r: { run_id: string }) => r.run_id).sort()).toEqual([ids[1], ids[3]].sort());
      expect(failed.body.next_cursor).toBeNull();
    });

    it('orders an experiment’s runs by a metric’s latest value server-side, page after page, ties by run id', async () => {
      await createExperiment('sorted');
      const auc = [0.7, 0.9, 0.8, 0.9, 0.6];
      const ids: string[] = [];
      for (const [i, value] of auc.entries()) {
        const id = await startRun('sorted', { name: `s${i}` });
        // An earlier, higher value: the sort is by the latest one.
        await http().patch(`${RUNS}/${id}`).set(json).send({ metrics: [{ key: 'auc', value: 0.99, step: 0 }, { key: 'auc', value, step: 1 }] }).expect(200);
        ids.push(id);
      }
      await startRun('sorted', { name: 'no-auc' });
      const pages = async (order?: 'asc' | 'desc') => {
        const seen: { run_id: string; metrics: { key: string; value: number }[] }[] = [];
        let cursor: string | null = null;
        do {
          const page: request.Response = await http()
            .get(RUNS)
            .query({ experiment_name: 'sorted', sort_metric: 'auc', limit: 2, ...(order ? { order } : {}), ...(cursor ? { cursor } : {}) })
            .expect(200);
          expect(page.body.items.length).toBeLessThanOrEqual(2);
          seen.push(...page.body.items);
          cursor = page.body.next_cursor;
        } while (cursor);
        return seen;
      };
      const tied = [ids[1], ids[3]].sort();
      const desc = await pages();
      expect(desc.map((r) => r.run_id)).toEqual([...tied.reverse(), ids[2], ids[0], ids[4]]);
      expect(desc.map((r) => r.metrics.find((m) => m.key === 'auc')!.value)).toEqual([0.9, 0.9, 0.8, 0.7, 0.6]);
      const asc = await pages('asc');
      expect(asc.map((r) => r.run_id)).toEqual([ids[4], ids[0], ids[2], ...[ids[1], ids[3]].sort()]);

      await http().get(RUNS).query({ sort_metric: 'auc' }).expect(400);
      await http().get(RUNS).query({ experiment_name: 'sorted', sort_metric: 'auc', status: 'running' }).expect(400);
      await http().get(RUNS).query({ experiment_name: 'sorted', sort_metric: 'auc', order: 'sideways' }).expect(400);
      const foreign = (await http().get(RUNS).query({ experiment_name: 'sorted', limit: 1 }).expect(200)).body.next_cursor;
      await http().get(RUNS).query({ experiment_name: 'sorted', sort_metric: 'auc', cursor: foreign }).expect(400);
    });
  });

  describe('experiment detail', () => {
    it('counts runs by status and picks the best run by a metric’s latest value', async () => {
      await createExperiment('leaderboard');
      const empty = await http().get(`${EXPERIMENTS}/leaderboard`).query({ metric: 'auc' }).expect(200);
      expect(empty.body).toMatchObject({ run_counts: { running: 0, completed: 0, failed: 0, killed: 0, total: 0 }, best_run: null });
      const [a, b, c, d] = [await startRun('leaderboard'), await startRun('leaderboard'), await startRun('leaderboard'), await startRun('leaderboard')];
      // b's best ever value is the highest, but its latest (step 2) is not.
      await http().patch(`${RUNS}/${a}`).set(json).send({ metrics: [{ key: 'auc', value: 0.7, step: 1 }], status: 'completed' }).expect(200);
      await http().patch(`${RUNS}/${b}`).set(json).send({ metrics: [{ key: 'auc', value: 0.99, step: 1 }, { key: 'auc', value: 0.6, step: 2 }] }).expect(200);
      await http().patch(`${RUNS}/${c}`).set(json).send({ metrics: [{ key: 'auc', value: 0.8 }, { key: 'loss', value: 0.1 }], status: 'failed' }).expect(200);
      await http().patch(`${RUNS}/${d}`).set(json).send({ status: 'killed' }).expect(200);

      const detail = await http().get(`${EXPERIMENTS}/leaderboard`).query({ metric: 'auc' }).expect(200);
      expect(detail.headers.etag).toBe('"1"');
      expect(detail.body).toMatchObject({
        name: 'leaderboard',
        run_counts: { running: 1, completed: 1, failed: 1, killed: 1, total: 4 },
        best_run: { run_id: c, value: 0.8 },
      });
      const lowest = await http().get(`${EXPERIMENTS}/leaderboard`).query({ metric: 'auc', mode: 'min' }).expect(200);
      expect(lowest.body.best_run).toEqual({ run_id: b, value: 0.6 });
      const missing = await http().get(`${EXPERIMENTS}/leaderboard`).query({ metric: 'f1' }).expect(200);
      expect(missing.body.best_run).toBeNull();
      const plain = await http().get(`${EXPERIMENTS}/leaderboard`).expect(200);
      expect(plain.body.run_counts.total).toBe(4);
      expect(plain.body).not.toHaveProperty('best_run');
      await http().get(`${EXPERIMENTS}/leaderboard`).query({ metric: 'auc', mode: 'avg' }).expect(400);
    });
  });
});
