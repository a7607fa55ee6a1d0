import { lifecycleCatalog } from '@mlops/events';
import { connectMongo, dropDatabase, isolatedEnv } from '@mlops/testing';
import { ConcurrencyError } from './errors';
import { EventStore } from './event-store';

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
    expect(commits[0].events.map((e) => e.streamversion)).toEqual([1, 2, 3]);
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

  it('rejects re-creating an existing stream and leaves it intact', async () => {
    await expect(store.append('experiment:a', 0, [created('a')], metadata)).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await store.readStream('experiment:a')).version).toBe(3);
  });
});
