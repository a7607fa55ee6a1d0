import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { eventually, publishRaw, readTopic, RunningPlatform, ServiceProcess, startPlatform, startServiceProcess } from '@mlops/testing';

const LIFECYCLE = '/api/v1/ml/lifecycle';
const PROMPTS = '/api/v1/prompt-governance/templates';
const json = { 'content-type': 'application/json' };
const ALL_REQUIRED = ['evaluation_passed', 'bias_review', 'security_review'].map((key) => ({ key, checked: true }));

/** The platform's series of a /metrics page (the process's own, memory and CPU, left out), sorted. */
async function platformSeries(monitor: ServiceProcess): Promise<string[]> {
  const text = await (await fetch(`${monitor.url}/metrics`)).text();
  return text.split('\n').filter((line) => line.startsWith('mlops_')).sort();
}

/**
 * The monitor as users run theirs: its own process on the Kafka transport, reading the topics the
 * platform writes while the platform is driven through the gateway.
 */
describe('the monitor consuming the platform’s topics (real Kafka, the platform as processes)', () => {
  let platform: RunningPlatform;
  let monitor: ServiceProcess;
  const http = () => request(platform.url);
  const monitorEnv = () => ({ KAFKA_BROKERS: platform.env.KAFKA_BROKERS, KAFKA_TOPIC_PREFIX: platform.env.KAFKA_TOPIC_PREFIX, LOG_LEVEL: 'warn' });
  let deploymentId: string;

  beforeAll(async () => {
    platform = await startPlatform('monitor');
    monitor = await startServiceProcess('monitor', monitorEnv());
  }, 180_000);
  afterAll(async () => {
    await monitor?.stop();
    await platform?.stop();
  });

  it('exports a live production deployment, its drift and alert, and prompt usage as they happen', async () => {
    await http().post(`${LIFECYCLE}/experiments`).set(json).send({ name: 'churn' }).expect(201);
    const run = await http().post(`${LIFECYCLE}/runs`).set(json).send({ experiment_name: 'churn' }).expect(201);
    await http().post(`${LIFECYCLE}/models`).set(json).send({ model_name: 'churn-clf', run_id: run.body.run_id, artifact_uri: 's3://m/1', stage: 'staging' }).expect(201);
    await http().patch(`${LIFECYCLE}/models/churn-clf/1`).set(json).send({ checklist: ALL_REQUIRED, stage: 'production' }).expect(200);
    const deployment = await http()
      .post(`${LIFECYCLE}/deployments`)
      .set(json)
      .send({ model_name: 'churn-clf', model_version: 1, environment: 'production', config: { traffic_percent: 30 } })
      .expect(201);
    deploymentId = deployment.body.deployment_id;
    for (const status of ['validating', 'deploying', 'active']) await http().patch(`${LIFECYCLE}/deployments/${deploymentId}`).set(json).send({ status }).expect(200);
    await http()
      .post(`${LIFECYCLE}/drift-events`)
      .set(json)
      .send({ model_name: 'churn-clf', model_version: 1, feature: 'tenure', metric: 'psi', value: 0.41, threshold: 0.2, severity: 'critical' })
      .expect((res) => expect([201, 202]).toContain(res.status));
    await http().post(PROMPTS).set(json).set('x-actor', 'ana').send({ id: 'answer', name: 'Answer', template: 'Answer {{question}}' }).expect(201);
    await http().put(`${PROMPTS}/answer/labels/staging`).set(json).set('x-actor', 'ana').send({ version: 1 }).expect(200);
    const record = (latency_ms: number, outcome: string) => ({ caller: 'bot', environment: 'staging', input_tokens: 10, output_tokens: 4, latency_ms, cost: 0.25, outcome, timestamp: new Date().toISOString() });
    await http().post(`${PROMPTS}/answer/1/usage`).set(json).send({ records: [record(100, 'success'), record(300, 'error')] }).expect(201);

    await eventually(async () => {
      const series = await platformSeries(monitor);
      expect(series).toEqual(
        expect.arrayContaining([
          'mlops_deployments{model="churn-clf",environment="production",status="active",service="monitor"} 1',
          `mlops_deployment_traffic_percent{deployment="${deploymentId}",model="churn-clf",version="1",environment="production",service="monitor"} 30`,
          'mlops_drift_statistic{model="churn-clf",version="1",feature="tenure",metric="psi",service="monitor"} 0.41',
          'mlops_drift_events_total{model="churn-clf",severity="critical",service="monitor"} 1',
          'mlops_deployment_drift_alerts_total{model="churn-clf",environment="production",service="monitor"} 1',
          'mlops_prompt_usage_requests_total{template="answer",version="1",service="monitor"} 2',
          'mlops_prompt_usage_errors_total{template="answer",version="1",service="monitor"} 1',
          'mlops_prompt_usage_latency_milliseconds_total{template="answer",version="1",service="monitor"} 400',
          'mlops_prompt_label_version{template="answer",label="staging",version="1",service="monitor"} 1',
        ]),
      );
    }, 30_000, 250);
  });

  it('exports a drift report the Feature Store computed on a registered dataset pair', async () => {
    const rows = (shift: number) => ['tenure,country', ...Array.from({ length: 300 }, (_, i) => `${(i % 50) + shift},${['DE', 'FR', 'NL'][i % 3]}`)].join('\n') + '\n';
    writeFileSync(join(platform.dataRoot, 'train.csv'), rows(0));
    writeFileSync(join(platform.dataRoot, 'current.csv'), rows(40));
    for (const name of ['train', 'current']) {
      await http().post('/api/v1/features/datasets').set(json).send({ name, path: `${name}.csv`, source_type: 'csv' }).expect((res) => expect([201, 202]).toContain(res.status));
    }
    await eventually(async () => {
      const res = await http().post('/api/v1/features/datasets/current/drift').set(json).send({ reference_dataset: 'train' });
      expect([201, 202]).toContain(res.status);
    }, 30_000, 500);
    await eventually(async () => {
      const series = await platformSeries(monitor);
      expect(series).toEqual(
        expect.arrayContaining([
          'mlops_dataset_column_drifted{dataset="current",reference="train",column="tenure",method="ks",service="monitor"} 1',
          'mlops_dataset_column_drifted{dataset="current",reference="train",column="country",method="chisquare",service="monitor"} 0',
          'mlops_dataset_drifted_columns_share{dataset="current",reference="train",service="monitor"} 0.5',
          'mlops_dataset_drift{dataset="current",reference="train",service="monitor"} 1',
        ]),
      );
    }, 30_000, 250);
  });

  it('counts a malformed and a redelivered message, and keeps consuming', async () => {
    const topic = platform.env.KAFKA_TOPIC_PREFIX + 'mlops.lifecycle.events.v1';
    const [first] = await readTopic(platform.env.KAFKA_BROKERS, topic, (events) => events.length > 0, { settleMs: 0 });
    await publishRaw(platform.env.KAFKA_BROKERS, topic, [
      { key: 'deployment:x', value: '{"not": "an event"' },
      { key: first.key, value: JSON.stringify(first.event) },
    ]);
    // 202 when the read model has not caught up within the bound: the event is written either way.
    await http().patch(`${LIFECYCLE}/deployments/${deploymentId}`).set(json).send({ metrics: { rps: 12 } }).expect((res) => expect([200, 202]).toContain(res.status));
    await eventually(async () => {
      const series = await platformSeries(monitor);
      expect(series).toEqual(
        expect.arrayContaining([
          `mlops_monitor_events_rejected_total{topic="${topic}",type="unknown",reason="not_cloudevent",service="monitor"} 1`,
          `mlops_monitor_events_duplicate_total{topic="${topic}",service="monitor"} 1`,
          `mlops_monitor_events_consumed_total{topic="${topic}",type="mlops.lifecycle.deployment.health_reported.v1",service="monitor"} 1`,
        ]),
      );
    }, 30_000, 250);
    expect((await fetch(`${monitor.url}/health/ready`)).status).toBe(200);
  });

  it('rebuilds the same series from offset 0 after a restart', async () => {
    const before = await platformSeries(monitor);
    await monitor.stop();
    monitor = await startServiceProcess('monitor', monitorEnv());
    await eventually(async () => expect(await platformSeries(monitor)).toEqual(before), 30_000, 250);
  });
});
