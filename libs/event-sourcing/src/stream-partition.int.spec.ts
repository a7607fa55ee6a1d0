import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { isolatedEnv } from '@mlops/testing';
import { streamPartitioner } from './stream-partition';

describe('the partition of a stream, as the broker places its events', () => {
  const env = isolatedEnv('stream-partition');
  const kafka = new Kafka({ clientId: 'stream-partition-test', brokers: env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const topic = `${env.KAFKA_TOPIC_PREFIX}mlops.test.partitions.v1`;

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 5 }] });
    await admin.disconnect();
  });

  it('names the partition the event store’s producer sends each stream id to', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const partitionOf = streamPartitioner(topic, 5);
    const streams = Array.from({ length: 40 }, (_, i) => (i % 2 ? `experiment:churn-${i}` : `run:${i.toString(16).padStart(32, '0')}`));
    try {
      const placed: number[] = [];
      for (const key of streams) {
        const [metadata] = await producer.send({ topic, messages: [{ key, value: '{}' }] });
        placed.push(metadata.partition);
      }
      expect(streams.map(partitionOf)).toEqual(placed);
      // Forty keys over five partitions land on more than one: the comparison says something.
      expect(new Set(placed).size).toBeGreaterThan(1);
    } finally {
      await producer.disconnect();
    }
  });
});
