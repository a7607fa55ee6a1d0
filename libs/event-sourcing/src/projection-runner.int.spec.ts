import { Kafka } from 'kafkajs';
import { CloudEvent } from '@mlops/events';
import { connectMongo, dropDatabase, isolatedEnv } from '@mlops/testing';
import { Projection, PROJECTION_STATE_COLLECTION, ReadModelDocument } from './projection';
import { ProjectionRunner, requestRebuild } from './projection-runner';

interface CounterDocument extends ReadModelDocument {
  total: number;
}

const event = (streamversion: number, values: number[]): CloudEvent => ({
  specversion: '1.0',
  id: `e${streamversion}`,
  source: '/test',
  type: 'mlops.test.counter.added.v1',
  subject: 'counter:a',
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
