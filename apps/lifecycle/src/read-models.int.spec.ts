import request from 'supertest';
import { DatasetEvent, EventValidator, featureStoreCatalog, lifecycleCatalog, Topics } from '@mlops/events';
import { EventSourcing, projectionEventsSkipped, requestRebuild } from '@mlops/event-sourcing';
import {
  connectMongo,
  dropDatabase,
  eventually,
  expectIdenticalAfterRebuild,
  expectUnchangedUnderRedelivery,
  isolatedEnv,
  listen,
  ProjectionSpecification,
  publishRaw,
  ReadSide,
  RunningApp,
  ServiceProcess,
  snapshotReadModels,
  startGateway,
} from '@mlops/testing';
import { createLifecycleApp } from './app';
import { deploymentsProjection } from './deployments/deployments.projection';
import { driftEventsProjection } from './drift-events/drift-events.projection';
import { experimentsProjection } from './experiments/experiments.projection';
import { loggedModelsProjection } from './mlflow/logged-models/logged-models.projection';
import { featureStoreDatasetsProjection } from './mlflow/tracking/feature-store-datasets.projection';
import { modelsProjection } from './models/models.projection';
import { METRIC_HISTORY_COLLECTION, RUN_TALLIES_COLLECTION, runsProjection } from './runs/runs.projection';

const ROOT = '/api/v1/ml/lifecycle';
const MLFLOW = '/api/2.0/mlflow';
const json = { 'content-type': 'application/json' };
const ALL_REQUIRED = ['evaluation_passed', 'bias_review', 'security_review'].map((key) => ({ key, checked: true }));
/** Every read model fed by the lifecycle topic (feature_store_datasets follows the feature store's topic). */
const PROJECTIONS = [experimentsProjection, runsProjection, modelsProjection, deploymentsProjection, driftEventsProjection, loggedModelsProjection];

