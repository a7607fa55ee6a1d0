import { Producer } from 'kafkajs';
import { lifecycleCatalog } from '@mlops/events';
import { connectMongo, ConsumedEvent, dropDatabase, eventually, isolatedEnv, readTopic } from '@mlops/testing';
import { EventStore, storedEvents } from './event-store';
import { createKafka, ensureTopic } from './kafka';
import { outboxBacklog } from './metrics';
import { OutboxRelay } from './outbox-relay';

const env = isolatedEnv('outbox');
const topic = env.KAFKA_TOPIC_PREFIX + lifecycleCatalog.topic;
const metadata = { actor: 'tester', correlationId: 'corr-1', now: new Date('2026-01-01T00:00:00Z') };
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const settings = { brokers: env.KAFKA_BROKERS.split(','), clientId: 'outbox-test', topicPrefix: env.KAFKA_TOPIC_PREFIX, partitions: 3, replicationFactor: -1 };
const created = (name: string) => ({ type: 'ExperimentCreated', data: { name, description: '', owner: 'o', tags: [] } });
const updated = (name: string, description: string) => ({ type: 'ExperimentUpdated', data: { name, description } });

/** The versions of one stream in the order they first appear on the topic. */
const firstOccurrences = (events: ConsumedEvent[], stream: string) => {
  const seen = new Set<number>();
  return events.filter((e) => e.key === stream && !seen.has(e.event.streamversion) && seen.add(e.event.streamversion)).map((e) => e.event.streamversion);
};

