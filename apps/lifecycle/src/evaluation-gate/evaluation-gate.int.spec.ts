import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { CloudEvent, EVALUATION_RUN_COMPLETED, EvaluationRunCompletedData, evaluationCatalog, EventValidator, Topics } from '@mlops/events';
import { reactorEventsHandled, storedEvents } from '@mlops/event-sourcing';
import { connectMongo, countStoredEvents, dropDatabase, eventually, isolatedEnv, listen, publishRaw, RunningApp, ServiceProcess, startGateway } from '@mlops/testing';
import { createLifecycleApp } from '../app';

const ROOT = '/api/v1/ml/lifecycle';
const json = { 'content-type': 'application/json' };

/** A run.completed event as the evaluation service publishes it. */
function runCompleted(model_name: string, model_version: number, passed: boolean, completedAt = new Date()): CloudEvent {
  const run_id = randomUUID();
  const data: EvaluationRunCompletedData = {
    run_id, scenario_name: 'holdout', scenario_version: 1, model_name, model_version, case_count: 100,
    metrics: [{ key: 'f1', value: passed ? 0.9 : 0.5 }],
    gate: { passed, thresholds: [{ metric: 'f1', min: 0.8, max: null, value: passed ? 0.9 : 0.5, passed }] },
    report: { sha256: 'a'.repeat(64), size_bytes: 10 }, completed_at: completedAt.toISOString(),
  };
  return {
    specversion: '1.0', id: randomUUID(), source: '/mlops/evaluation', type: EVALUATION_RUN_COMPLETED, subject: `evaluation_run:${run_id}`,
    time: new Date().toISOString(), datacontenttype: 'application/json', data: data as unknown as Record<string, unknown>,
    streamversion: 3, actor: 'evaluation-worker', correlationid: randomUUID(),
  };
}

describe('the evaluation gate: run.completed events check and uncheck evaluation_passed', () => {
  const env = isolatedEnv('evalgate');
  const evaluationTopic = env.KAFKA_TOPIC_PREFIX + Topics.evaluation;
  let service: RunningApp;
  let gateway: ServiceProcess;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  const http = () => request(gateway.url);
  const publish = (...events: CloudEvent[]) => publishRaw(env.KAFKA_BROKERS, evaluationTopic, events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })));
  const handled = async () => (await reactorEventsHandled.get()).values.find((v) => v.labels.reactor === 'evaluation-gate')?.value ?? 0;
  const evaluationItem = async (version: number) =>
    (await http().get(`${ROOT}/models/gated/${version}`).expect(200)).body.checklist.find((i: { key: string }) => i.key === 'evaluation_passed');

  beforeAll(async () => {
    service = await listen((await createLifecycleApp(env)).app);
    gateway = await startGateway({ LIFECYCLE_URL: service.url });
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
    await http().post(`${ROOT}/experiments`).set(json).send({ name: 'gate' }).expect(201);
    const run = await http().post(`${ROOT}/runs`).set(json).send({ experiment_name: 'gate' }).expect(201);
    for (let i = 0; i < 2; i++) await http().post(`${ROOT}/models`).set(json).send({ model_name: 'gated', run_id: run.body.run_id, artifact_uri: 's3://gated' }).expect(201);
  });
  afterAll(async () => {
    await gateway?.stop();
    await service?.close();
    await mongo?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('checks the item for a passed gate, by the evaluation run, and ignores the redelivered event', async () => {
    const passed = runCompleted('gated', 2, true);
    expect(new EventValidator([evaluationCatalog]).validate(passed)).toEqual({ valid: true, errors: [] });
    await publish(passed);
    const item = await eventually(async () => {
      const current = await evaluationItem(2);
      expect(current.checked).toBe(true);
      return current;
    }, 30_000);
    expect(item.checked_by).toBe(`evaluation:holdout:v1:${(passed.data as { run_id: string }).run_id}`);
    expect((await evaluationItem(1)).checked).toBe(false);

    const before = await countStoredEvents(mongo.db);
    const handledBefore = await handled();
    await publish(passed, passed, runCompleted('gated', 1, true));
    await eventually(async () => expect((await handled()) - handledBefore).toBe(3), 30_000);
    await eventually(async () => expect((await evaluationItem(1)).checked).toBe(true), 30_000);
    // Three reactions, one change: the redelivered event decided nothing.
    expect(await countStoredEvents(mongo.db)).toBe(before + 1);
  });

  it('unchecks the item when a later run fails the gate, and skips versions it does not know without blocking', async () => {
    const handledBefore = await handled();
    await publish(runCompleted('unknown-model', 1, true), runCompleted('gated', 9, true), runCompleted('gated', 2, false));
    // All three are handled (each run is its own key, so its own partition): the unknown ones do not block.
    await eventually(async () => expect((await handled()) - handledBefore).toBe(3), 30_000);
    await eventually(async () => {
      const item = await evaluationItem(2);
      expect(item).toMatchObject({ checked: false, checked_by: null, checked_at: null });
    }, 30_000);
    const [last] = await mongo.db.collection('events').find({ stream_id: 'model:gated' }).sort({ version: -1 }).limit(1).toArray();
    expect(storedEvents(last).map((e: CloudEvent) => [e.type, e.data])).toEqual([
      ['mlops.lifecycle.model_version.checklist_updated.v1', { model_name: 'gated', version: 2, items: [expect.objectContaining({ key: 'evaluation_passed', checked: false })] }],
    ]);
  });

  it('keeps the result of the run that completed last when results arrive out of order', async () => {
    const earlier = runCompleted('gated', 2, true, new Date(Date.now() - 60_000));
    const handledBefore = await handled();
    const before = await countStoredEvents(mongo.db);
    await publish(earlier);
    await eventually(async () => expect((await handled()) - handledBefore).toBe(1), 30_000);
    expect(await countStoredEvents(mongo.db)).toBe(before);
    expect((await evaluationItem(2)).checked).toBe(false);
    await publish(runCompleted('gated', 2, true));
    await eventually(async () => expect((await evaluationItem(2)).checked).toBe(true), 30_000);
    const commits = await mongo.db.collection('events').find({ stream_id: 'model:gated' }).sort({ version: -1 }).limit(1).toArray();
    expect(storedEvents(commits[0]).map((e: CloudEvent) => [e.type, e.data])).toEqual([
      ['mlops.lifecycle.model_version.checklist_updated.v1', { model_name: 'gated', version: 2, items: [expect.objectContaining({ key: 'evaluation_passed', checked: true })] }],
    ]);
  });
});
