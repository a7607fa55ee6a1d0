import request from 'supertest';
import { connectMongo, dropDatabase, isolatedEnv, listen, RunningApp, ServiceProcess, startGateway, countStoredEvents } from '@mlops/testing';
import { createLifecycleApp } from '../app';
import { storedEvents } from '@mlops/event-sourcing';

const ROOT = '/api/v1/ml/lifecycle';
const DEPLOYMENTS = `${ROOT}/deployments`;
const MODELS = `${ROOT}/models`;
const json = { 'content-type': 'application/json' };
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const ALL_REQUIRED = ['evaluation_passed', 'bias_review', 'security_review'].map((key) => ({ key, checked: true }));


describe('deployments on a real Kafka broker and MongoDB-protocol server', () => {
  const env = isolatedEnv('deployments');
  let service: RunningApp;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  let gateway: ServiceProcess;
  const http = () => request(gateway.url);
  const eventCount = () => countStoredEvents(mongo.db);

  const deploy = (body: Record<string, unknown>) => http().post(DEPLOYMENTS).set(json).send({ model_name: 'churn-clf', model_version: 1, ...body });
  // A small share by default, so the many deployments of one model here stay within each environment's 100%.
  const created = async (body: Record<string, unknown>) =>
    (await deploy({ config: { traffic_percent: 5 }, ...body }).expect(201)).body.deployment_id as string;
  const patch = (id: string, body: Record<string, unknown>) => http().patch(`${DEPLOYMENTS}/${id}`).set(json).send(body);
  const activate = async (id: string) => {
    for (const status of ['validating', 'deploying', 'active']) await patch(id, { status }).expect(200);
  };

  beforeAll(async () => {
    service = await listen((await createLifecycleApp(env)).app);
    gateway = await startGateway({ LIFECYCLE_URL: service.url });
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
    await http().post(`${ROOT}/experiments`).set(json).send({ name: 'churn' }).expect(201);
    const run = await http().post(`${ROOT}/runs`).set(json).send({ experiment_name: 'churn' }).expect(201);
    const register = (model_name: string, stage = 'staging') =>
      http().post(MODELS).set(json).send({ model_name, run_id: run.body.run_id, artifact_uri: 's3://m', stage }).expect(201);
    await register('churn-clf'); // v1 → production
    await http().patch(`${MODELS}/churn-clf/1`).set(json).send({ checklist: ALL_REQUIRED, stage: 'production' }).expect(200);
    await register('churn-clf'); // v2 staging
    await register('churn-clf', 'none'); // v3 → archived
    await http().patch(`${MODELS}/churn-clf/3`).set(json).send({ stage: 'archived' }).expect(200);
  });
  afterAll(async () => {
    await gateway?.stop();
    await service?.close();
    await mongo?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  describe('creating', () => {
    it('answers 201 with Location, ETag and a pending deployment with its config', async () => {
      const response = await deploy({ environment: 'staging', model_version: 2, config: { replicas: 3, resources: { cpu: '500m', memory: '1Gi', gpu: 1 }, traffic_percent: 100 } })
        .set('x-actor', 'ana')
        .expect(201);
      const id = response.body.deployment_id;
      expect(response.headers.location).toBe(`${DEPLOYMENTS}/${id}`);
      expect(response.headers.etag).toBe('"1"');
      expect(response.body).toMatchObject({
        model_name: 'churn-clf',
        model_version: 2,
        environment: 'staging',
        status: 'pending',
        config: { replicas: 3, resources: { cpu: '500m', memory: '1Gi', gpu: 1 }, traffic_percent: 100 },
        health: 'unknown',
        metrics: {},
        terminated_at: null,
        status_history: [{ from: null, to: 'pending', by: 'ana', reason: null }],
        created_by: 'ana',
        version: 1,
      });
      const fetched = await http().get(response.headers.location).expect(200);
      expect(fetched.headers.etag).toBe('"1"');
      expect(fetched.body).toEqual(response.body);
      await http().delete(response.headers.location).expect(200);
    });

    it('defaults the config to one replica and 100% of the traffic', async () => {
      const response = await deploy({ environment: 'development', model_version: 2 }).expect(201);
      expect(response.body.config).toEqual({ replicas: 1, resources: {}, traffic_percent: 100 });
      await http().delete(response.headers.location).expect(200);
    });

    it('answers 404 for an unknown model or version, 422 for an archived version or a non-production version in production — writing nothing', async () => {
      const before = await eventCount();
      await deploy({ environment: 'staging', model_version: 9 }).expect(404);
      await deploy({ environment: 'staging', model_name: 'nope' }).expect(404);
      const archived = await deploy({ environment: 'development', model_version: 3 });
      expect(archived.status).toBe(422);
      expect(archived.body.detail).toMatch(/archived/);
      const notProduction = await deploy({ environment: 'production', model_version: 2 });
      expect(notProduction.status).toBe(422);
      expect(notProduction.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await eventCount()).toBe(before);
    });

    it('keeps the live traffic of a model in an environment at or under 100% (409), counting only live deployments', async () => {
      const stable = await created({ environment: 'production', config: { traffic_percent: 70 } });
      const canary = await created({ environment: 'production', config: { traffic_percent: 30 } });
      const before = await eventCount();
      const over = await deploy({ environment: 'production', config: { traffic_percent: 1 } });
      expect(over.status).toBe(409);
      expect(over.body.detail).toMatch(/100%/);
      expect(await eventCount()).toBe(before);
      // Another environment has its own budget; a terminated deployment frees its share.
      const elsewhere = await created({ environment: 'staging', model_version: 1, config: { traffic_percent: 50 } });
      await http().delete(`${DEPLOYMENTS}/${canary}`).expect(200);
      await created({ environment: 'production', config: { traffic_percent: 30 } });
      await http().delete(`${DEPLOYMENTS}/${stable}`).expect(200);
      await http().delete(`${DEPLOYMENTS}/${elsewhere}`).expect(200);
    });
  });

  describe('the state machine', () => {
    it('walks pending → validating → deploying → active, reports health and metrics, and refuses illegal transitions with 422 writing nothing', async () => {
      const id = await created({ environment: 'development', model_version: 2 });
      const before = await eventCount();
      for (const status of ['deploying', 'active']) {
        const skipped = await patch(id, { status });
        expect(skipped.status).toBe(422);
        expect(skipped.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      await http().post(`${DEPLOYMENTS}/${id}/rollback`).set(json).send({}).expect(422);
      expect(await eventCount()).toBe(before);

      await activate(id);
      const reported = await patch(id, { health: 'healthy', metrics: { latency_p50_ms: 12, latency_p99_ms: 80.5, error_rate: 0.001, rps: 250 } }).expect(200);
      expect(reported.body).toMatchObject({ status: 'active', health: 'healthy', metrics: { latency_p50_ms: 12, latency_p99_ms: 80.5, error_rate: 0.001, rps: 250 }, version: 5 });
      const merged = await patch(id, { health: 'degraded', metrics: { rps: 300 } }).expect(200);
      expect(merged.body.metrics).toEqual({ latency_p50_ms: 12, latency_p99_ms: 80.5, error_rate: 0.001, rps: 300 });
      expect(merged.body.status_history.map((s: { to: string }) => s.to)).toEqual(['pending', 'validating', 'deploying', 'active']);
    });

    it('fails from a live state, after which nothing but reads is allowed', async () => {
      const id = await created({ environment: 'development', model_version: 2 });
      await patch(id, { status: 'validating' }).expect(200);
      const failed = await patch(id, { status: 'failed', reason: 'image pull error' }).expect(200);
      expect(failed.body.status_history.pop()).toMatchObject({ from: 'validating', to: 'failed', reason: 'image pull error' });
      const before = await eventCount();
      await patch(id, { status: 'deploying' }).expect(422);
      await patch(id, { health: 'healthy' }).expect(422);
      await http().delete(`${DEPLOYMENTS}/${id}`).expect(422);
      expect(await eventCount()).toBe(before);
    });

    it('rolls back an active deployment with its own event, then terminates it', async () => {
      const id = await created({ environment: 'development', model_version: 2 });
      await activate(id);
      const rolledBack = await http().post(`${DEPLOYMENTS}/${id}/rollback`).set(json).send({ reason: 'error rate' }).expect(200);
      expect(rolledBack.body.status).toBe('rollback');
      const [commit] = await mongo.db.collection('events').find({ stream_id: `deployment:${id}` }).sort({ version: -1 }).limit(1).toArray();
      expect(storedEvents(commit)[0].type).toBe('mlops.lifecycle.deployment.rolled_back.v1');
      await http().post(`${DEPLOYMENTS}/${id}/rollback`).set(json).send({}).expect(422);
      const terminated = await http().delete(`${DEPLOYMENTS}/${id}`).expect(200);
      expect(terminated.body).toMatchObject({ status: 'terminated', terminated_at: expect.any(String) });
    });

    it('promotes an active canary to 100% and terminates the other live deployments of the model there', async () => {
      const stable = await created({ environment: 'staging', model_version: 2, config: { traffic_percent: 40 } });
      const canary = await created({ environment: 'staging', model_version: 2, config: { traffic_percent: 10 } });
      await http().post(`${DEPLOYMENTS}/${canary}/promote`).expect(422); // not active yet
      await activate(canary);
      const promoted = await http().post(`${DEPLOYMENTS}/${canary}/promote`).expect(200);
      expect(promoted.body).toMatchObject({ status: 'active', config: { traffic_percent: 100 } });
      const [commit] = await mongo.db.collection('events').find({ stream_id: `deployment:${canary}` }).sort({ version: -1 }).limit(1).toArray();
      expect(storedEvents(commit)[0]).toMatchObject({ type: 'mlops.lifecycle.deployment.promoted.v1', data: { from_traffic_percent: 10, to_traffic_percent: 100 } });
      const live = await http().get(DEPLOYMENTS).query({ model_name: 'churn-clf', environment: 'staging', limit: 500 }).expect(200);
      const liveIds = live.body.items.filter((d: { status: string }) => !['terminated', 'failed'].includes(d.status)).map((d: { deployment_id: string }) => d.deployment_id);
      expect(liveIds).toEqual([canary]);
      const old = await http().get(`${DEPLOYMENTS}/${stable}`).expect(200);
      expect(old.body.status_history.pop()).toMatchObject({ to: 'terminated', reason: `superseded by the promotion of ${canary}` });
      await http().post(`${DEPLOYMENTS}/${canary}/promote`).expect(422); // already at 100%
    });

    it('terminates on DELETE and keeps the record', async () => {
      const id = await created({ environment: 'development', model_version: 1 });
      const response = await http().delete(`${DEPLOYMENTS}/${id}`).set('x-actor', 'ops').expect(200);
      expect(response.body).toMatchObject({ status: 'terminated', terminated_at: expect.any(String), updated_by: 'ops' });
      const kept = await http().get(`${DEPLOYMENTS}/${id}`).expect(200);
      expect(kept.body.status).toBe('terminated');
      await http().delete(`${DEPLOYMENTS}/${id}`).expect(422);
    });

    it('honours If-Match: 412 for a stale version, writing nothing', async () => {
      const id = await created({ environment: 'development', model_version: 2 });
      await patch(id, { status: 'validating' }).set('If-Match', '"1"').expect(200);
      const before = await eventCount();
      const stale = await patch(id, { status: 'deploying' }).set('If-Match', '"1"');
      expect(stale.status).toBe(412);
      await http().delete(`${DEPLOYMENTS}/${id}`).set('If-Match', '"1"').expect(412);
      expect(await eventCount()).toBe(before);
    });

    it('answers 404 for an unknown deployment', async () => {
      await http().get(`${DEPLOYMENTS}/${UNKNOWN}`).expect(404);
      await patch(UNKNOWN, { status: 'validating' }).expect(404);
      await http().delete(`${DEPLOYMENTS}/${UNKNOWN}`).expect(404);
      await http().post(`${DEPLOYMENTS}/${UNKNOWN}/promote`).expect(404);
      await http().post(`${DEPLOYMENTS}/${UNKNOWN}/rollback`).set(json).send({}).expect(404);
    });
  });

  describe('lists', () => {
    it('filters by model_name, environment and status, and pages with a cursor', async () => {
      const all: { deployment_id: string; environment: string; status: string }[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await http().get(DEPLOYMENTS).query({ limit: 3, ...(cursor ? { cursor } : {}) }).expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(3);
        all.push(...page.body.items);
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(all.length).toBeGreaterThan(8);
      expect(new Set(all.map((d) => d.deployment_id)).size).toBe(all.length);
      for (const [filter, value] of [['environment', 'production'], ['status', 'terminated'], ['status', 'failed'], ['environment', 'development']] as const) {
        const page = await http().get(DEPLOYMENTS).query({ [filter]: value, limit: 500 }).expect(200);
        const expected = all.filter((d) => d[filter] === value).map((d) => d.deployment_id).sort();
        expect(expected.length).toBeGreaterThan(0);
        expect(page.body.items.map((d: { deployment_id: string }) => d.deployment_id).sort()).toEqual(expected);
      }
      const combined = await http().get(DEPLOYMENTS).query({ model_name: 'churn-clf', environment: 'staging', status: 'active' }).expect(200);
      expect(combined.body.items).toHaveLength(1);
      const none = await http().get(DEPLOYMENTS).query({ model_name: 'other' }).expect(200);
      expect(none.body).toEqual({ items: [], next_cursor: null });
    });
  });

  describe('bad input never corrupts', () => {
    let id: string;
    beforeAll(async () => {
      id = await created({ environment: 'development', model_version: 2 });
    });
    const cases: [string, () => request.Test][] = [
      ['traffic 0%', () => deploy({ environment: 'development', config: { traffic_percent: 0 } })],
      ['traffic 101%', () => deploy({ environment: 'development', config: { traffic_percent: 101 } })],
      ['fractional traffic', () => deploy({ environment: 'development', config: { traffic_percent: 12.5 } })],
      ['an unknown environment', () => deploy({ environment: 'qa' })],
      ['an unknown config field', () => deploy({ environment: 'development', config: { autoscale: true } })],
      ['a bad memory quantity', () => deploy({ environment: 'development', config: { resources: { memory: 'lots' } } })],
      ['an unknown resources field', () => deploy({ environment: 'development', config: { resources: { tpu: 1 } } })],
      ['config as an array', () => deploy({ environment: 'development', config: [] })],
      // Digit strings ("1") are accepted as MLflow's clients send them; anything else is not a version.
      ['a model_version that is not written in digits', () => deploy({ environment: 'development', model_version: 'v1' })],
      ['a fractional model_version string', () => deploy({ environment: 'development', model_version: '1.0' })],
      ['an unknown top-level field', () => deploy({ environment: 'development', colour: 'red' })],
      ['PATCH status rollback (own endpoint)', () => patch(id, { status: 'rollback' })],
      ['PATCH status terminated (DELETE)', () => patch(id, { status: 'terminated' })],
      ['an error rate above 1', () => patch(id, { metrics: { error_rate: 1.5 } })],
      ['a negative latency', () => patch(id, { metrics: { latency_p99_ms: -1 } })],
      ['an unknown metric', () => patch(id, { metrics: { cpu: 1 } })],
      ['an unknown health', () => patch(id, { health: 'fine' })],
      ['a deployment id that is not a uuid', () => http().get(`${DEPLOYMENTS}/abc`)],
      ['an unknown list filter', () => http().get(DEPLOYMENTS).query({ owner: 'x' })],
      ['an unknown status filter', () => http().get(DEPLOYMENTS).query({ status: 'paused' })],
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
