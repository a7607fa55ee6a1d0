import { Kafka, logLevel } from 'kafkajs';
import { register } from 'prom-client';
import { eventually, isolatedEnv, publishRaw } from '@mlops/testing';
import { assertWorkersRunning, ConsumerState, SupervisedConsumer } from './consumer-supervisor';

const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function gauge(consumer: string): Promise<number | undefined> {
  const metric = await register.getSingleMetric('mlops_consumer_state')!.get();
  return metric.values.find((v) => v.labels.consumer === consumer)?.value;
}

describe('supervised consumers on a real Kafka broker', () => {
  const env = isolatedEnv('supervisor');
  const kafka = new Kafka({ clientId: 'supervisor-test', brokers: env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const topic = `${env.KAFKA_TOPIC_PREFIX}mlops.test.events.v1`;

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();
  });

  it('restarts a consumer KafkaJS leaves crashed for good, redelivering the failed message, and reports it meanwhile', async () => {
    await publishRaw(env.KAFKA_BROKERS, topic, ['a', 'b', 'c'].map((value) => ({ key: 'k', value })));
    const seen: string[] = [];
    const states = new Set<ConsumerState>();
    let failures = 2;
    const supervised: SupervisedConsumer = new SupervisedConsumer(
      kafka,
      {
        consumer: 'test:crashing',
        groupId: `${env.KAFKA_TOPIC_PREFIX}crashing`,
        topic,
        config: { maxWaitTimeInMs: 100 },
        restartInitialMs: 50,
        run: () => ({
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch, resolveOffset }) => {
            for (const message of batch.messages) {
              const value = message.value!.toString();
              // A TypeError is what KafkaJS deems unrecoverable: it crashes without restarting.
              if (value === 'b' && failures-- > 0) throw new TypeError('projection bug, fixed by the next deploy');
              seen.push(value);
              resolveOffset(message.offset);
              await supervised.current!.commitOffsets([{ topic, partition: batch.partition, offset: (BigInt(message.offset) + 1n).toString() }]);
            }
          },
        }),
      },
      logger,
    );
    const watch = setInterval(() => states.add(supervised.status().state), 5);
    await supervised.start();
    try {
      await eventually(() => expect(seen).toEqual(['a', 'b', 'c']), 60_000);
      expect(supervised.status()).toMatchObject({ consumer: 'test:crashing', state: 'running', restarts: 2 });
      expect(states).toContain('restarting');
      expect(() => assertWorkersRunning([supervised])).not.toThrow();
      expect(await gauge('test:crashing')).toBe(1);
      const restarts = await register.getSingleMetric('mlops_consumer_restarts_total')!.get();
      expect(restarts.values.find((v) => v.labels.consumer === 'test:crashing')?.value).toBe(2);
    } finally {
      clearInterval(watch);
      await supervised.stop();
    }
    expect(supervised.status().state).toBe('stopped');
    expect(await gauge('test:crashing')).toBe(0);
    expect(() => assertWorkersRunning([supervised])).toThrow(/test:crashing stopped/);
  });

  it('keeps trying to start against a broker that does not answer, not ready meanwhile, until stopped', async () => {
    const unreachable = new Kafka({ clientId: 'supervisor-test', brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const supervised = new SupervisedConsumer(
      unreachable,
      { consumer: 'test:unreachable', groupId: 'unreachable', topic, restartInitialMs: 50, restartMaxMs: 100, config: { retry: { retries: 0, initialRetryTime: 50 } }, run: () => ({ eachMessage: async () => undefined }) },
      logger,
    );
    await supervised.start(); // resolves after the first failed attempt, never throws
    await eventually(() => expect(supervised.status().restarts).toBeGreaterThanOrEqual(2), 30_000);
    expect(['starting', 'restarting']).toContain(supervised.status().state);
    expect(() => assertWorkersRunning([supervised])).toThrow(/test:unreachable (starting|restarting)/);
    expect(await gauge('test:unreachable')).toBe(0);
    await supervised.stop();
    const restarts = supervised.status().restarts;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(supervised.status()).toMatchObject({ state: 'stopped', restarts });
  });
});