describe('the lifecycle read models under redelivery and rebuild (invariants 4 and 5)', () => {
  const env = isolatedEnv('lifecycle-read-models');
  const topic = env.KAFKA_TOPIC_PREFIX + Topics.lifecycle;
  let service: RunningApp;
  let gateway: ServiceProcess;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  const http = () => request(gateway.url);
  const side = (): ReadSide => ({
    db: mongo.db,
    env,
    topic,
    projections: PROJECTIONS,
    skipped: projectionEventsSkipped,
    kickRelay: () => service.app.get(EventSourcing).outbox.kick(),
    answers,
  });
  /** What the API answers from the projections: counts and best runs, a metric history, lists. */
  const answers = async () => ({
    churn: (await http().get(`${ROOT}/experiments/churn`).query({ metric: 'auc' }).expect(200)).body,
    fraud: (await http().get(`${ROOT}/experiments/fraud`).query({ metric: 'auc', mode: 'min' }).expect(200)).body,
    history: (await http().get(`${ROOT}/runs/${trained}/metrics/loss`).query({ limit: 500 }).expect(200)).body,
    models: (await http().get(`${ROOT}/models`).query({ limit: 500 }).expect(200)).body,
    deployments: (await http().get(`${ROOT}/deployments`).query({ limit: 500 }).expect(200)).body,
    drift: (await http().get(`${ROOT}/drift-events`).query({ limit: 500 }).expect(200)).body,
  });
  let trained: string;
  let rolledBack: string;

  const patch = (path: string, body: Record<string, unknown>) => http().patch(`${ROOT}/${path}`).set(json).send(body).expect(200);
  const startRun = async (experiment_name: string, body: Record<string, unknown> = {}) =>
    (await http().post(`${ROOT}/runs`).set(json).send({ experiment_name, ...body }).expect(201)).body.run_id as string;
  const register = (model_name: string, run_id: string, stage = 'staging') =>
    http().post(`${ROOT}/models`).set(json).send({ model_name, run_id, artifact_uri: `s3://models/${model_name}`, stage }).expect(201);
  const deploy = async (environment: string, model_version: number, traffic_percent: number) =>
    (await http().post(`${ROOT}/deployments`).set(json).send({ model_name: 'churn-clf', model_version, environment, config: { traffic_percent } }).expect(201)).body
      .deployment_id as string;
  const walk = async (id: string, ...statuses: string[]) => {
    for (const status of statuses) await patch(`deployments/${id}`, { status });
  };

  beforeAll(async () => {
    service = await listen((await createLifecycleApp(env)).app);
    gateway = await startGateway({ LIFECYCLE_URL: service.url });
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);

    // Experiments: one live with tags, one edited and archived.
    await http().post(`${ROOT}/experiments`).set(json).send({ name: 'churn', owner: 'ana', tags: ['tabular'] }).expect(201);
    await http().post(`${ROOT}/experiments`).set(json).send({ name: 'fraud', description: 'first' }).expect(201);
    await patch('experiments/fraud', { description: 'second', tags: ['risk'] });

    // Runs: a long metric history over two buckets, a completed, a failed and a running run (tallies, best runs).
    trained = await startRun('churn', { params: { lr: 0.1, depth: 6 }, tags: ['baseline'] });
    for (const from of [0, 1000]) {
      await patch(`runs/${trained}`, { metrics: Array.from({ length: from ? 200 : 1000 }, (_, i) => ({ key: 'loss', value: 1 / (from + i + 1), step: from + i })) });
    }
    await patch(`runs/${trained}`, { metrics: [{ key: 'auc', value: 0.82, step: 0 }, { key: 'auc', value: 0.86, step: 1 }], params: { epochs: 3 }, status: 'completed' });
    const failed = await startRun('churn', { params: { lr: 0.5 } });
    await patch(`runs/${failed}`, { metrics: [{ key: 'auc', value: 0.6 }], status: 'failed' });
    await startRun('churn');
    const fraudRun = await startRun('fraud');
    await patch(`runs/${fraudRun}`, { metrics: [{ key: 'auc', value: 0.7 }, { key: 'log_loss', value: 0.4 }], status: 'killed' });
    await patch('experiments/fraud', { status: 'archived' });

    // Model versions: production (checklist done), staging, archived — and a second model.
    await register('churn-clf', trained);
    await patch('models/churn-clf/1', { checklist: ALL_REQUIRED, stage: 'production', description: 'weekly retrain' });
    await register('churn-clf', trained);
    await register('churn-clf', failed, 'none');
    await patch('models/churn-clf/3', { stage: 'archived' });
    await register('fraud-clf', fraudRun);

    // Deployments: an active one reporting health, a failed, a rolled-back and terminated, a promoted canary.
    const production = await deploy('production', 1, 100);
    await walk(production, 'validating', 'deploying', 'active');
    await patch(`deployments/${production}`, { health: 'healthy', metrics: { latency_p50_ms: 12, error_rate: 0.001, rps: 250 } });
    const broken = await deploy('development', 2, 100);
    await walk(broken, 'validating');
    await patch(`deployments/${broken}`, { status: 'failed', reason: 'image pull error' });
    rolledBack = await deploy('staging', 2, 40);
    await walk(rolledBack, 'validating', 'deploying', 'active');
    await http().post(`${ROOT}/deployments/${rolledBack}/rollback`).set(json).send({ reason: 'error rate' }).expect(200);
    await http().delete(`${ROOT}/deployments/${rolledBack}`).expect(200);
    await deploy('staging', 2, 50);
    const canary = await deploy('staging', 2, 10);
    await walk(canary, 'validating', 'deploying', 'active');
    await http().post(`${ROOT}/deployments/${canary}/promote`).expect(200);

    // Drift events of each severity, on the model in production.
    for (const [severity, value] of [['low', 0.21], ['medium', 0.4], ['high', 0.9], ['critical', 2]] as const) {
      await http().post(`${ROOT}/drift-events`).set(json)
        .send({ model_name: 'churn-clf', model_version: 1, feature: 'tenure', metric: 'psi', value, threshold: 0.2, severity })
        .expect(201);
    }

    // An MLflow 3 logged model, finalized and tagged.
    const experiment = await http().get(`${MLFLOW}/experiments/get-by-name`).query({ experiment_name: 'churn' }).expect(200);
    const logged = await http().post(`${MLFLOW}/logged-models`).set(json)
      .send({ experiment_id: experiment.body.experiment.experiment_id, name: 'churn-gbm', source_run_id: trained, params: [{ key: 'depth', value: '6' }] })
      .expect(200);
    const modelId = logged.body.model.info.model_id as string;
    await http().patch(`${MLFLOW}/logged-models/${modelId}`).set(json).send({ status: 'LOGGED_MODEL_READY' }).expect(200);
    await http().patch(`${MLFLOW}/logged-models/${modelId}/tags`).set(json).send({ tags: [{ key: 'flavor', value: 'sklearn' }] }).expect(200);
  });
  afterAll(async () => {
    await gateway?.stop();
    await service?.close();
    await mongo?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('leaves every read model unchanged when all events are redelivered and re-sent by the relay, and later events still apply', async () => {
    expect((await answers()).churn.run_counts).toMatchObject({ completed: 1, failed: 1, running: 1, total: 3 });
    const { before, published } = await expectUnchangedUnderRedelivery(side());
    const validator = new EventValidator([lifecycleCatalog]);
    for (const { event } of published) expect(validator.validate(event)).toEqual({ valid: true, errors: [] });
    expect(published.filter((e) => e.key === `deployment:${rolledBack}`).map((e) => e.event.type)).toEqual([
      'mlops.lifecycle.deployment.created.v1',
      'mlops.lifecycle.deployment.status_changed.v1',
      'mlops.lifecycle.deployment.status_changed.v1',
      'mlops.lifecycle.deployment.status_changed.v1',
      'mlops.lifecycle.deployment.rolled_back.v1',
      'mlops.lifecycle.deployment.terminated.v1',
    ]);
    const streamTypes = new Set(published.map((e) => e.key.split(':')[0]));
    for (const { streamType } of PROJECTIONS) expect(streamTypes).toContain(streamType);

    // The projections did not stall on the duplicates: a new event applies, an old one applied directly is a no-op.
    await patch('experiments/churn', { description: 'after the duplicates' });
    const churn = await mongo.db.collection('experiments').findOne({ _id: 'experiment:churn' as never });
    expect(churn).toMatchObject({ description: 'after the duplicates', created_at: before.experiments.find((d) => d._id === 'experiment:churn')!.created_at });
    const first = published.find((e) => e.key === 'experiment:churn')!.event;
    expect(await service.app.get(EventSourcing).readModel(experimentsProjection).runner().apply(first)).toBe(false);
    expect(await mongo.db.collection('experiments').findOne({ _id: 'experiment:churn' as never })).toEqual(churn);
  });

  it('drops every read model and replays the topic into identical ones — experiments through the CLI, the others by request', async () => {
    await expectIdenticalAfterRebuild({ ...side(), viaCli: experimentsProjection, requestRebuild });
    // The metric history and the tallies were replayed by the new generation, not kept from the old one.
    for (const collection of [METRIC_HISTORY_COLLECTION, RUN_TALLIES_COLLECTION]) {
      expect(await mongo.db.collection<{ generation: number }>(collection).distinct('generation')).toEqual([1]);
    }
  });

  it('keeps the Feature Store datasets it follows unchanged under redelivery, and replays them into identical ones', async () => {
    const featureStoreTopic = env.KAFKA_TOPIC_PREFIX + Topics.featureStore;
    const measured = (content_sha256: string | null) => ({ schema: [], row_count: 2, size_bytes: 40, content_sha256, profile: [] });
    const registered = (id: string, content_sha256: string | null): DatasetEvent => ({
      type: 'DatasetRegistered',
      data: { id, name: id, description: '', source_type: 'csv', path: `raw/${id}.csv`, table_name: null, tags: [], ...measured(content_sha256) },
    });
    const profiled = (id: string, content_sha256: string): DatasetEvent => ({ type: 'DatasetProfiled', data: { id, ...measured(content_sha256) } });
    // What the Feature Store publishes: two datasets, one of them refreshed to a new file.
    const { events } = ProjectionSpecification.for(featureStoreDatasetsProjection, featureStoreCatalog).given(
      { stream: 'dataset:trips', event: registered('trips', 'a'.repeat(64)) },
      { stream: 'dataset:zones', event: registered('zones', null) },
      { stream: 'dataset:trips', event: profiled('trips', 'b'.repeat(64)) },
    );
    const messages = events.map((event) => ({ key: event.subject!, value: JSON.stringify(event) }));
    const datasets = [featureStoreDatasetsProjection];
    const skipped = async () => (await projectionEventsSkipped.get()).values.find((v) => v.labels.projection === featureStoreDatasetsProjection.name)?.value ?? 0;

    await publishRaw(env.KAFKA_BROKERS, featureStoreTopic, messages);
    const applied = await eventually(async () => {
      const snapshot = await snapshotReadModels(mongo.db, datasets);
      expect(snapshot.feature_store_datasets).toMatchObject([
        { _id: 'dataset:trips', version: 2, content_sha256s: ['a'.repeat(64), 'b'.repeat(64)] },
        { _id: 'dataset:zones', version: 1, content_sha256s: [] },
      ]);
      return snapshot;
    }, 30_000);

    const skippedBefore = await skipped();
    await publishRaw(env.KAFKA_BROKERS, featureStoreTopic, [...messages].reverse());
    await eventually(async () => expect(await skipped()).toBeGreaterThanOrEqual(skippedBefore + messages.length), 30_000);
    expect(await snapshotReadModels(mongo.db, datasets)).toEqual(applied);

    expect(await requestRebuild(mongo.db, featureStoreDatasetsProjection.name)).toBe(1);
    await eventually(async () => expect(await snapshotReadModels(mongo.db, datasets)).toEqual(applied), 60_000, 500);
  });
});
