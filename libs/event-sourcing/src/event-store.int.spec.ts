import mongoose, { mongo as driver } from 'mongoose';
import { Producer } from 'kafkajs';
import { lifecycleCatalog } from '@mlops/events';
import { connectMongo, dropDatabase, isolatedEnv } from '@mlops/testing';
import { CommandHandler } from './command-handler';
import { Decider, foldEvents } from './decider';
import { ConcurrencyError, conflict, DomainError } from './errors';
import { EventStore, storedEvents } from './event-store';
import { createKafka, ensureTopic } from './kafka';
import { OutboxRelay } from './outbox-relay';
import { SNAPSHOTS_COLLECTION } from './snapshot';

const env = isolatedEnv('store');
const metadata = { actor: 'tester', correlationId: 'corr-1', now: new Date('2026-01-01T00:00:00Z') };
const created = (name: string) => ({ type: 'ExperimentCreated', data: { name, description: '', owner: 'o', tags: [] } });
const updated = (name: string, description: string) => ({ type: 'ExperimentUpdated', data: { name, description } });

describe('event store on the real MongoDB-protocol server', () => {
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  let store: EventStore;

  beforeAll(async () => {
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
    store = await EventStore.create(mongo.db, lifecycleCatalog);
  });
  afterAll(async () => {
    await mongo.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('stores a command’s events together, in one commit document, with gap-free versions', async () => {
    const result = await store.append('experiment:a', 0, [created('a'), updated('a', 'x'), updated('a', 'y')], metadata);
    expect(result.version).toBe(3);
    const commits = await store.collection.find({ stream_id: 'experiment:a' }).toArray();
    expect(commits).toHaveLength(1);
    expect(storedEvents(commits[0]).map((e) => e.streamversion)).toEqual([1, 2, 3]);
    expect(commits[0].published).toBe(false);
    const stream = await store.readStream('experiment:a');
    expect(stream.version).toBe(3);
    expect(stream.events.map((e) => e.type)).toEqual(['ExperimentCreated', 'ExperimentUpdated', 'ExperimentUpdated']);
  });

  it('stores none of a losing command’s events (atomic append)', async () => {
    await store.append('experiment:b', 0, [created('b')], metadata);
    await store.append('experiment:b', 1, [updated('b', 'winner')], metadata);
    // A command decided at version 1, with two events, arrives after the winner: nothing of it lands.
    await expect(
      store.append('experiment:b', 1, [updated('b', 'loser-1'), updated('b', 'loser-2')], metadata),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    const stream = await store.readStream<{ type: string; data: { description?: string } }>('experiment:b');
    expect(stream.version).toBe(2);
    expect(stream.events.map((e) => e.data.description)).toEqual(['', 'winner']);
  });

  it('lets exactly one of many concurrent appends at the same version win', async () => {
    await store.append('experiment:c', 0, [created('c')], metadata);
    const attempts = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => store.append('experiment:c', 1, [updated('c', `attempt-${i}`)], metadata)),
    );
    const won = attempts.filter((a) => a.status === 'fulfilled');
    const lost = attempts.filter((a) => a.status === 'rejected') as PromiseRejectedResult[];
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    for (const loss of lost) expect(loss.reason).toBeInstanceOf(ConcurrencyError);
    expect((await store.readStream('experiment:c')).version).toBe(2);
  });

  it('inserts the commits of concurrent commands together, each one succeeding or failing on its own', async () => {
    const client = await driver.MongoClient.connect(env.MONGO_URL, { monitorCommands: true });
    const inserts: number[] = [];
    client.on('commandStarted', (event: driver.CommandStartedEvent) => {
      if (event.commandName === 'insert' && event.command.insert === 'events') inserts.push(event.command.documents.length);
    });
    try {
      const grouped = await EventStore.create(client.db(env.MONGO_DB), lifecycleCatalog);
      await grouped.append('experiment:g-race', 0, [created('g-race')], metadata);
      const fresh = Array.from({ length: 30 }, (_, i) => grouped.append(`experiment:g${i}`, 0, [created(`g${i}`)], metadata));
      const racing = Array.from({ length: 10 }, (_, i) => grouped.append('experiment:g-race', 1, [updated('g-race', `r${i}`)], metadata));
      const [freshOutcomes, racingOutcomes] = await Promise.all([Promise.allSettled(fresh), Promise.allSettled(racing)]);
      expect(freshOutcomes.map((o) => o.status)).toEqual(Array(30).fill('fulfilled'));
      for (const outcome of freshOutcomes) expect((outcome as PromiseFulfilledResult<{ commit?: { _id?: unknown } }>).value.commit?._id).toBeDefined();
      expect(racingOutcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const loss of racingOutcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')) expect(loss.reason).toBeInstanceOf(ConcurrencyError);
      // 41 commits went out in fewer insert commands than commits: the ones that waited went together.
      expect(inserts.reduce((a, b) => a + b, 0)).toBe(41);
      expect(inserts.length).toBeLessThan(41);
      for (let i = 0; i < 30; i++) expect((await store.readStream(`experiment:g${i}`)).version).toBe(1);
      expect((await store.readStream('experiment:g-race')).version).toBe(2);
    } finally {
      await client.close();
    }
  });

  it('rejects re-creating an existing stream and leaves it intact', async () => {
    await expect(store.append('experiment:a', 0, [created('a')], metadata)).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await store.readStream('experiment:a')).version).toBe(3);
  });
});

