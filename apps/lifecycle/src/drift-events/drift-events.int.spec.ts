import request from 'supertest';
import { EventValidator, lifecycleCatalog, Topics } from '@mlops/events';
import { connectMongo, dropDatabase, isolatedEnv, listen, readTopic, RunningApp, ServiceProcess, startGateway, countStoredEvents } from '@mlops/testing';
import { createLifecycleApp } from '../app';
import { storedEvents } from '@mlops/event-sourcing';

const ROOT = '/api/v1/ml/lifecycle';
const DRIFT = `${ROOT}/drift-events`;
const DEPLOYMENTS = `${ROOT}/deployments`;
const MODELS = `${ROOT}/models`;
const json = { 'content-type': 'application/json' };
const ALL_REQUIRED = ['evaluation_passed', 'bias_review', 'security_review'].map((key) => ({ key, checked: true }));


describe('drift events on a real Kafka broker and MongoDB-protocol server', () => {
  const env = isolatedEnv('drift');
  const topic = env.KAFKA_TOPIC_PREFIX + Topics.lifecycle;
  let service: RunningApp;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  let production: string;
  let retired: string;
  let staging: string;
  let gateway: ServiceProcess;
  const http = () => request(gateway.url);
  const eventCount = () => countStoredEvents(mongo.db);
  const streamTypes = async (stream: string) =>
    (await mongo.db.collection('events').find({ stream_id: stream }).sort({ version: 1 }).toArray()).flatMap((c) => storedEvents(c).map((e: { type: string }) => e.type));
  const record = (body: Record<string, unknown>) =>
    http().post(DRIFT).set(json).send({ model_name: 'churn-clf', model_version: 1, feature: 'tenure', metric: 'psi', value: 0.3, threshold: 0.2, severity: 'low', ...body });
  const deploy = async (environment: string, model_version: number, traffic_percent: number) => {
    const created = await http().post(DEPLOYMENTS).set(json).send({ model_name: 'churn-clf', model_version, environment, config: { traffic_percent } }).expect(201);
    return created.body.deployment_id as string;
  };

  beforeAll(async () => {
    service = await listen((await createLifecycleApp(env)).app);
    gateway = await startGateway({ LIFECYCLE_URL: service.url });
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
    await http().post(`${ROOT}/experiments`).set(json).send({ name: 'churn' }).expect(201);
    const run = await http().post(`${ROOT}/runs`).set(json).send({ experiment_name: 'churn' }).expect(201);
    for (const model of ['churn-clf', 'churn-clf', 'fraud']) {
      await http().post(MODELS).set(json).send({ model_name: model, run_id: run.body.run_id, artifact_uri: 's3://m', stage: 'staging' }).expect(201);
    }
    await http().patch(`${MODELS}/churn-clf/1`).set(json).send({ checklist: ALL_REQUIRED, stage: 'production' }).expect(200);
    production = await deploy('production', 1, 50);
    for (const status of ['validating', 'deploying', 'active']) await http().patch(`${DEPLOYMENTS}/${production}`).set(json).send({ status }).expect(200);
    retired = await deploy('production', 1, 50);
    await http().delete(`${DEPLOYMENTS}/${retired}`).expect(200);
    staging = await deploy('staging', 1, 100);
  });
  afterAll(async () => {
    await gateway?.stop();
    await service?.close();
    await mongo?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('records a drift event: 201 with Location and ETag, readable back', async () => {
    const response = await record({ metric: 'wasserstein', value: 1.5, threshold: 1, severity: 'medium', detected_at: '2026-03-01T12:00:00+01:00' }).set('x-actor', 'monitor').expect(201);
    const id = response.body.drift_event_id;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(response.headers.location).toBe(`${DRIFT}/${id}`);
    expect(response.headers.etag).toBe('"1"');
    expect(response.headers['x-alerted-deployments']).toBeUndefined();
    expect(response.body).toMatchObject({
      model_name: 'churn-clf',
      model_version: 1,
      feature: 'tenure',
      metric: 'wasserstein',
      value: 1.5,
      threshold: 1,
      severity: 'medium',
      detected_at: '2026-03-01T11:00:00.000Z',
      recorded_by: 'monitor',
      version: 1,
    });
    expect((await http().get(response.headers.location).expect(200)).body).toEqual(response.body);
  });

  it('pages the live production deployments of the version on a critical drift — and only those', async () => {
    const before = { production: await streamTypes(`deployment:${production}`), retired: await streamTypes(`deployment:${retired}`), staging: await streamTypes(`deployment:${staging}`) };
    const response = await record({ severity: 'critical', feature: 'income', value: 0.9 }).expect(201);
    expect(response.headers['x-alerted-deployments']).toBe(production);
    expect(await streamTypes(`deployment:${production}`)).toEqual([...before.production, 'mlops.lifecycle.deployment.drift_alerted.v1']);
    expect(await streamTypes(`deployment:${retired}`)).toEqual(before.retired);
    expect(await streamTypes(`deployment:${staging}`)).toEqual(before.staging);
    const deployment = await http().get(`${DEPLOYMENTS}/${production}`).expect(200);
    expect(deployment.body.drift_alerts).toEqual([
      { drift_event_id: response.body.drift_event_id, feature: 'income', metric: 'psi', value: 0.9, threshold: 0.2, severity: 'critical', detected_at: response.body.detected_at },
    ]);
    const published = await readTopic(env.KAFKA_BROKERS, topic, (all) => all.some((e) => e.event.type === 'mlops.lifecycle.deployment.drift_alerted.v1'));
    const alert = published.find((e) => e.event.type === 'mlops.lifecycle.deployment.drift_alerted.v1')!;
    expect(alert.key).toBe(`deployment:${production}`);
    expect(new EventValidator([lifecycleCatalog]).validate(alert.event)).toEqual({ valid: true, errors: [] });
  });

  it('does not page for a high drift, nor for a critical one on a version no live production deployment serves', async () => {
    const before = await streamTypes(`deployment:${production}`);
    const high = await record({ severity: 'high' }).expect(201);
    expect(high.headers['x-alerted-deployments']).toBeUndefined();
    const otherVersion = await record({ severity: 'critical', model_version: 2 }).expect(201);
    expect(otherVersion.headers['x-alerted-deployments']).toBeUndefined();
    expect(await streamTypes(`deployment:${production}`)).toEqual(before);
  });

  it('answers 404 for an unknown model or version, writing nothing', async () => {
    const before = await eventCount();
    const unknown = await record({ model_name: 'nope' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
    await record({ model_version: 9, severity: 'critical' }).expect(404);
    await http().get(`${DRIFT}/0190a1b2-0000-7000-8000-000000000001`).expect(404);
    expect(await eventCount()).toBe(before);
  });

  it('filters by model_name, severity and a detected_at range, and pages with a cursor', async () => {
    await record({ model_name: 'fraud', severity: 'low', detected_at: '2026-01-10T00:00:00Z' }).expect(201);
    await record({ model_name: 'fraud', severity: 'high', detected_at: '2026-01-20T00:00:00Z' }).expect(201);
    await record({ model_name: 'fraud', severity: 'high', detected_at: '2026-01-30T00:00:00Z' }).expect(201);
    const list = async (query: Record<string, string>) => {
      const items: { feature: string; detected_at: string; severity: string; model_name: string }[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await http().get(DRIFT).query({ ...query, limit: 2, ...(cursor ? { cursor } : {}) }).expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        items.push(...page.body.items);
        cursor = page.body.next_cursor;
      } while (cursor);
      return items;
    };
    const fraud = await list({ model_name: 'fraud' });
    // Recording order (time-ordered ids).
    expect(fraud.map((d) => d.detected_at)).toEqual(['2026-01-10T00:00:00.000Z', '2026-01-20T00:00:00.000Z', '2026-01-30T00:00:00.000Z']);
    expect((await list({ model_name: 'fraud', severity: 'high' })).map((d) => d.detected_at)).toEqual(['2026-01-20T00:00:00.000Z', '2026-01-30T00:00:00.000Z']);
    expect((await list({ severity: 'critical' })).every((d) => d.severity === 'critical' && d.model_name === 'churn-clf')).toBe(true);
    expect((await list({ severity: 'critical' })).length).toBe(2);
    const ranged = await list({ from: '2026-01-15T00:00:00Z', to: '2026-01-30T00:00:00Z' });
    expect(ranged.map((d) => d.detected_at)).toEqual(['2026-01-20T00:00:00.000Z']);
    const fromOnly = await list({ model_name: 'fraud', from: '2026-01-20T01:00:00+01:00' });
    expect(fromOnly.map((d) => d.detected_at)).toEqual(['2026-01-20T00:00:00.000Z', '2026-01-30T00:00:00.000Z']);
    expect(await list({ model_name: 'churn-clf', to: '2026-01-01T00:00:00Z' })).toEqual([]);
  });

  it('takes and shows the name a model is called now: renamed, and its old name used again by a new model', async () => {
    const MLFLOW = '/api/2.0/mlflow';
    const mlflow = (path: string, body: Record<string, unknown>) => http().post(`${MLFLOW}/${path}`).set(json).send(body);
    const run = await http().post(`${ROOT}/runs`).set(json).send({ experiment_name: 'churn' }).expect(201);
    const register = (model_name: string) => http().post(MODELS).set(json).send({ model_name, run_id: run.body.run_id, artifact_uri: `s3://${model_name}` }).expect(201);
    await register('credit');
    await register('credit'); // the first model has versions 1 and 2
    await mlflow('registered-models/rename', { name: 'credit', new_name: 'credit-v2' }).expect(200);
    await mlflow('registered-models/create', { name: 'credit' }).expect(200);
    await register('credit'); // the new model has version 1 only
    const newKey = String((await mongo.db.collection('models').findOne({ model_name: 'credit', exists: { $ne: false } }))!._id).slice('model:'.length);
    expect(newKey).not.toBe('credit');

    const onRenamed = await record({ model_name: 'credit-v2', model_version: 2, feature: 'income' }).expect(201);
    expect(onRenamed.body.model_name).toBe('credit-v2');
    const onNew = await record({ model_name: 'credit', model_version: 1, feature: 'debt' }).expect(201);
    expect(onNew.body.model_name).toBe('credit');
    // The events and the read model keep the key.
    const stored = async (id: string) => (await mongo.db.collection('drift_events').findOne({ _id: `drift:${id}` } as never))?.model_name;
    expect(await stored(onRenamed.body.drift_event_id)).toBe('credit');
    expect(await stored(onNew.body.drift_event_id)).toBe(newKey);

    // The old key, now the new model's name, means the new model: its version 2 does not exist.
    const before = await eventCount();
    const oldKey = await record({ model_name: 'credit', model_version: 2 }).expect(404);
    expect(oldKey.body.detail).toContain('credit');
    expect(await eventCount()).toBe(before);

    const listed = async (model_name: string) => (await http().get(DRIFT).query({ model_name }).expect(200)).body.items.map((d: { drift_event_id: string; model_name: string }) => [d.drift_event_id, d.model_name]);
    expect(await listed('credit-v2')).toEqual([[onRenamed.body.drift_event_id, 'credit-v2']]);
    expect(await listed('credit')).toEqual([[onNew.body.drift_event_id, 'credit']]);
    expect((await http().get(`${DRIFT}/${onRenamed.body.drift_event_id}`).expect(200)).body.model_name).toBe('credit-v2');

    // Renamed once more: shown and found by the newest name only.
    await mlflow('registered-models/rename', { name: 'credit-v2', new_name: 'credit-v3' }).expect(200);
    expect(await listed('credit-v2')).toEqual([]);
    expect(await listed('credit-v3')).toEqual([[onRenamed.body.drift_event_id, 'credit-v3']]);
    expect((await http().get(`${DRIFT}/${onRenamed.body.drift_event_id}`).expect(200)).body.model_name).toBe('credit-v3');
    await record({ model_name: 'credit-v2', model_version: 2 }).expect(404);
  });

  describe('bad input never corrupts', () => {
    const cases: [string, () => request.Test][] = [
      ['an unknown severity', () => record({ severity: 'urgent' })],
      ['a string value', () => record({ value: '0.3' })],
      ['a missing threshold', () => http().post(DRIFT).set(json).send({ model_name: 'churn-clf', model_version: 1, feature: 'f', metric: 'psi', value: 1, severity: 'low' })],
      ['an operator metric', () => record({ metric: '$gt' })],
      ['an empty feature', () => record({ feature: '' })],
      ['a detected_at without a time zone', () => record({ detected_at: '2026-01-01T00:00:00' })],
      ['an unknown field', () => record({ colour: 'red' })],
      ['an unknown list filter', () => http().get(DRIFT).query({ feature: 'x' })],
      ['a bad from', () => http().get(DRIFT).query({ from: 'yesterday' })],
      ['a drift id that is not a uuid', () => http().get(`${DRIFT}/abc`)],
    ];
    it.each(cases)('rejects %s with 400 problem+json and writes nothing', async (_label, send) => {
      const before = await eventCount();
      const response = await send();
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await eventCount()).toBe(before);
    });
  });
});
