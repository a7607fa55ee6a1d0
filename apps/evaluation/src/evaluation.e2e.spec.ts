import { Kafka, logLevel } from 'kafkajs';
import request from 'supertest';
import { Topics } from '@mlops/events';
import { dropDatabase, eventually, isolatedEnv, runServiceToExit, startServiceProcess } from '@mlops/testing';

const EVAL = '/api/v1/ml/evaluation';
const json = { 'content-type': 'application/json' };

describe('the evaluation service as a process', () => {
  it('refuses to start on a bad setting of its own, naming the variable', async () => {
    const { code, output } = await runServiceToExit('evaluation', { ...isolatedEnv('evalbadconfig'), EVALUATION_MAX_CASES: '0', BODY_LIMIT: 'huge' });
    expect(code).toBe(1);
    expect(output).toMatch(/Invalid configuration for evaluation/);
    expect(output).toMatch(/EVALUATION_MAX_CASES/);
    expect(output).toMatch(/BODY_LIMIT/);
  });

  it('takes bodies over the shared 1mb default, commits the worker’s offsets for events it passes over, shuts down on SIGTERM', async () => {
    const env = isolatedEnv('evalshutdown');
    const service = await startServiceProcess('evaluation', env);
    try {
      // ~3 MB of inline cases: over the 1mb other services accept, under this service's 64mb.
      const cases = Array.from({ length: 30_000 }, (_, i) => ({ id: `case-${i}`, expected: i % 7, input: { text: 'x'.repeat(40) } }));
      const created = await request(service.url).post(`${EVAL}/scenarios`).set(json).send({ name: 'big', task_type: 'regression', cases }).expect(201);
      expect(created.body.cases.case_count).toBe(30_000);
      // A run for an unknown model version is refused before anything is queued.
      await request(service.url).post(`${EVAL}/runs`).set(json).send({ scenario_name: 'big', model_name: 'm', model_version: 1, predictions: [{ id: 'case-0', value: 1 }] }).expect(404);
      const admin = new Kafka({ brokers: env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const topic = env.KAFKA_TOPIC_PREFIX + Topics.evaluation;
        // The worker passes over events it does not react to, and still commits their offsets.
        await eventually(async () => {
          const end = await admin.fetchTopicOffsets(topic);
          const [committed] = await admin.fetchOffsets({ groupId: `${env.KAFKA_TOPIC_PREFIX}evaluation.reactor.evaluation-worker`, topics: [topic] });
          const lag = end.reduce((sum, p) => sum + Number(p.high) - Math.max(0, Number(committed.partitions.find((c) => c.partition === p.partition)?.offset ?? -1)), 0);
          expect(lag).toBe(0);
        }, 30_000, 200);
      } finally {
        await admin.disconnect();
      }
      expect(await service.stop()).toBe(0);
      expect(service.output()).toMatch(/"msg":"stopped"/);
    } finally {
      if (service.process.exitCode === null) await service.stop();
      await dropDatabase(env.MONGO_URL, env.MONGO_DB);
    }
  });
});