describe('outbox relay on a real Kafka broker and MongoDB-protocol server', () => {
  const kafka = createKafka(settings, silent);
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  let store: EventStore;
  const producers: Producer[] = [];
  const relays: OutboxRelay[] = [];

  const relay = async (owner: string, connect = true) => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    if (connect) await producer.connect();
    producers.push(producer);
    const made = new OutboxRelay(store.collection, mongo.db.collection('outbox_lease'), producer, { owner, topicPrefix: env.KAFKA_TOPIC_PREFIX }, silent);
    relays.push(made);
    return made;
  };

  beforeAll(async () => {
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
    store = await EventStore.create(mongo.db, lifecycleCatalog);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopic(admin, topic, settings);
    await admin.disconnect();
  });
  afterAll(async () => {
    await Promise.all(relays.map((r) => r.flush()));
    await Promise.all(producers.map((p) => p.disconnect()));
    await mongo.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('keeps each stream version’s first copy in order while two appenders and a sweep send one stream at once', async () => {
    const [a, b, sweeper] = [await relay('replica-a'), await relay('replica-b'), await relay('sweeper')];
    const stream = 'experiment:raced';
    const sweeps: Promise<number>[] = [];
    await store.append(stream, 0, [created('raced')], metadata);
    a.publishAppended(stream, 1);
    // Consecutive versions appended by alternating processes, none waiting for the other's publish,
    // some commits holding two events, and a sweep running now and then.
    for (let version = 1; version < 60; ) {
      const events = version % 7 === 0 ? [updated('raced', `v${version + 1}`), updated('raced', `v${version + 2}`)] : [updated('raced', `v${version + 1}`)];
      const result = await store.append(stream, version, events, metadata);
      (version % 2 ? b : a).publishAppended(stream, result.version);
      if (version % 9 === 0) sweeps.push(sweeper.drain());
      version = result.version;
    }
    await Promise.all([a.flush(), b.flush(), ...sweeps]);
    const { version: last } = await store.readStream(stream);
    expect(await store.collection.countDocuments({ stream_id: stream, published: false })).toBe(0);

    const events = await readTopic(env.KAFKA_BROKERS, topic, (all) => firstOccurrences(all, stream).length >= last);
    expect(firstOccurrences(events, stream)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
  });

  it('sends a commit appended on top of what it sent as it stores it, without reading it back: in order, marked published', async () => {
    const direct = await relay('replica-direct');
    const stream = 'experiment:direct';
    // An undefined field is stored as the driver stores it: the message must say what a read-back would.
    const events = [created('direct'), updated('direct', 'one'), { type: 'ExperimentUpdated', data: { name: 'direct', description: undefined } }, updated('direct', 'three')];
    let version = 0;
    for (const event of events) {
      const result = await store.append(stream, version, [event], metadata);
      direct.publishAppended(stream, result.version, { commit: result.commit, expectedVersion: version });
      // Acknowledged before the next append, so each commit lands right on top of what was sent.
      await direct.flush();
      version = result.version;
    }
    const sent = (await readTopic(env.KAFKA_BROKERS, topic, (all) => all.filter((e) => e.key === stream).length >= events.length)).filter((e) => e.key === stream);
    const stored = await store.collection.find({ stream_id: stream }).sort({ version: 1 }).toArray();
    expect(stored.map((commit) => commit.published)).toEqual([true, true, true, true]);
    expect(sent.map((e) => e.event.streamversion)).toEqual([1, 2, 3, 4]);
    expect(sent.map((e) => e.event)).toEqual(stored.flatMap((commit) => storedEvents(commit)));
    expect(sent[2].event.data).toEqual({ name: 'direct', description: null });
    // Stored as the JSON text that is published, the type repeated in a header.
    expect(stored.map((commit) => typeof commit.events[0])).toEqual(['string', 'string', 'string', 'string']);
    expect(sent.map((e) => e.headers.ce_type)).toEqual(sent.map((e) => e.event.type));
  });

  it('reads and publishes commits that hold their events as documents, as commits were once written', async () => {
    const stream = 'experiment:document-form';
    const event = { ...JSON.parse(JSON.stringify((await store.append('experiment:template', 0, [created('document-form')], metadata)).events[0])), subject: stream };
    await store.collection.insertOne({ stream_id: stream, version: 1, last_version: 1, topic: lifecycleCatalog.topic, events: [event], published: false, committed_at: new Date(0) });
    const { events: domain, version } = await store.readStream(stream);
    expect({ domain, version }).toEqual({ domain: [created('document-form')], version: 1 });
    const sweeper = await relay('sweeper-document-form');
    await sweeper.drain();
    const sent = (await readTopic(env.KAFKA_BROKERS, topic, (all) => all.some((e) => e.key === stream))).filter((e) => e.key === stream);
    expect(sent.map((e) => [e.event, e.headers.ce_type])).toEqual([[event, event.type]]);
  });

  it('leaves a commit whose direct publish failed for the sweep, without throwing', async () => {
    const disconnected = await relay('broken', false);
    const stream = 'experiment:left-over';
    const { version } = await store.append(stream, 0, [created('left-over')], metadata);
    expect(() => disconnected.publishAppended(stream, version)).not.toThrow();
    await disconnected.flush();
    expect(await store.collection.countDocuments({ stream_id: stream, published: false })).toBe(1);

    const sweeper = await relay('sweeper-2');
    expect(await sweeper.drain()).toBeGreaterThanOrEqual(1);
    expect(await store.collection.countDocuments({ stream_id: stream, published: false })).toBe(0);
    const events = await readTopic(env.KAFKA_BROKERS, topic, (all) => all.some((e) => e.key === stream));
    expect(firstOccurrences(events, stream)).toEqual([1]);
  });

  it('reports what the sweep leaves unpublished as the outbox backlog', async () => {
    const disconnected = await relay('broken-2', false);
    for (const name of ['young-1', 'young-2']) {
      const { version } = await store.append(`experiment:${name}`, 0, [created(name)], metadata);
      disconnected.publishAppended(`experiment:${name}`, version);
    }
    await disconnected.flush();
    const waiting = await store.collection.countDocuments({ published: false });
    expect(waiting).toBeGreaterThanOrEqual(2);
    // A lease holder whose grace keeps these young commits for their appender: they stay, and are counted.
    const holder = new OutboxRelay(store.collection, mongo.db.collection('outbox_lease'), producers[0], { owner: 'counter', topicPrefix: env.KAFKA_TOPIC_PREFIX, sweepGraceMs: 600_000 }, silent);
    holder.start();
    try {
      await eventually(async () => expect((await outboxBacklog.get()).values[0]?.value).toBe(waiting));
    } finally {
      await holder.stop();
    }
  });
});

