import request from 'supertest';
import { EventValidator, lifecycleCatalog, Topics } from '@mlops/events';
import { dropDatabase, isolatedEnv, listen, readTopic, RunningApp, ServiceProcess, startServiceProcess } from '@mlops/testing';
import { createGatewayApp } from './app';

const ROOT = '/api/v1/ml/lifecycle';
const json = { 'content-type': 'application/json' };
const ALL_REQUIRED = ['evaluation_passed', 'bias_review', 'security_review'].map((key) => ({ key, checked: true }));

describe('model lifecycle through the gateway: runs → model versions → deployments → drift', () => {
  const env = isolatedEnv('gwlifecycle');
  const topic = env.KAFKA_TOPIC_PREFIX + Topics.lifecycle;
  let lifecycle: ServiceProcess;
  let gateway: RunningApp;
  const http = () => request(gateway.url);

  beforeAll(async () => {
    lifecycle = await startServiceProcess('lifecycle', env);
    const { app } = await createGatewayApp({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: env.LOG_LEVEL, LIFECYCLE_URL: lifecycle.url });
    gateway = await listen(app);
  });
  afterAll(async () => {
    await gateway?.close();
    if (lifecycle?.process.exitCode === null) await lifecycle.stop();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('takes a model from a run to a paged production deployment, with every write on the one topic', async () => {
    await http().post(`${ROOT}/experiments`).set(json).send({ name: 'churn' }).expect(201);
    const runs: string[] = [];
    for (const auc of [0.8, 0.9]) {
      const run = await http().post(`${ROOT}/runs`).set(json).send({ experiment_name: 'churn', params: { lr: auc } }).expect(201);
      await http().patch(`${ROOT}/runs/${run.body.run_id}`).set(json).send({ metrics: [{ key: 'auc', value: auc }], status: 'completed' }).expect(200);
      runs.push(run.body.run_id);
    }

    // Model versions, checklist, promotion, compare.
    for (const run_id of runs) await http().post(`${ROOT}/models`).set(json).send({ model_name: 'churn-clf', run_id, artifact_uri: 's3://m', stage: 'staging' }).expect(201);
    const refused = await http().patch(`${ROOT}/models/churn-clf/2`).set(json).send({ stage: 'production' });
    expect(refused.status).toBe(422);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    const version = await http().get(`${ROOT}/models/churn-clf/2`).expect(200);
    const promoted = await http().patch(`${ROOT}/models/churn-clf/2`).set(json).set('If-Match', version.headers.etag).set('x-actor', 'ana').send({ checklist: ALL_REQUIRED, stage: 'production' }).expect(200);
    expect(promoted.body).toMatchObject({ stage: 'production', checklist: [{ checked_by: 'ana' }, { checked_by: 'ana' }, { checked_by: 'ana' }, { checked: false }] });
    const compared = await http().post(`${ROOT}/models/churn-clf/compare`).set(json).send({ versions: [1, 2] }).expect(200);
    expect(compared.body.metrics).toEqual([{ key: 'auc', higher_is_better: true, best_version: 2, values: [{ version: 1, value: 0.8, delta: 0 }, { version: 2, value: 0.9, delta: expect.closeTo(0.1, 10) }] }]);
    expect(compared.body.params_diff).toEqual([{ key: 'lr', values: [{ version: 1, value: 0.8 }, { version: 2, value: 0.9 }] }]);
    const production = await http().get(`${ROOT}/models`).query({ model_name: 'churn-clf', stage: 'production' }).expect(200);
    expect(production.body.items.map((v: { version: number }) => v.version)).toEqual([2]);

    // Deployments: only the production version goes to production; the state machine; health.
    await http().post(`${ROOT}/deployments`).set(json).send({ model_name: 'churn-clf', model_version: 1, environment: 'production' }).expect(422);
    const deployment = await http().post(`${ROOT}/deployments`).set(json).send({ model_name: 'churn-clf', model_version: 2, environment: 'production', config: { replicas: 2, traffic_percent: 100 } }).expect(201);
    const id = deployment.body.deployment_id;
    await http().post(`${ROOT}/deployments`).set(json).send({ model_name: 'churn-clf', model_version: 2, environment: 'production', config: { traffic_percent: 10 } }).expect(409);
    await http().patch(`${ROOT}/deployments/${id}`).set(json).send({ status: 'active' }).expect(422);
    for (const status of ['validating', 'deploying', 'active']) await http().patch(`${ROOT}/deployments/${id}`).set(json).send({ status }).expect(200);
    await http().patch(`${ROOT}/deployments/${id}`).set(json).send({ health: 'healthy', metrics: { latency_p99_ms: 40, rps: 120 } }).expect(200);
    const live = await http().get(`${ROOT}/deployments`).query({ model_name: 'churn-clf', environment: 'production', status: 'active' }).expect(200);
    expect(live.body.items).toEqual([expect.objectContaining({ deployment_id: id, health: 'healthy', metrics: { latency_p99_ms: 40, rps: 120 } })]);

    // A critical drift pages the deployment; both land on the lifecycle topic.
    const drift = await http().post(`${ROOT}/drift-events`).set(json).send({ model_name: 'churn-clf', model_version: 2, feature: 'tenure', metric: 'psi', value: 0.5, threshold: 0.2, severity: 'critical' }).expect(201);
    expect(drift.headers['x-alerted-deployments']).toBe(id);
    const listed = await http().get(`${ROOT}/drift-events`).query({ model_name: 'churn-clf', severity: 'critical' }).expect(200);
    expect(listed.body.items.map((d: { drift_event_id: string }) => d.drift_event_id)).toEqual([drift.body.drift_event_id]);

    const terminated = await http().delete(`${ROOT}/deployments/${id}`).expect(200);
    expect(terminated.body).toMatchObject({ status: 'terminated', terminated_at: expect.any(String), drift_alerts: [expect.objectContaining({ drift_event_id: drift.body.drift_event_id })] });

    const published = await readTopic(env.KAFKA_BROKERS, topic, (all) => all.some((e) => e.event.type === 'mlops.lifecycle.deployment.terminated.v1'));
    const validator = new EventValidator([lifecycleCatalog]);
    for (const { event } of published) expect(validator.validate(event)).toEqual({ valid: true, errors: [] });
    const types = new Set(published.map((e) => e.event.type));
    for (const type of [
      'mlops.lifecycle.model_version.registered.v1',
      'mlops.lifecycle.model_version.checklist_updated.v1',
      'mlops.lifecycle.model_version.stage_changed.v1',
      'mlops.lifecycle.deployment.created.v1',
      'mlops.lifecycle.deployment.status_changed.v1',
      'mlops.lifecycle.deployment.health_reported.v1',
      'mlops.lifecycle.drift.detected.v1',
      'mlops.lifecycle.deployment.drift_alerted.v1',
      'mlops.lifecycle.deployment.terminated.v1',
    ]) {
      expect(types).toContain(type);
    }
    const alerted = published.find((e) => e.event.type === 'mlops.lifecycle.deployment.drift_alerted.v1')!;
    expect(alerted.key).toBe(`deployment:${id}`);
  });

  it('documents the new endpoints in the merged OpenAPI document', async () => {
    const document = await http().get('/openapi.json').expect(200);
    const paths = document.body.paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        `${ROOT}/models`,
        `${ROOT}/models/{model_name}/{version}`,
        `${ROOT}/models/{model_name}/compare`,
        `${ROOT}/deployments`,
        `${ROOT}/deployments/{id}`,
        `${ROOT}/deployments/{id}/promote`,
        `${ROOT}/deployments/{id}/rollback`,
        `${ROOT}/drift-events`,
      ]),
    );
    expect(paths[`${ROOT}/deployments/{id}`]).toHaveProperty('delete');
    expect(paths[`${ROOT}/models/{model_name}/{version}`]).toHaveProperty('patch');
  });
});
