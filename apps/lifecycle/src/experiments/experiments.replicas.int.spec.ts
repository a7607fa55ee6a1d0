import request from 'supertest';
import { Topics } from '@mlops/events';
import { connectMongo, ConsumedEvent, dropDatabase, eventually, isolatedEnv, readTopic, ServiceProcess, startServiceProcess } from '@mlops/testing';

const API = '/api/v1/ml/lifecycle/experiments';
const json = { 'content-type': 'application/json', 'x-actor': 'replica-test' };

/** Per stream, the versions in the order they first appear on the topic (later copies are duplicates). */
function firstOccurrences(events: ConsumedEvent[]): Map<string, number[]> {
  const seen = new Map<string, Set<number>>();
  const order = new Map<string, number[]>();
  for (const { key, event } of events) {
    const versions = seen.get(key) ?? new Set<number>();
    if (!versions.has(event.streamversion)) {
      versions.add(event.streamversion);
      order.set(key, [...(order.get(key) ?? []), event.streamversion]);
    }
    seen.set(key, versions);
  }
  return order;
}

describe('three lifecycle replicas on one database and topic', () => {
  // The outbox sweep polls once a minute here: after its first pass at start-up, every command
  // below reaches Kafka only through the replica that took it.
  const env = isolatedEnv('replicas', { OUTBOX_POLL_INTERVAL_MS: '60000' });
  const topic = env.KAFKA_TOPIC_PREFIX + Topics.lifecycle;
  const replicas: ServiceProcess[] = [];
  let mongo: Awaited<ReturnType<typeof connectMongo>>;

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) replicas.push(await startServiceProcess('lifecycle', env));
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await mongo?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('publishes every command from whichever replica took it, in stream order, and each replica reads its own writes', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `spread-${i}`);
    const replica = (i: number) => replicas[i % replicas.length].url;

    // Each stream's consecutive versions are written by different replicas, all streams at once.
    await Promise.all(
      names.map(async (name, n) => {
        const created = await request(replica(n)).post(API).set(json).send({ name, description: 'v1' });
        expect(created.status).toBe(201);
        for (let v = 2; v <= 7; v++) {
          const url = replica(n + v);
          const patched = await request(url).patch(`${API}/${name}`).set(json).send({ description: `v${v}` });
          // 200, not 202: the replica's own read model showed the change within the bound.
          expect(patched.status).toBe(200);
          expect(patched.body.version).toBe(v);
          const read = await request(url).get(`${API}/${name}`).expect(200);
          expect(read.body).toMatchObject({ version: v, description: `v${v}` });
        }
      }),
    );

    // One stream raced by all three replicas at once: the winners' versions follow each other.
    await request(replica(0)).post(API).set(json).send({ name: 'contended' }).expect(201);
    const raced = await Promise.all(
      Array.from({ length: 9 }, (_, i) => request(replica(i)).patch(`${API}/contended`).set(json).send({ description: `racer-${i}` })),
    );
    for (const response of raced) expect([200, 409]).toContain(response.status);
    const winners = raced.filter((response) => response.status === 200);
    expect(winners.length).toBeGreaterThanOrEqual(1);

    // No loss: every stored event reaches the topic; per stream the first copies come in order.
    const commits = await mongo.db.collection<{ stream_id: string; last_version: number }>('events').find().toArray();
    const expected = new Map<string, number>();
    for (const commit of commits) expected.set(commit.stream_id, Math.max(expected.get(commit.stream_id) ?? 0, commit.last_version));
    expect(expected.get('contended')).toBeUndefined();
    expect(expected.get('experiment:contended')).toBe(1 + winners.length);
    const events = await readTopic(env.KAFKA_BROKERS, topic, (all) => {
      const order = firstOccurrences(all);
      return [...expected].every(([stream, last]) => (order.get(stream)?.length ?? 0) >= last);
    });
    const order = firstOccurrences(events);
    expect(new Set(order.keys())).toEqual(new Set(expected.keys()));
    for (const [stream, last] of expected) expect(order.get(stream)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    // Each stream stays on one partition, so its order is the partition's order.
    for (const stream of expected.keys()) expect(new Set(events.filter((e) => e.key === stream).map((e) => e.partition)).size).toBe(1);
    await eventually(async () => expect(await mongo.db.collection('events').countDocuments({ published: false })).toBe(0));
  });
});