/** A small aggregate on the lifecycle catalog's experiment events: every update bumps a counter. */
type Described = { type: 'ExperimentCreated' | 'ExperimentUpdated'; data: { name: string; description: string; owner?: string; tags?: string[] } };
type DescriptionState = { exists: boolean; description: string; updates: number; history: string[] };
const describer: Decider<{ description: string }, Described, DescriptionState> = {
  decide: (command, state) =>
    state.exists
      ? [{ type: 'ExperimentUpdated', data: { name: 'long', description: command.description } }]
      : [{ type: 'ExperimentCreated', data: { name: 'long', description: command.description, owner: 'o', tags: [] } }],
  evolve: (state, event) => ({
    exists: true,
    description: event.data.description,
    updates: state.updates + (event.type === 'ExperimentUpdated' ? 1 : 0),
    // Keeps the last few only: a state that grew with the stream would defeat the snapshot.
    history: [...state.history, event.data.description].slice(-3),
  }),
  initialState: () => ({ exists: false, description: '', updates: 0, history: [] }),
  snapshot: { schema: 'describer.v1' },
};

describe('stream loads from snapshots on the real MongoDB-protocol server', () => {
  const SNAPSHOT_EVERY = 20;
  const env = isolatedEnv('snapshots');
  let connection: mongoose.Connection;
  let plain: Awaited<ReturnType<typeof connectMongo>>;
  /** Loads through the counted connection; the command handler writes through another one. */
  let store: EventStore;
  let producer: Producer;
  let relay: OutboxRelay;
  let handler: CommandHandler;
  let writer: EventStore;
  /** Documents the server returned to this connection's finds, per collection: counted on the wire. */
  const returned = new Map<string, number>();
  const documentsReturned = () => (returned.get('events') ?? 0) + (returned.get(SNAPSHOTS_COLLECTION) ?? 0);
  const requested = new Map<number, string>();
  /** Finds this connection sent, per collection. */
  const finds = new Map<string, number>();

  beforeAll(async () => {
    connection = await mongoose.createConnection(env.MONGO_URL, { dbName: env.MONGO_DB, monitorCommands: true }).asPromise();
    const client = connection.getClient();
    client.on('commandStarted', (event: driver.CommandStartedEvent) => {
      if (event.commandName === 'find') finds.set(String(event.command.find), (finds.get(String(event.command.find)) ?? 0) + 1);
      if (event.commandName === 'find') requested.set(event.requestId, String(event.command.find));
      if (event.commandName === 'getMore') requested.set(event.requestId, String(event.command.collection));
    });
    client.on('commandSucceeded', (event: driver.CommandSucceededEvent) => {
      const collection = requested.get(event.requestId);
      if (collection === undefined) return;
      requested.delete(event.requestId);
      const cursor = (event.reply as { cursor?: { firstBatch?: unknown[]; nextBatch?: unknown[] } }).cursor;
      const count = (cursor?.firstBatch ?? cursor?.nextBatch ?? []).length;
      returned.set(collection, (returned.get(collection) ?? 0) + count);
    });
    store = await EventStore.create(connection.db!, lifecycleCatalog, { snapshotEvery: SNAPSHOT_EVERY });
    plain = await connectMongo(env.MONGO_URL, env.MONGO_DB);
    writer = await EventStore.create(plain.db, lifecycleCatalog, { snapshotEvery: SNAPSHOT_EVERY });
    const settings = { brokers: env.KAFKA_BROKERS.split(','), clientId: 'snapshots-test', topicPrefix: env.KAFKA_TOPIC_PREFIX, partitions: 3, replicationFactor: -1 };
    const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const kafka = createKafka(settings, silent);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopic(admin, env.KAFKA_TOPIC_PREFIX + lifecycleCatalog.topic, settings);
    await admin.disconnect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    relay = new OutboxRelay(writer.collection, plain.db.collection('outbox_lease'), producer, { owner: 'snapshots-test', topicPrefix: env.KAFKA_TOPIC_PREFIX }, silent);
    handler = new CommandHandler(writer, relay);
  });
  afterAll(async () => {
    await relay.flush();
    await producer.disconnect();
    await plain.close();
    await connection.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('loads a 300-commit stream by reading at most N+1 documents, to the state of the whole stream', async () => {
    // 300 commits, loaded every SNAPSHOT_EVERY of them (commands load before every append: see below).
    const reads: number[] = [];
    let loaded = await store.aggregate('experiment:long', describer);
    for (let version = 0; version < 300; version++) {
      const [event] = describer.decide({ description: `d${version + 1}` }, version === 0 ? describer.initialState() : loaded.state);
      await writer.append('experiment:long', version, [event], metadata);
      if ((version + 1) % SNAPSHOT_EVERY === 0) {
        const before = documentsReturned();
        loaded = await store.aggregate('experiment:long', describer);
        reads.push(documentsReturned() - before);
        expect(loaded.documentsRead).toBe(reads[reads.length - 1]);
        expect(loaded.version).toBe(version + 1);
      } else {
        loaded = { ...loaded, state: describer.evolve(loaded.state, event) };
      }
    }
    // Each load read the 20 commits after the state this process last saw (its in-memory snapshot).
    expect(reads).toEqual(Array.from({ length: 300 / SNAPSHOT_EVERY }, () => SNAPSHOT_EVERY));
    // A process that has not seen the stream starts from the stored snapshot: at most N+1 documents.
    const cold = await EventStore.create(connection.db!, lifecycleCatalog, { snapshotEvery: SNAPSHOT_EVERY });
    const coldBefore = documentsReturned();
    const coldLoad = await cold.aggregate('experiment:long', describer);
    expect(documentsReturned() - coldBefore).toBe(1);
    expect(coldLoad.version).toBe(300);
    expect(coldLoad.state).toEqual(loaded.state);

    // Commands through the handler: each loads (from the snapshot) before its append.
    for (let i = 301; i <= 330; i++) {
      const outcome = await handler.handle(describer, 'experiment:long', { description: `d${i}` }, metadata);
      expect(outcome.version).toBe(i);
    }
    // The handler's own process reads no commit: it appended the last one itself.
    const hotBefore = documentsReturned();
    expect((await writer.aggregate('experiment:long', describer)).version).toBe(330);
    expect(documentsReturned() - hotBefore).toBe(0);
    // A process that last saw the stream 30 commits ago goes back to the stored snapshot (taken by the writer).
    const before = documentsReturned();
    loaded = await store.aggregate('experiment:long', describer);
    expect(documentsReturned() - before).toBeLessThanOrEqual(2 * SNAPSHOT_EVERY + 1);
    expect(loaded.version).toBe(330);
    const coldAgain = await EventStore.create(connection.db!, lifecycleCatalog, { snapshotEvery: SNAPSHOT_EVERY });
    const coldAgainBefore = documentsReturned();
    expect((await coldAgain.aggregate('experiment:long', describer)).version).toBe(330);
    expect(documentsReturned() - coldAgainBefore).toBeLessThanOrEqual(SNAPSHOT_EVERY + 1);

    const whole = await store.readStream<Described>('experiment:long');
    expect(whole.events).toHaveLength(330);
    expect(loaded.state).toEqual(foldEvents(describer, whole.events));
    expect(loaded.state).toMatchObject({ description: 'd330', updates: 329, history: ['d328', 'd329', 'd330'] });
    const snapshot = await connection.db!.collection(SNAPSHOTS_COLLECTION).findOne({ _id: 'experiment:long' as never });
    expect(snapshot).toMatchObject({ schema: 'describer.v1', version: expect.any(Number), state_json: expect.any(String) });
    expect(snapshot!.version).toBeGreaterThan(330 - SNAPSHOT_EVERY);
  });

  it('decides a command on a stream this process wrote last without reading the store, and reads it again once another process wrote', async () => {
    const own = new CommandHandler(store, relay);
    const stream = 'experiment:hot';
    await own.handle(describer, stream, { description: 'd1' }, metadata);
    const before = finds.get('events') ?? 0;
    for (let i = 2; i <= 11; i++) expect((await own.handle(describer, stream, { description: `d${i}` }, metadata)).version).toBe(i);
    expect((finds.get('events') ?? 0) - before).toBe(0);
    // Another process appends: the in-memory state is stale, its append loses, and a fresh load decides.
    await handler.handle(describer, stream, { description: 'elsewhere' }, metadata);
    const outcome = await own.handle(describer, stream, { description: 'd13' }, metadata);
    expect(outcome.version).toBe(13);
    expect((finds.get('events') ?? 0) - before).toBeGreaterThan(0);
    const whole = await store.readStream<Described>(stream);
    expect(whole.events.map((e) => e.data.description)).toEqual([...Array.from({ length: 11 }, (_, i) => `d${i + 1}`), 'elsewhere', 'd13']);
    expect((await store.aggregate(stream, describer)).state).toEqual(foldEvents(describer, whole.events));
    // An If-Match of the version another process reached is not refused on the stale state.
    await handler.handle(describer, stream, { description: 'elsewhere again' }, metadata);
    expect((await own.handle(describer, stream, { description: 'd15' }, metadata, { ifMatch: 14 })).version).toBe(15);
  });

  it('creates a stream without reading the store, and refuses to create it again from a process that has not seen it', async () => {
    type Created = { type: 'ExperimentCreated'; data: { name: string; description: string; owner: string; tags: string[] } };
    const creator: Decider<{ name: string }, Created, { exists: boolean }> = {
      decide: (command, state) => {
        if (state.exists) throw conflict(`${command.name} exists`);
        return [created(command.name) as Created];
      },
      evolve: () => ({ exists: true }),
      initialState: () => ({ exists: false }),
      snapshot: { schema: 'creator.v1' },
    };
    const stream = 'experiment:created-unread';
    const findsOf = () => (finds.get('events') ?? 0) + (finds.get(SNAPSHOTS_COLLECTION) ?? 0);
    const before = findsOf();
    expect((await new CommandHandler(store, relay).handle(creator, stream, { name: 'created-unread' }, metadata)).version).toBe(1);
    expect(findsOf() - before).toBe(0);
    // Another process, which has not seen the stream, takes it to be new too: its append at version 0 is refused, and a load decides.
    const unseen = await EventStore.create(connection.db!, lifecycleCatalog, { snapshotEvery: SNAPSHOT_EVERY });
    const again = new CommandHandler(unseen, relay).handle(creator, stream, { name: 'created-unread' }, metadata);
    await expect(again).rejects.toMatchObject({ kind: 'conflict' });
    expect(findsOf() - before).toBeGreaterThan(0);
    expect(await store.collection.countDocuments({ stream_id: stream })).toBe(1);
  });

  it('still answers 412 to all but one of racing If-Match commands, and 409 to a lost race without it', async () => {
    const { version } = await store.aggregate('experiment:long', describer);
    const withIfMatch = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => handler.handle(describer, 'experiment:long', { description: `race-${i}` }, metadata, { ifMatch: version })),
    );
    expect(withIfMatch.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = withIfMatch.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(9);
    for (const r of refused) expect((r.reason as DomainError).kind).toBe('precondition_failed');

    const withoutIfMatch = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => handler.handle(describer, 'experiment:long', { description: `free-${i}` }, metadata)),
    );
    const won = withoutIfMatch.filter((r) => r.status === 'fulfilled').length;
    const lost = withoutIfMatch.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toBeGreaterThanOrEqual(1);
    for (const r of lost) expect(r.reason).toBeInstanceOf(ConcurrencyError);
    const after = await store.aggregate('experiment:long', describer);
    expect(after.version).toBe(version + 1 + won);
    expect(after.state).toEqual(foldEvents(describer, (await store.readStream<Described>('experiment:long')).events));
  });

  it('ignores a snapshot taken under another schema tag, and never overwrites a newer snapshot', async () => {
    const other = { ...describer, snapshot: { schema: 'describer.v2' } };
    const loaded = await store.aggregate('experiment:long', other);
    const whole = await store.readStream<Described>('experiment:long');
    expect(loaded.documentsRead).toBe(1 + (await store.collection.countDocuments({ stream_id: 'experiment:long' })));
    expect(loaded.state).toEqual(foldEvents(describer, whole.events));
    // That full load wrote a v2 snapshot at the current version; an older one may not replace it.
    const snapshots = connection.db!.collection<{ _id: string; version: number; schema: string }>(SNAPSHOTS_COLLECTION);
    expect(await snapshots.findOne({ _id: 'experiment:long' })).toMatchObject({ schema: 'describer.v2', version: whole.version });
    const { SnapshotStore } = await import('./snapshot');
    const older = new SnapshotStore(snapshots as never);
    expect(await older.save('experiment:long', 'describer.v1', whole.version - 5, '{}')).toBe(false);
    expect(await older.save('experiment:long', 'describer.v1', whole.version, '{}')).toBe(false);
    expect(await snapshots.findOne({ _id: 'experiment:long' })).toMatchObject({ schema: 'describer.v2', version: whole.version });
  });
});
