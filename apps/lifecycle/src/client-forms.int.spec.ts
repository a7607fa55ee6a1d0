import request from 'supertest';
import { connectMongo, countStoredEvents, dropDatabase, isolatedEnv, listen, RunningApp } from '@mlops/testing';
import { createLifecycleApp } from './app';

const ROOT = '/api/v1/ml/lifecycle';
const json = { 'content-type': 'application/json' };

/**
 * The forms MLflow and the seed's clients send beside ours: version numbers as digit strings, and
 * run metrics as a `{key: value}` map (one point per key, at that key's next step).
 */
describe('lifecycle input in the forms clients send, on a real Kafka broker and MongoDB-protocol server', () => {
  const env = isolatedEnv('client-forms');
  let service: RunningApp;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  let runId: string;
  const http = () => request(service.url);
  const eventCount = () => countStoredEvents(mongo.db);
  const history = async (key: string) =>
    ((await http().get(`${ROOT}/runs/${runId}/metrics/${encodeURIComponent(key)}`).expect(200)).body.items as { step: number; value: number }[]).map(
      ({ step, value }) => [step, value],
    );
  const logMetrics = (metrics: unknown) => http().patch(`${ROOT}/runs/${runId}`).set(json).send({ metrics });

  beforeAll(async () => {
    service = await listen((await createLifecycleApp(env)).app);
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
    await http().post(`${ROOT}/experiments`).set(json).send({ name: 'forms' }).expect(201);
    runId = (await http().post(`${ROOT}/runs`).set(json).send({ experiment_name: 'forms' }).expect(201)).body.run_id;
  });

  afterAll(async () => {
    await service?.close();
    await mongo?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  describe('run metrics as a {key: value} map', () => {
    it('logs one point per key, each at one past its highest step (0 for a new key)', async () => {
      await logMetrics({ 'val/loss': 0.5, accuracy: 0.8 }).expect(200);
      await logMetrics([{ key: 'val/loss', value: 0.45, step: 7 }]).expect(200);
      const run = (await logMetrics({ 'val/loss': 0.4, accuracy: 0.85 }).expect(200)).body;
      expect(await history('val/loss')).toEqual([
        [0, 0.5],
        [7, 0.45],
        [8, 0.4],
      ]);
      expect(await history('accuracy')).toEqual([
        [0, 0.8],
        [1, 0.85],
      ]);
      expect(run.metrics.find((m: { key: string }) => m.key === 'val/loss')).toMatchObject({ step: 8, value: 0.4 });
    });

    it.each([
      ['an empty map', {}],
      ['a value that is not a number', { 'val/loss': 'low' }],
      ['a key metric keys may not have', { 'bad\nkey': 1 }],
      ['neither a list nor a map', 'val/loss=0.3'],
    ])('refuses %s with 400 and writes nothing', async (_case, metrics) => {
      const before = await eventCount();
      const refused = await logMetrics(metrics).expect(400);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.body.errors.map((e: { field: string }) => e.field.split('.')[0])).toContain('metrics');
      expect(await eventCount()).toBe(before);
    });
  });

  describe('version numbers as digit strings', () => {
    beforeAll(async () => {
      for (let i = 0; i < 2; i++) {
        await http().post(`${ROOT}/models`).set(json).send({ model_name: 'forms-clf', run_id: runId, artifact_uri: `s3://m/${i}` }).expect(201);
      }
    });

    it('takes a version path segment of digits, and refuses other spellings of a number', async () => {
      expect((await http().get(`${ROOT}/models/forms-clf/2`).expect(200)).body.version).toBe(2);
      for (const version of ['2.0', '0x2', '2e0', '-2']) await http().get(`${ROOT}/models/forms-clf/${version}`).expect(400);
    });

    it('compares versions given as digit strings', async () => {
      const comparison = (await http().post(`${ROOT}/models/forms-clf/compare`).set(json).send({ versions: ['1', 2] }).expect(200)).body;
      expect(comparison.baseline_version).toBe(1);
      expect(comparison.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
      await http().post(`${ROOT}/models/forms-clf/compare`).set(json).send({ versions: ['1', 1] }).expect(400);
    });

    it('deploys a model_version given as a digit string, stored as a number', async () => {
      const created = await http()
        .post(`${ROOT}/deployments`)
        .set(json)
        .send({ model_name: 'forms-clf', model_version: '1', environment: 'development', config: { traffic_percent: 10 } })
        .expect(201);
      expect(created.body.model_version).toBe(1);
      const read = await http().get(`${ROOT}/deployments/${created.body.deployment_id}`).expect(200);
      expect(read.body.model_version).toBe(1);
    });

    it('records a drift event with a model_version given as a digit string', async () => {
      const drift = { model_name: 'forms-clf', feature: 'tenure', metric: 'psi', value: 0.3, threshold: 0.2, severity: 'low' };
      const recorded = await http().post(`${ROOT}/drift-events`).set(json).send({ ...drift, model_version: '2' }).expect(201);
      expect(recorded.body.model_version).toBe(2);
      const before = await eventCount();
      for (const model_version of ['2.5', ' 2', '', 'two']) {
        await http().post(`${ROOT}/drift-events`).set(json).send({ ...drift, model_version }).expect(400);
      }
      expect(await eventCount()).toBe(before);
    });
  });
});
