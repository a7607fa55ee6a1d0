import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { dropDatabase, eventually, isolatedEnv, ServiceProcess, startGateway, startServiceProcess } from '@mlops/testing';

const FEATURES = '/api/v1/features';
const LIFECYCLE = '/api/v1/ml/lifecycle';
const EVALUATION = '/api/v1/ml/evaluation';
const PROMPTS = '/api/v1/prompt-governance';
const json = { 'content-type': 'application/json' };
const COUNTRIES = ['DE', 'FR', 'NL'];
const ROWS = 120;
/** The label of row i, and a model that gets every fifth row wrong. */
const label = (i: number) => (i * 7) % 3 === 0;
const goodPrediction = (i: number) => (i % 5 === 0 ? !label(i) : label(i));

/**
 * The whole platform as users run it: the four services and the gateway as their own processes on
 * one Kafka and one MongoDB-protocol server, each service with its own database. Nothing is
 * published by hand: the evaluation harness learns datasets from the feature store's events and
 * model versions from the lifecycle's, and the lifecycle learns run results from the evaluation's.
 */
describe('the platform end to end: dataset → feature → model version → evaluation → release checklist, and a governed prompt', () => {
  const dataRoot = mkdtempSync(join(tmpdir(), 'platform-data-'));
  const env = isolatedEnv('platform', { FEATURE_STORE_DATA_ROOT: dataRoot, EVALUATION_DATA_ROOT: dataRoot });
  const databases = ['feature-store', 'lifecycle', 'evaluation', 'prompt-governance'].map((service) => [service, `${env.MONGO_DB}_${service.replace('-', '_')}`]);
  const services: Record<string, ServiceProcess> = {};
  let gateway: ServiceProcess;
  const http = () => request(gateway.url);

  beforeAll(async () => {
    writeFileSync(
      join(dataRoot, 'churn.csv'),
      ['customer_id,country,tenure,churned', ...Array.from({ length: ROWS }, (_, i) => `cust-${i},${COUNTRIES[i % 3]},${i % 37},${label(i)}`)].join('\n') + '\n',
    );
    await Promise.all(
      databases.map(async ([service, db]) => {
        services[service] = await startServiceProcess(service, { ...env, MONGO_DB: db });
      }),
    );
    gateway = await startGateway({
      FEATURE_STORE_URL: services['feature-store'].url,
      LIFECYCLE_URL: services.lifecycle.url,
      EVALUATION_URL: services.evaluation.url,
      PROMPT_GOVERNANCE_URL: services['prompt-governance'].url,
    });
  }, 180_000);
  afterAll(async () => {
    // Already stopped by the last test unless an earlier one failed.
    await gateway?.stop();
    await Promise.all(Object.values(services).map((service) => service.stop()));
    for (const [, db] of databases) await dropDatabase(env.MONGO_URL, db);
    rmSync(dataRoot, { recursive: true, force: true });
  });

  it('reports every service healthy through the gateway', async () => {
    const health = await http().get('/health').expect(200);
    expect(JSON.stringify(health.body)).not.toMatch(/"down"/);
  });

  it('profiles a dataset, defines a feature on it, and gates a model version on an evaluation of that dataset', async () => {
    const dataset = await http().post(`${FEATURES}/datasets`).set(json).send({ name: 'churn-holdout', source_type: 'csv', path: 'churn.csv' }).expect(201);
    expect(dataset.body).toMatchObject({ id: 'churn-holdout', row_count: ROWS });
    await http().post(FEATURES).set(json).send({ name: 'tenure_months', entity: 'customer', value_type: 'int64', source: { kind: 'column', dataset_id: 'churn-holdout', column: 'plan' } }).expect(422);
    await http().post(FEATURES).set(json).send({ name: 'tenure_months', entity: 'customer', value_type: 'int64', source: { kind: 'column', dataset_id: 'churn-holdout', column: 'tenure' } }).expect(201);

    await http().post(`${LIFECYCLE}/experiments`).set(json).send({ name: 'churn' }).expect(201);
    const run = await http().post(`${LIFECYCLE}/runs`).set(json).send({ experiment_name: 'churn' }).expect(201);
    await http().post(`${LIFECYCLE}/models`).set(json).send({ model_name: 'churn-clf', run_id: run.body.run_id, artifact_uri: 's3://models/churn/1' }).expect(201);

    // The scenario reads its cases from the registered file through DuckDB, once the evaluation harness has the dataset's event.
    const scenario = await eventually(async () => {
      const response = await http().post(`${EVALUATION}/scenarios`).set(json).send({
        name: 'churn-holdout', task_type: 'binary_classification',
        dataset: { dataset_id: 'churn-holdout', label_column: 'churned', id_column: 'customer_id', slice_columns: ['country'] },
        metrics: ['accuracy', 'f1'], thresholds: { accuracy: { min: 0.75 } },
      });
      expect(response.status).toBe(201);
      return response.body;
    }, 60_000, 500);
    expect(scenario.cases).toMatchObject({ source: 'dataset', dataset_id: 'churn-holdout', dataset_row_count: ROWS });

    const evaluate = async (predict: (i: number) => boolean) => {
      const predictions = Array.from({ length: ROWS }, (_, i) => ({ id: `cust-${i}`, label: predict(i) }));
      // The model version reaches the evaluation harness through the lifecycle topic.
      const queued = await eventually(async () => {
        const response = await http().post(`${EVALUATION}/runs`).set(json).send({ scenario_name: 'churn-holdout', model_name: 'churn-clf', model_version: 1, predictions });
        expect(response.status).toBe(202);
        return response.body;
      }, 60_000, 500);
      return eventually(async () => {
        const response = await http().get(`${EVALUATION}/runs/${queued.run_id}`).expect(200);
        expect(response.body.status).toBe('completed');
        return response.body;
      }, 60_000, 200);
    };
    const checklistItem = async () =>
      (await http().get(`${LIFECYCLE}/models/churn-clf/1`).expect(200)).body.checklist.find((item: { key: string }) => item.key === 'evaluation_passed');

    const passed = await evaluate(goodPrediction);
    const correct = Array.from({ length: ROWS }, (_, i) => goodPrediction(i) === label(i)).filter(Boolean).length;
    expect(passed.metrics.find((m: { key: string }) => m.key === 'accuracy').value).toBeCloseTo(correct / ROWS, 12);
    expect(passed.gate.passed).toBe(true);
    await eventually(async () => expect(await checklistItem()).toMatchObject({ checked: true, checked_by: `evaluation:churn-holdout:v${passed.scenario_version}:${passed.run_id}` }), 60_000, 200);

    const failed = await evaluate((i) => !label(i));
    expect(failed.gate.passed).toBe(false);
    await eventually(async () => expect(await checklistItem()).toMatchObject({ checked: false }), 60_000, 200);

    const report = await http().get(`${EVALUATION}/runs/${passed.run_id}/report`).expect(200);
    // Lineage carries the feature store's own profile of the file the cases were read from.
    expect(report.body.compliance.lineage.dataset).toMatchObject({
      dataset_id: 'churn-holdout', source_type: 'csv', path: 'churn.csv', row_count_at_run: ROWS,
      content_sha256_at_run: dataset.body.content_sha256, profile: dataset.body.profile,
    });
  });

  it('takes a prompt through four-eyes approval to a production render and usage', async () => {
    const author = { ...json, 'x-actor': 'ana' };
    const approver = { ...json, 'x-actor': 'bo', 'x-roles': 'prompt-approver' };
    await http().post(`${PROMPTS}/templates`).set(author).send({ id: 'support-reply', name: 'Support reply', type: 'text', template: 'Answer {{customer}} politely.' }).expect(201);
    await http().post(`${PROMPTS}/templates/support-reply/1/submit`).set(author).send({}).expect(200);
    await http().post(`${PROMPTS}/templates/support-reply/1/approve`).set({ ...approver, 'x-actor': 'ana' }).send({}).expect(403);
    await http().post(`${PROMPTS}/templates/support-reply/1/approve`).set(approver).send({}).expect(200);
    await http().put(`${PROMPTS}/templates/support-reply/labels/production`).set(approver).send({ version: 1 }).expect(200);
    const rendered = await http().post(`${PROMPTS}/templates/support-reply/render`).set(json).send({ label: 'production', variables: { customer: 'Kim' } }).expect(200);
    expect(rendered.body).toMatchObject({ id: 'support-reply', version: 1, label: 'production', prompt: 'Answer Kim politely.' });
    const usage = { caller: 'support-bot', environment: 'production', input_tokens: 12, output_tokens: 30, latency_ms: 420, cost: 0.002, outcome: 'success' };
    await http().post(`${PROMPTS}/templates/support-reply/1/usage`).set(json).send({ records: [usage, { ...usage, outcome: 'error', latency_ms: 900 }] }).expect(201);
    const log = await http().get(`${PROMPTS}/templates/support-reply/1/usage`).expect(200);
    expect(log.body.aggregates).toMatchObject({ count: 2, error_count: 1, error_rate: 0.5, total_tokens: 84 });
  });

  it('drains and exits 0 on SIGTERM, every process', async () => {
    expect(await gateway.stop()).toBe(0);
    const codes = await Promise.all(Object.entries(services).map(async ([name, service]) => [name, await service.stop()]));
    expect(Object.fromEntries(codes)).toEqual({ 'feature-store': 0, lifecycle: 0, evaluation: 0, 'prompt-governance': 0 });
  });
});
