/**
 * Milliseconds per query of the store's query shapes over 20,000 commit documents and 20,000
 * read-model documents, on the MongoDB-protocol server at MONGO_URL: compare a stock FerretDB
 * with the patched one (tools/README.md). `node -r @swc-node/register bench/ferretdb-pushdown.ts`
 * with MONGO_URL set; BENCH_REPEAT (default 20) queries per shape, after 3 warm-up runs.
 */
import { mongo } from 'mongoose';
import { performance } from 'node:perf_hooks';

const N = 20_000;
const REPEAT = Number(process.env.BENCH_REPEAT ?? 20);

async function main(): Promise<void> {
  const url = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/';
  const client = await mongo.MongoClient.connect(url);
  const db = client.db(`bench_pushdown_${process.pid}`);
  try {
    const commits = db.collection('events');
    await commits.createIndex({ stream_id: 1, version: 1 }, { unique: true, name: 'stream_version_unique' });
    await commits.createIndex({ published: 1, stream_id: 1, version: 1 }, { name: 'outbox' });
    const models = db.collection<{ _id: string }>('runs');
    await models.createIndex({ experiment_name: 1, _id: 1 }, { name: 'experiment_name_id' });
    const payload = { data: { params: Array.from({ length: 10 }, (_, k) => ({ key: `p${k}`, value: 'x'.repeat(40) })) } };
    for (let i = 0; i < N; i += 1000) {
      const chunk = Array.from({ length: 1000 }, (_, j) => i + j);
      await commits.insertMany(chunk.map((k) => ({ stream_id: `run:r${k % 2000}`, version: 1 + Math.floor(k / 2000), published: k % 1000 !== 0, events: [payload] })));
      await models.insertMany(chunk.map((k) => ({ _id: `run:r${String(k).padStart(6, '0')}`, experiment_name: `exp${k % 10}`, version: 1, ...payload })));
    }
    await db.command({ compact: 'events' });
    await db.command({ compact: 'runs' });

    const shapes: [string, () => Promise<unknown>][] = [
      ['findOne({_id}) of a read model', () => models.findOne({ _id: 'run:r012345' })],
      ['stream read: find({stream_id}).sort({version})', () => commits.find({ stream_id: 'run:r1234' }).sort({ version: 1 }).toArray()],
      ['find({stream_id, version: {$gt}}).sort({version})', () => commits.find({ stream_id: 'run:r1234', version: { $gt: 5 } }).sort({ version: 1 }).toArray()],
      ['outbox: find({published: false}).sort({stream_id, version}).limit(500)', () => commits.find({ published: false }).sort({ stream_id: 1, version: 1 }).limit(500).toArray()],
      ['first page: find({experiment_name, _id: {$gte: ""}}).sort({_id}).limit(51)', () => models.find({ experiment_name: 'exp3', _id: { $gte: '' } }).sort({ _id: 1 }).limit(51).toArray()],
      ['next page: find({experiment_name, _id: {$gt}}).sort({_id}).limit(51)', () => models.find({ experiment_name: 'exp3', _id: { $gt: 'run:r010003' } }).sort({ _id: 1 }).limit(51).toArray()],
    ];
    const info = await db.command({ buildInfo: 1 });
    console.log(`${url} (${info.ferretdbVersion ? `FerretDB ${info.ferretdbVersion}` : `MongoDB ${info.version}`}), ${N} documents each, mean of ${REPEAT}`);
    for (const [name, run] of shapes) {
      for (let k = 0; k < 3; k++) await run();
      const start = performance.now();
      for (let k = 0; k < REPEAT; k++) await run();
      console.log(`${((performance.now() - start) / REPEAT).toFixed(1).padStart(8)} ms  ${name}`);
    }
  } finally {
    await db.dropDatabase();
    await client.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
