import { Kafka } from 'kafkajs';
import { CloudEvent } from '@mlops/events';
import { connectMongo, dropDatabase, isolatedEnv } from '@mlops/testing';
import { AppendedDocument, appendedItems, Projection, PROJECTION_STATE_COLLECTION, ReadModelDocument } from './projection';
import { BatchMessage, ProjectionRunner, requestRebuild } from './projection-runner';

interface CounterDocument extends ReadModelDocument {
  total: number;
}

const event = (streamversion: number, values: number[], subject = 'counter:a'): CloudEvent => ({
  specversion: '1.0',
  id: `e${streamversion}`,
  source: '/test',
  type: 'mlops.test.counter.added.v1',
  subject,
  time: '2026-01-01T00:00:00.000Z',
  datacontenttype: 'application/json',
  data: { values },
  streamversion,
  actor: 't',
  correlationid: 'c',
});

/** A stream document with a running total, and one derived document per value added. */
const counters: Projection<CounterDocument> = {
  name: 'counters',
  topic: 'unused',
  streamType: 'counter',
  derivedCollections: ['counter_values'],
  evolve: (current, e) => ({ total: (current?.total ?? 0) + (e.data.values as number[]).reduce((a, b) => a + b, 0) }),
  derive: (e) => [
    {
      collection: 'counter_values',
      documents: (e.data.values as number[]).map((value, index) => ({ _id: `${e.subject}|${e.streamversion}|${index}`, value })),
    },
  ],
};

