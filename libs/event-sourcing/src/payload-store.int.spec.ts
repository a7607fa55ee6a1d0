import { createHash } from 'node:crypto';
import { connectMongo, dropDatabase, isolatedEnv } from '@mlops/testing';
import { PAYLOAD_CHUNKS_COLLECTION, PayloadCorruptedError, PayloadNotFoundError, PayloadStore } from './payload-store';

const env = isolatedEnv('payloads');

describe('payload store on the real MongoDB-protocol server', () => {
  let mongo: Awaited<ReturnType<typeof connectMongo>>;

  beforeAll(async () => {
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
  });
  afterAll(async () => {
    await mongo.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('addresses a payload by the sha256 of its JSON and gives it back unchanged', async () => {
    const store = new PayloadStore(mongo.db);
    const value = { cases: [{ id: 'c1', input: 'héllo 🌍', expected: 1 }], note: null };
    const ref = await store.put(value);
    const json = JSON.stringify(value);
    expect(ref).toEqual({ sha256: createHash('sha256').update(json).digest('hex'), size_bytes: Buffer.byteLength(json) });
    expect(await store.get(ref.sha256)).toEqual(value);
  });

  it('stores the same content once', async () => {
    const store = new PayloadStore(mongo.db);
    const first = await store.put({ same: [1, 2, 3] });
    const second = await store.put({ same: [1, 2, 3] });
    expect(second).toEqual(first);
    expect(await mongo.db.collection(PAYLOAD_CHUNKS_COLLECTION).countDocuments({ sha256: first.sha256 })).toBe(1);
  });

  it('splits a payload larger than a chunk and reassembles it, multi-byte characters across boundaries included', async () => {
    const store = new PayloadStore(mongo.db, 1000);
    const value = Array.from({ length: 2000 }, (_, i) => ({ id: `case-${i}`, text: 'ü€𝄞'.repeat(i % 7) }));
    const ref = await store.put(value);
    expect(await mongo.db.collection(PAYLOAD_CHUNKS_COLLECTION).countDocuments({ sha256: ref.sha256 })).toBe(Math.ceil(ref.size_bytes / 1000));
    expect(await store.get(ref.sha256)).toEqual(value);
  });

  it('refuses a missing payload and one whose bytes no longer match the hash', async () => {
    const store = new PayloadStore(mongo.db);
    await expect(store.get('0'.repeat(64))).rejects.toBeInstanceOf(PayloadNotFoundError);
    const ref = await store.put({ tampered: false });
    await mongo.db
      .collection(PAYLOAD_CHUNKS_COLLECTION)
      .updateOne({ _id: `${ref.sha256}:0` as never }, { $set: { data: Buffer.from(JSON.stringify({ tampered: true })) } });
    await expect(store.get(ref.sha256)).rejects.toBeInstanceOf(PayloadCorruptedError);
  });
});
