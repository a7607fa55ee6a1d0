import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { EventValidator, lifecycleCatalog, Topics } from '@mlops/events';
import { connectMongo, dropDatabase, eventually, isolatedEnv, readTopic, ServiceProcess, startServiceProcess } from '@mlops/testing';

const LIFECYCLE = '/api/v1/ml/lifecycle';
const DATASETS = '/api/v1/features/datasets';
const json = { 'content-type': 'application/json' };
const ALL_REQUIRED = ['evaluation_passed', 'bias_review', 'security_review'].map((key) => ({ key, checked: true }));

/** Training data and a later sample: `amount` moved far, `segment` barely. */
function sample(rows: number, shift: number, share: number): string {
  const lines = ['amount,segment'];
  for (let i = 0; i < rows; i++) lines.push(`${(100 + ((i * 7919) % 997) / 10 + shift).toFixed(2)},${i / rows < share ? 'a' : 'b'}`);
  return lines.join('\n') + '\n';
}

describe('computed drift reaches the model: dataset pair → drift report → drift events → the live production deployment alerted', () => {
  let dataRoot: string;
  let env: Record<string, string>;
  let featureStore: ServiceProcess;
  let lifecycle: ServiceProcess;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  let production: string;
  let staging: string;
  // Each call goes to the service that owns the path, as the gateway routes it.
  const http = () => ({
    get: (path: string) => request(path.startsWith(DATASETS) ? featureStore.url : lifecycle.url).get(path),
    post: (path: string) => request(path.startsWith(DATASETS) ? featureStore.url : lifecycle.url).post(path),
    patch: (path: string) => request(path.startsWith(DATASETS) ? featureStore.url : lifecycle.url).patch(path),
  });
  const driftEvents = async (model: string) => (await http().get(`${LIFECYCLE}/drift-events`).query({ model_name: model }).expect(200)).body.items;
  const database = (service: string) => `${env.MONGO_DB}_${service}`;

  beforeAll(async () => {
    dataRoot = await mkdtemp(join(tmpdir(), 'computed-drift-'));
    await writeFile(join(dataRoot, 'train.csv'), sample(800, 0, 0.5));
    await writeFile(join(dataRoot, 'week-48.csv'), sample(600, 30, 0.52));
    // The two services as users run them: processes on one set of topics, a database each, sharing only the event stream.
    env = isolatedEnv('cdrift', { FEATURE_STORE_DATA_ROOT: dataRoot });
    [featureStore, lifecycle] = await Promise.all([
      startServiceProcess('feature-store', { ...env, MONGO_DB: database('feature_store') }, { timeoutMs: 300_000 }),
      startServiceProcess('lifecycle', { ...env, MONGO_DB: database('lifecycle') }, { timeoutMs: 300_000 }),
    ]);
    mongo = await connectMongo(env.MONGO_URL, database('lifecycle'));

    for (const name of ['train', 'week-48']) await http().post(DATASETS).set(json).send({ name, source_type: 'csv', path: `${name}.csv` }).expect(201);
    await http().post(`${LIFECYCLE}/experiments`).set(json).send({ name: 'churn' }).expect(201);
    const run = await http().post(`${LIFECYCLE}/runs`).set(json).send({ experiment_name: 'churn' }).expect(201);
    const registered = await http()
      .post(`${LIFECYCLE}/models`)
      .set(json)
      .send({ model_name: 'churn-clf', run_id: run.body.run_id, artifact_uri: 's3://m', stage: 'staging', reference_dataset: 'train' })
      .expect(201);
    expect(registered.body.reference_dataset).toBe('train');
    // A version trained on other data: drift against `train` does not reach it.
    await http().post(`${LIFECYCLE}/models`).set(json).send({ model_name: 'fraud', run_id: run.body.run_id, artifact_uri: 's3://f', stage: 'staging', reference_dataset: 'other' }).expect(201);
    await http().patch(`${LIFECYCLE}/models/churn-clf/1`).set(json).send({ checklist: ALL_REQUIRED, stage: 'production' }).expect(200);
    const deploy = async (model_name: string, environment: string) =>
      (await http().post(`${LIFECYCLE}/deployments`).set(json).send({ model_name, model_version: 1, environment, config: { traffic_percent: 100 } }).expect(201)).body.deployment_id as string;
    production = await deploy('churn-clf', 'production');
    for (const status of ['validating', 'deploying', 'active']) await http().patch(`${LIFECYCLE}/deployments/${production}`).set(json).send({ status }).expect(200);
    staging = await deploy('churn-clf', 'staging');
    await deploy('fraud', 'staging');
    // Two processes start at once, each allowed 300 s on a busy machine, then the setup requests.
  }, 420_000);

  afterAll(async () => {
    await mongo?.close();
    await Promise.all([featureStore?.stop(), lifecycle?.stop()]);
    await dropDatabase(env.MONGO_URL, database('feature_store'));
    await dropDatabase(env.MONGO_URL, database('lifecycle'));
    await rm(dataRoot, { recursive: true, force: true });
  }, 60_000);

  it('records a drift event per drifted column on the version trained on the reference, and pages its live production deployment', async () => {
    const report = await http().post(`${DATASETS}/week-48/drift`).set(json).send({ reference_dataset: 'train' }).expect(201);
    const amount = report.body.columns.find((c: { column: string }) => c.column === 'amount');
    const segment = report.body.columns.find((c: { column: string }) => c.column === 'segment');
    expect(amount).toMatchObject({ method: 'ks', drifted: true });
    expect(amount.p_value).toBeLessThan(0.0005);
    expect(segment).toMatchObject({ method: 'z', drifted: false });

    const [event] = await eventually(async () => {
      const items = await driftEvents('churn-clf');
      expect(items).toHaveLength(1);
      return items;
    }, 60_000);
    expect(event).toMatchObject({
      model_name: 'churn-clf',
      model_version: 1,
      feature: 'amount',
      metric: 'ks',
      value: amount.p_value,
      threshold: 0.05,
      severity: 'critical',
      detected_at: report.body.computed_at,
    });
    expect(await driftEvents('fraud')).toEqual([]);

    const alerted = await eventually(async () => {
      const deployment = await http().get(`${LIFECYCLE}/deployments/${production}`).expect(200);
      expect(deployment.body.drift_alerts).toHaveLength(1);
      return deployment.body;
    }, 60_000);
    expect(alerted.drift_alerts[0]).toMatchObject({ drift_event_id: event.drift_event_id, feature: 'amount', metric: 'ks', severity: 'critical' });
    expect((await http().get(`${LIFECYCLE}/deployments/${staging}`).expect(200)).body.drift_alerts).toEqual([]);
    const published = await readTopic(env.KAFKA_BROKERS, env.KAFKA_TOPIC_PREFIX + Topics.lifecycle, (all) =>
      all.some((e) => e.event.type === 'mlops.lifecycle.deployment.drift_alerted.v1'),
    );
    const alert = published.find((e) => e.event.type === 'mlops.lifecycle.deployment.drift_alerted.v1')!;
    expect(alert.key).toBe(`deployment:${production}`);
    expect(new EventValidator([lifecycleCatalog]).validate(alert.event)).toEqual({ valid: true, errors: [] });
  }, 180_000);

  it('a report with no drifted column records nothing', async () => {
    const before = await driftEvents('churn-clf');
    await http().post(`${DATASETS}/train/drift`).set(json).send({ reference_dataset: 'train' }).expect(201);
    // The reactor handles the report (its offset passes) without a drift event: wait for a later one to land first.
    await http().post(`${DATASETS}/week-48/drift`).set(json).send({ reference_dataset: 'train', columns: [{ column: 'amount', method: 'wasserstein' }] }).expect(201);
    const after = await eventually(async () => {
      const items = await driftEvents('churn-clf');
      expect(items.length).toBe(before.length + 1);
      return items;
    }, 60_000);
    expect(after[after.length - 1]).toMatchObject({ feature: 'amount', metric: 'wasserstein', threshold: 0.1 });
    expect(await mongo.db.collection('events').countDocuments({ stream_id: /^drift:/ })).toBe(before.length + 1);
  }, 180_000);
});
