import { Kafka, logLevel } from 'kafkajs';
import { CloudEvent } from '@mlops/events';
import { eventually, isolatedEnv, publishRaw } from '@mlops/testing';
import { ReactionHandler, ReactorRunner } from './reactor';

const event = (subject: string, type: string, n: number): CloudEvent => ({
  specversion: '1.0',
  id: `${subject}-${n}`,
  source: '/test',
  type,
  subject,
  time: '2026-01-01T00:00:00.000Z',
  datacontenttype: 'application/json',
  data: { n },
  streamversion: n,
  actor: 't',
  correlationid: 'c',
});

const WANTED = 'mlops.test.thing.happened.v1';

/** Records what it saw; fails the first `failures` attempts at `failOn`. */
class RecordingHandler implements ReactionHandler {
  seen: string[] = [];
  attempts = 0;
  constructor(
    private failOn?: string,
    private failures = 0,
  ) {}
  async react(e: CloudEvent): Promise<void> {
    this.attempts++;
    if (e.id === this.failOn && this.failures > 0) {
      this.failures--;
      throw new Error('transient');
    }
    this.seen.push(e.id);
  }
}

describe('reactor runner on a real Kafka broker', () => {
  const env = isolatedEnv('reactor');
  const kafka = new Kafka({ clientId: 'reactor-test', brokers: env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const topic = 'mlops.test.events.v1';
  const reactor = { name: 'recorder', topic, eventTypes: [WANTED] };
  const runner = (handler: ReactionHandler) => new ReactorRunner(kafka, reactor, handler, { topicPrefix: env.KAFKA_TOPIC_PREFIX, groupPrefix: env.KAFKA_TOPIC_PREFIX, retryInitialMs: 20 }, logger);
  const publish = (events: CloudEvent[]) => publishRaw(env.KAFKA_BROKERS, env.KAFKA_TOPIC_PREFIX + topic, events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })));

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: env.KAFKA_TOPIC_PREFIX + topic, numPartitions: 1 }] });
    await admin.disconnect();
  });

  it('reacts to the chosen types only, in order, retrying a failed reaction until it succeeds', async () => {
    await publish([event('s:1', WANTED, 1), event('s:1', 'mlops.test.other.v1', 2), event('s:1', WANTED, 3), event('s:1', WANTED, 4)]);
    const handler = new RecordingHandler('s:1-3', 2);
    const first = runner(handler);
    await first.start();
    await eventually(() => expect(handler.seen).toEqual(['s:1-1', 's:1-3', 's:1-4']), 30_000);
    expect(handler.attempts).toBe(5);
    await first.stop();
  });

  it('commits only what it handled: a restarted group resumes after the last success and redelivers nothing', async () => {
    await publish([event('s:2', WANTED, 1)]);
    const handler = new RecordingHandler();
    const second = runner(handler);
    await second.start();
    await eventually(() => expect(handler.seen).toEqual(['s:2-1']), 30_000);
    await second.stop();
  });

  it('leaves a reaction that never succeeded uncommitted when stopped, so the next runner gets it again', async () => {
    await publish([event('s:3', WANTED, 1)]);
    const failing = new RecordingHandler('s:3-1', Number.MAX_SAFE_INTEGER);
    const third = runner(failing);
    await third.start();
    await eventually(() => expect(failing.attempts).toBeGreaterThanOrEqual(2), 30_000);
    await third.stop();
    const handler = new RecordingHandler();
    const fourth = runner(handler);
    await fourth.start();
    await eventually(() => expect(handler.seen).toEqual(['s:3-1']), 30_000);
    await fourth.stop();
  });
});