describe('projection runner: derived documents', () => {
  const env = isolatedEnv('derived');
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  let runner: ProjectionRunner<CounterDocument>;
  const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

  beforeAll(async () => {
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
    // apply() needs no broker; the client is never connected.
    runner = new ProjectionRunner(new Kafka({ brokers: ['127.0.0.1:1'] }), mongo.db, counters, { topicPrefix: '', groupPrefix: '' }, logger);
  });
  afterAll(async () => {
    await mongo.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('writes derived documents with the event, and never twice', async () => {
    expect(await runner.apply(event(1, [1, 2]))).toBe(true);
    expect(await runner.apply(event(2, [3]))).toBe(true);
    const values = runner.derivedReadModel<{ _id: string; value: number }>('counter_values');
    const before = await values.find().sort({ _id: 1 }).toArray();
    expect(before.map((d) => d.value)).toEqual([1, 2, 3]);
    expect(await runner.apply(event(1, [1, 2]))).toBe(false);
    expect(await values.find().sort({ _id: 1 }).toArray()).toEqual(before);
    expect(await runner.readModel.findOne({ _id: 'counter:a' })).toEqual({ _id: 'counter:a', version: 2, total: 6 });
  });

  it('redoes derived documents left behind by a crash before the stream document advanced', async () => {
    const values = runner.derivedReadModel<{ _id: string; value: number }>('counter_values');
    // As if a previous attempt wrote the derived documents of event 3 and died before the version moved.
    await values.insertOne({ _id: 'counter:a|3|0', value: 4 });
    expect(await runner.apply(event(3, [4, 5]))).toBe(true);
    expect((await values.find().sort({ _id: 1 }).toArray()).map((d) => d.value)).toEqual([1, 2, 3, 4, 5]);
    expect((await runner.readModel.findOne({ _id: 'counter:a' }))!.total).toBe(15);
  });

  it('inserts insert-only derived documents once, and redoes only the missing ones after a crash', async () => {
    const points = new ProjectionRunner(
      new Kafka({ brokers: ['127.0.0.1:1'] }),
      mongo.db,
      {
        ...counters,
        name: 'points',
        derivedCollections: ['point_values'],
        derive: (e) => [
          {
            collection: 'point_values',
            insertOnly: true,
            documents: (e.data.values as number[]).map((value, index) => ({ _id: `${e.subject}|${e.streamversion}|${index}`, value })),
          },
        ],
      },
      { topicPrefix: '', groupPrefix: '' },
      logger,
    );
    const values = points.derivedReadModel<{ _id: string; value: number }>('point_values');
    expect(await points.apply(event(1, [1, 2]))).toBe(true);
    // As if a previous attempt wrote the first point of event 2 and died before the version moved.
    await values.insertOne({ _id: 'counter:a|2|0', value: 3 });
    expect(await points.apply(event(2, [3, 4]))).toBe(true);
    expect(await points.apply(event(2, [3, 4]))).toBe(false);
    expect((await values.find().sort({ _id: 1 }).toArray()).map((d) => d.value)).toEqual([1, 2, 3, 4]);
    expect((await points.readModel.findOne({ _id: 'counter:a' }))!.total).toBe(10);
  });

  it('refuses derived writes to a collection the projection did not declare', async () => {
    const rogue = new ProjectionRunner(
      new Kafka({ brokers: ['127.0.0.1:1'] }),
      mongo.db,
      { ...counters, name: 'rogue', derivedCollections: [] },
      { topicPrefix: '', groupPrefix: '' },
      logger,
    );
    await expect(rogue.apply(event(1, [1]))).rejects.toThrow(/not one of its derivedCollections/);
    expect(await mongo.db.collection('rogue').countDocuments()).toBe(0);
  });

  it('drops the derived collections recorded for the projection on a rebuild', async () => {
    await mongo.db.collection(PROJECTION_STATE_COLLECTION).updateOne(
      { _id: 'counters' as never },
      { $set: { derived_collections: ['counter_values'] } },
      { upsert: true },
    );
    expect(await requestRebuild(mongo.db, 'counters')).toBe(1);
    expect(await mongo.db.collection('counters').countDocuments()).toBe(0);
    expect(await mongo.db.collection('counter_values').countDocuments()).toBe(0);
  });
});

/** Counters with every value appended to one bucket per stream, and a tally of values per parity. */
const tallied: Projection<CounterDocument> = {
  name: 'tallied',
  topic: 'unused',
  streamType: 'counter',
  derivedCollections: ['tallied_buckets', 'tallied_parity'],
  evolve: counters.evolve,
  derive: (e) => {
    const values = e.data.values as number[];
    return [
      { collection: 'tallied_buckets', appends: [{ _id: e.subject, items: values, setOnInsert: { stream: e.subject } }] },
      {
        collection: 'tallied_parity',
        tallies: [{ id: 'all', fields: { group: 'all' }, inc: { odd: values.filter((v) => v % 2).length, even: values.filter((v) => v % 2 === 0).length } }],
      },
    ];
  },
};

describe('projection runner: batches, guarded appends and tallies', () => {
  const env = isolatedEnv('batched');
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const runnerOf = <Doc extends ReadModelDocument>(projection: Projection<Doc>) =>
    new ProjectionRunner(new Kafka({ brokers: ['127.0.0.1:1'] }), mongo.db, projection, { topicPrefix: '', groupPrefix: '' }, logger);
  let offset = 0;
  const messages = (...events: CloudEvent[]): BatchMessage[] => events.map((e) => ({ event: e, offset: String(offset++) }));

  beforeAll(async () => {
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
  });
  afterAll(async () => {
    await mongo.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('folds each stream of a batch in memory, skips duplicates and leaves a gap to the per-event path', async () => {
    const runner = runnerOf({ ...counters, name: 'batched', derivedCollections: ['batched_values'], derive: (e) => [{ collection: 'batched_values', documents: (e.data.values as number[]).map((value, i) => ({ _id: `${e.subject}|${e.streamversion}|${i}`, value })) }] });
    expect(await runner.apply(event(1, [1], 'counter:b'))).toBe(true);
    const outcomes = await runner.applyBatch(
      messages(event(1, [1], 'counter:a'), event(1, [1], 'counter:b'), event(2, [2], 'counter:a'), event(2, [5], 'counter:b'), event(4, [9], 'counter:c'), event(3, [3], 'counter:a')),
      0,
    );
    expect(outcomes).toEqual(['applied', 'skipped', 'applied', 'applied', 'pending', 'applied']);
    const docs = await runner.readModel.find().sort({ _id: 1 }).toArray();
    expect(docs).toEqual([
      { _id: 'counter:a', version: 3, total: 6 },
      { _id: 'counter:b', version: 2, total: 6 },
    ]);
    expect(await mongo.db.collection('batched_values').countDocuments()).toBe(5);
    // The same batch again changes nothing.
    offset -= 6;
    expect(await runner.applyBatch(messages(event(1, [1], 'counter:a'), event(2, [2], 'counter:a')), 0)).toEqual(['skipped', 'skipped']);
    expect(await runner.readModel.find().sort({ _id: 1 }).toArray()).toEqual(docs);
  });

  it('leaves pending the streams another replica advanced between the read and the write', async () => {
    let raced = false;
    const runner = runnerOf<CounterDocument>({
      ...counters,
      name: 'raced',
      derivedCollections: [],
      derive: async (e) => {
        // Another replica applies versions 2 and 3 of counter:a while this batch is being folded.
        if (!raced && e.subject === 'counter:a' && e.streamversion === 2) {
          raced = true;
          await mongo.db.collection('raced').replaceOne({ _id: 'counter:a' as never, version: 1 }, { version: 3, total: 6 });
        }
        return [];
      },
    });
    await runner.applyBatch(messages(event(1, [1], 'counter:a'), event(1, [1], 'counter:b')), 0);
    const waiting = runner.waitFor('counter:b', 2, 5_000);
    const outcomes = await runner.applyBatch(messages(event(2, [2], 'counter:a'), event(2, [2], 'counter:b')), 0);
    expect(outcomes).toEqual(['pending', 'applied']);
    expect(await waiting).toEqual({ _id: 'counter:b', version: 2, total: 3 });
    // The per-event path then finds the event applied already.
    expect(await runner.apply(event(2, [2], 'counter:a'))).toBe(false);
  });

  it('reads back neither the stream documents nor the appended documents it wrote last, and lets the store decide when another replica moved them on', async () => {
    const reads: string[] = [];
    const countingDb = new Proxy(mongo.db, {
      get: (db, name) =>
        name === 'collection'
          ? (collection: string) => {
              const target = mongo.db.collection(collection);
              return new Proxy(target, {
                get: (t, method) => {
                  const value = Reflect.get(t, method, t);
                  if (method !== 'find' && method !== 'findOne') return typeof value === 'function' ? value.bind(t) : value;
                  return (...args: unknown[]) => (reads.push(collection), (value as (...a: unknown[]) => unknown).apply(t, args));
                },
              });
            }
          : Reflect.get(db, name, db),
    });
    const cached = { ...tallied, name: 'cached' };
    // Partition 7: its own tally document, apart from the other tests' counts.
    const runner = new ProjectionRunner(new Kafka({ brokers: ['127.0.0.1:1'] }), countingDb, cached, { topicPrefix: '', groupPrefix: '' }, logger);
    expect(await runner.applyBatch(messages(event(1, [1], 'counter:k')), 7)).toEqual(['applied']);
    reads.length = 0;
    expect(await runner.applyBatch(messages(event(2, [2], 'counter:k'), event(3, [3], 'counter:k')), 7)).toEqual(['applied', 'applied']);
    expect(reads.filter((collection) => collection !== 'tallied_parity')).toEqual([]);
    expect(await runner.readModel.findOne({ _id: 'counter:k' })).toEqual({ _id: 'counter:k', version: 3, total: 6 });

    // Another replica (the partition moved and came back) applied versions 4 and 5 with other values.
    await runnerOf(cached).applyBatch(messages(event(4, [40], 'counter:k'), event(5, [50], 'counter:k')), 7);
    expect(await runner.applyBatch(messages(event(4, [4], 'counter:k')), 7)).toEqual(['pending']);
    expect(await runner.apply(event(4, [4], 'counter:k'))).toBe(false);
    expect(await runner.readModel.findOne({ _id: 'counter:k' })).toEqual({ _id: 'counter:k', version: 5, total: 96 });
    expect(await runner.applyBatch(messages(event(6, [6], 'counter:k')), 7)).toEqual(['applied']);
    expect(await runner.readModel.findOne({ _id: 'counter:k' })).toEqual({ _id: 'counter:k', version: 6, total: 102 });
    expect(await mongo.db.collection<AppendedDocument>('tallied_buckets').findOne({ _id: 'counter:k' })).toMatchObject({ items_json: '[1,2,3,40,50,6]', appended_version: 6 });
  });

  it('appends once per stream version, redoing only what a crash left out, and counts each Kafka offset once', async () => {
    const runner = runnerOf(tallied);
    const buckets = mongo.db.collection<AppendedDocument>('tallied_buckets');
    const parity = mongo.db.collection<{ _id: string; odd: number; even: number; offset: string }>('tallied_parity');
    const batch = messages(event(1, [1, 2], 'counter:a'), event(1, [3], 'counter:b'), event(2, [4, 6], 'counter:a'));
    expect(await runner.applyBatch(batch, 0)).toEqual(['applied', 'applied', 'applied']);
    expect(await buckets.findOne({ _id: 'counter:a' })).toMatchObject({ stream: 'counter:a', items_json: '[1,2,4,6]', count: 4, appended_version: 2 });
    expect(appendedItems(await buckets.findOne({ _id: 'counter:b' }) as AppendedDocument)).toEqual([3]);
    expect(await parity.findOne({ _id: 'all|p0' })).toMatchObject({ group: 'all', partition: 0, odd: 2, even: 3, offset: batch[2].offset });

    // Redelivered (same offsets), and re-sent at new offsets: the stream versions and offsets keep them out.
    expect(await runner.applyBatch(batch, 0)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(await runner.applyBatch(messages(event(2, [4, 6], 'counter:a')), 0)).toEqual(['skipped']);

    // A crash after the derived writes of version 3, before its stream document advanced: redone once.
    const crashed = messages(event(3, [7], 'counter:a'))[0];
    await buckets.updateOne({ _id: 'counter:a' }, { $set: { items_json: '[1,2,4,6,7]', appended_version: 3, count: 5 } });
    await parity.updateOne({ _id: 'all|p0' }, { $inc: { odd: 1 }, $set: { offset: crashed.offset } });
    expect(await runner.apply(crashed.event, { partition: 0, offset: crashed.offset, generation: -1 })).toBe(true);
    expect(await buckets.findOne({ _id: 'counter:a' })).toMatchObject({ items_json: '[1,2,4,6,7]', count: 5 });
    expect(await parity.findOne({ _id: 'all|p0' })).toMatchObject({ odd: 3, even: 3 });
    expect(await runner.readModel.findOne({ _id: 'counter:a' })).toEqual({ _id: 'counter:a', version: 3, total: 20 });

    // Another partition counts into its own document; readers sum them.
    expect(await runner.applyBatch([{ event: event(1, [8], 'counter:z'), offset: '0' }], 1)).toEqual(['applied']);
    expect(await parity.findOne({ _id: 'all|p1' })).toMatchObject({ odd: 0, even: 1, offset: '0' });
    await expect(runner.apply(event(2, [1], 'counter:z'))).rejects.toThrow(/Kafka offset/);
  });

  it('re-reads a document another replica appended to since it last wrote or read it, and appends each version once', async () => {
    const other = runnerOf(tallied);
    let raced = false;
    // Right before the batch's write of the buckets, another replica applies versions 2 to 4.
    const bind = <T extends object>(target: T, override: (name: PropertyKey) => unknown) =>
      new Proxy(target, {
        get: (t, name) => {
          const value = override(name) ?? Reflect.get(t, name, t);
          return typeof value === 'function' ? value.bind(t) : value;
        },
      });
    const racedDb = bind(mongo.db, (name) =>
      name === 'collection'
        ? (collection: string) => {
            const target = mongo.db.collection(collection);
            if (collection !== 'tallied_buckets') return target;
            return bind(target, (method) =>
              method === 'bulkWrite'
                ? async (...args: Parameters<typeof target.bulkWrite>) => {
                    if (!raced) {
                      raced = true;
                      await other.applyBatch(messages(event(2, [20], 'counter:r'), event(3, [30], 'counter:r'), event(4, [40], 'counter:r')), 0);
                    }
                    return target.bulkWrite(...args);
                  }
                : undefined,
            );
          }
        : undefined,
    );
    const runner = new ProjectionRunner(new Kafka({ brokers: ['127.0.0.1:1'] }), racedDb, tallied, { topicPrefix: '', groupPrefix: '' }, logger);
    raced = true;
    await runner.applyBatch(messages(event(1, [10], 'counter:r')), 0);
    raced = false;
    const outcomes = await runner.applyBatch(messages(event(2, [20], 'counter:r'), event(3, [30], 'counter:r')), 0);
    expect(raced).toBe(true);
    // Its write, guarded by the version it last wrote, would have lost version 4; re-read, it has nothing left to append.
    const bucket = await mongo.db.collection<AppendedDocument>('tallied_buckets').findOne({ _id: 'counter:r' });
    expect(bucket).toMatchObject({ items_json: '[10,20,30,40]', count: 4, appended_version: 4 });
    // The stream document moved on under it too: both events go the per-event way, which finds them applied.
    expect(outcomes).toEqual(['pending', 'pending']);
    expect(await runner.apply(event(3, [30], 'counter:r'))).toBe(false);
    expect(await runner.readModel.findOne({ _id: 'counter:r' })).toEqual({ _id: 'counter:r', version: 4, total: 100 });
  });

  it('starts afresh the documents a previous generation left in the dropped collections', async () => {
    const runner = runnerOf({ ...tallied, name: 'regenerated' });
    const buckets = mongo.db.collection('tallied_buckets');
    const parity = mongo.db.collection('tallied_parity');
    await buckets.deleteMany({});
    await parity.deleteMany({});
    // As if the old generation wrote after the drop: a bucket and a tally far ahead.
    await buckets.insertOne({ _id: 'counter:n' as never, items_json: '[99]', count: 1, appended_version: 5, generation: -2 });
    await parity.insertOne({ _id: 'all|p0' as never, group: 'all', partition: 0, offset: '900', generation: -2, odd: 1, even: 0 });
    expect(await runner.applyBatch([{ event: event(1, [2], 'counter:n'), offset: '10' }], 0)).toEqual(['applied']);
    expect(await buckets.findOne({ _id: 'counter:n' as never })).toEqual({ _id: 'counter:n', stream: 'counter:n', items_json: '[2]', count: 1, appended_version: 1, generation: -1 });
    expect(await parity.findOne({ _id: 'all|p0' as never })).toMatchObject({ offset: '10', generation: -1, odd: 0, even: 1 });
  });
});
