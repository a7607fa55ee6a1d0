import request from 'supertest';
import { connectMongo, countStoredEvents, dropDatabase, isolatedEnv, listen, RunningApp } from '@mlops/testing';
import { createLifecycleApp } from '../app';
import { LIVE_STATUSES } from '../deployments/deployment.decider';
import { storedEvents } from '@mlops/event-sourcing';

const ROOT = '/api/v1/ml/lifecycle';
const DEPLOYMENTS = `${ROOT}/deployments`;
const json = { 'content-type': 'application/json' };

/** Issue 14 defect 5: ten concurrent 50% creates all got 201 when the cap was read from the read model. */
describe('the 100% traffic cap under concurrency (real Kafka and MongoDB-protocol server)', () => {
  const env = isolatedEnv('traffic');
  let service: RunningApp;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  const http = () => request(service.url);
  const deploy = (environment: string, traffic_percent: number) =>
    http().post(DEPLOYMENTS).set(json).send({ model_name: 'churn-clf', model_version: 1, environment, config: { traffic_percent } });
  const liveShares = async (environment: string) => {
    const page = await http().get(DEPLOYMENTS).query({ model_name: 'churn-clf', environment, limit: 500 }).expect(200);
    return (page.body.items as { deployment_id: string; status: string; config: { traffic_percent: number } }[]).filter((d) => LIVE_STATUSES.includes(d.status as never));
  };
  const sum = (shares: { config: { traffic_percent: number } }[]) => shares.reduce((total, d) => total + d.config.traffic_percent, 0);
  const allocationEvents = async (environment: string) =>
    (await mongo.db.collection('events').find({ stream_id: `traffic_allocation:${environment}:churn-clf` }).sort({ version: 1 }).toArray()).flatMap((c) => storedEvents(c));
  const activate = async (id: string) => {
    for (const status of ['validating', 'deploying', 'active']) await http().patch(`${DEPLOYMENTS}/${id}`).set(json).send({ status }).expect(200);
  };

  beforeAll(async () => {
    service = await listen((await createLifecycleApp(env)).app);
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
    await http().post(`${ROOT}/experiments`).set(json).send({ name: 'churn' }).expect(201);
    const run = await http().post(`${ROOT}/runs`).set(json).send({ experiment_name: 'churn' }).expect(201);
    await http().post(`${ROOT}/models`).set(json).send({ model_name: 'churn-clf', run_id: run.body.run_id, artifact_uri: 's3://m', stage: 'staging' }).expect(201);
  });
  afterAll(async () => {
    await service?.close();
    await mongo?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('lets exactly the racing creates that fit through: 20 concurrent 15% creates give six 201s and fourteen 409s', async () => {
    const before = await countStoredEvents(mongo.db);
    const responses = await Promise.all(Array.from({ length: 20 }, () => deploy('staging', 15)));
    const created = responses.filter((r) => r.status === 201);
    const refused = responses.filter((r) => r.status === 409);
    expect(created).toHaveLength(6);
    expect(refused).toHaveLength(14);
    for (const r of refused) {
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.body.detail).toMatch(/100%/);
    }
    const live = await liveShares('staging');
    expect(live.map((d) => d.deployment_id).sort()).toEqual(created.map((r) => r.body.deployment_id).sort());
    expect(sum(live)).toBe(90);
    // Refused creates wrote nothing: six allocations and six deployments of one event each.
    expect((await countStoredEvents(mongo.db)) - before).toBe(12);
    const allocated = (await allocationEvents('staging')).map((e) => e.data.deployment_id).sort();
    expect(allocated).toEqual(created.map((r) => r.body.deployment_id).sort());
  });

  it('gives a share back on termination, failure and rollback, so the next create fits; the read model never sums over 100%', async () => {
    const live = await liveShares('staging');
    const [terminated, failed, rolledBack] = live.map((d) => d.deployment_id);
    await deploy('staging', 15).expect(409);
    await http().delete(`${DEPLOYMENTS}/${terminated}`).expect(200);
    await deploy('staging', 15).expect(201);
    await http().patch(`${DEPLOYMENTS}/${failed}`).set(json).send({ status: 'failed', reason: 'crash loop' }).expect(200);
    await deploy('staging', 10).expect(201);
    await activate(rolledBack);
    await http().post(`${DEPLOYMENTS}/${rolledBack}/rollback`).set(json).send({ reason: 'errors' }).expect(200);
    // 90 − 15 + 15 − 15 + 10 − 15 = 70% held: 30% more fits exactly.
    await deploy('staging', 31).expect(409);
    await deploy('staging', 30).expect(201);
    await deploy('staging', 1).expect(409);
    const held = await liveShares('staging');
    // The rolled-back deployment is still live (until terminated) but holds no share any more.
    expect(sum(held.filter((d) => d.status !== 'rollback'))).toBe(100);
    const reasons = (await allocationEvents('staging')).filter((e) => e.type.endsWith('released.v1')).map((e) => [e.data.deployment_id, e.data.reason]);
    expect(reasons).toEqual([
      [terminated, 'terminated'],
      [failed, 'failed'],
      [rolledBack, 'rolled_back'],
    ]);
  });

  it('gives the promoted canary 100% and releases every other share in one commit', async () => {
    const stable = (await deploy('development', 60).expect(201)).body.deployment_id as string;
    const canary = (await deploy('development', 40).expect(201)).body.deployment_id as string;
    await activate(canary);
    const racing = await Promise.all([http().post(`${DEPLOYMENTS}/${canary}/promote`), deploy('development', 1)]);
    expect(racing[0].status).toBe(200);
    expect(racing[1].status).toBe(409); // 100% was taken before and after the promotion
    const [commit] = await mongo.db.collection('events').find({ stream_id: 'traffic_allocation:development:churn-clf' }).sort({ version: -1 }).limit(1).toArray();
    expect(storedEvents(commit).map((e) => [e.type, e.data.deployment_id])).toEqual([
      ['mlops.lifecycle.traffic_allocation.released.v1', stable],
      ['mlops.lifecycle.traffic_allocation.allocated.v1', canary],
    ]);
    const live = await liveShares('development');
    expect(live.map((d) => d.deployment_id)).toEqual([canary]);
    expect(sum(live)).toBe(100);
  });
});
