import type { INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import mongoose, { mongo } from 'mongoose';
import type { CloudEvent } from '@mlops/events';

/** Retries an assertion until it passes or the time is up (then the last failure is thrown). */
export async function eventually<T>(assertion: () => Promise<T> | T, timeoutMs = 15_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

export interface RunningApp {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts a Nest app on a free loopback port and, as a deployment routes traffic, waits until it is
 * ready (its consumers join their groups after it listens); an app without /health/ready is ready.
 */
export async function listen(app: INestApplication): Promise<RunningApp> {
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  await eventually(async () => {
    const response = await fetch(`${url}/health/ready`);
    if (response.status === 503) throw new Error(`not ready: ${await response.text()}`);
  }, 60_000, 50);
  return { app, url, close: () => app.close() };
}

export async function connectMongo(url: string, db: string): Promise<{ db: mongo.Db; close(): Promise<void> }> {
  const connection = await mongoose.createConnection(url, { dbName: db }).asPromise();
  return {
    db: connection.db!,
    close: async () => {
      await connection.close();
    },
  };
}

export async function dropDatabase(url: string, db: string): Promise<void> {
  const connection = await connectMongo(url, db);
  await connection.db.dropDatabase().catch(() => undefined);
  await connection.close();
}

export interface ConsumedEvent {
  key: string;
  partition: number;
  offset: string;
  headers: Record<string, string>;
  event: CloudEvent;
}

/**
 * Reads a topic from the beginning with a fresh consumer group, as a downstream monitoring system
 * would, until `done(events)` holds or the time is up; then keeps reading `settleMs` more so
 * unexpected extra messages (duplicates) are caught too.
 */
export async function readTopic(
  brokers: string,
  topic: string,
  done: (events: ConsumedEvent[]) => boolean,
  options: { timeoutMs?: number; settleMs?: number } = {},
): Promise<ConsumedEvent[]> {
  const kafka = new Kafka({ clientId: 'test-reader', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `test-reader-${Date.now()}-${Math.random()}`, maxWaitTimeInMs: 100 });
  const events: ConsumedEvent[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      events.push({
        key: message.key!.toString(),
        partition,
        offset: message.offset,
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        event: JSON.parse(message.value!.toString()) as CloudEvent,
      });
    },
  });
  try {
    await eventually(() => {
      if (!done(events)) throw new Error(`topic ${topic}: condition not met after ${events.length} events`);
    }, options.timeoutMs ?? 30_000);
    await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 500));
    return [...events];
  } finally {
    await consumer.disconnect();
  }
}

export async function publishRaw(brokers: string, topic: string, messages: { key: string; value: string }[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'test-producer', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages, acks: -1 });
  await producer.disconnect();
}

/** How many events the service's event store holds: "writes nothing" means this does not move. */
export async function countStoredEvents(db: mongo.Db): Promise<number> {
  const commits = await db.collection<{ events: unknown[] }>('events').find().toArray();
  return commits.reduce((n, commit) => n + commit.events.length, 0);
}

/** Documents in `_id` order, for comparing a read model before and after a rebuild. */
export const sortById = <T extends { _id: unknown }>(docs: T[]) =>
  [...docs].sort((a, b) => String(a._id).localeCompare(String(b._id)));
