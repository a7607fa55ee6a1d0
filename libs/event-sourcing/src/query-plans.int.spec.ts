import { mongo } from 'mongoose';
import { EventCatalog } from '@mlops/events';
import { expectedIds, explainShape, explainsPostgresPlans, infraEnv, pooled, QueryShape, readModelDoc, runShape, seed } from '@mlops/testing';
import { EventStore, EVENTS_COLLECTION } from './event-store';

// The event store's and the read models' query shapes must be served by PostgreSQL indexes on
// FerretDB (tools/README.md), with MongoDB's results. Elsewhere (real MongoDB) there is no plan to read.
const server = explainsPostgresPlans();
if (!server.yes) console.warn(`query-plan test skipped: ${server.why}`);
const describeOnPostgres = server.yes ? describe : describe.skip;

const STREAMS = 1000;
const COMMITS = 20_000;
const READ_MODEL = 'read_model';

/** Commit `i`: 20 per stream; a few with an array or another type where the queries look. */
function commit(i: number): mongo.Document {
  const stream = `experiment:s${String(i % STREAMS).padStart(4, '0')}`;
  const version = 1 + Math.floor(i / STREAMS);
  return {
    _id: new mongo.ObjectId(),
    stream_id: i % 983 === 7 ? [stream, 'experiment:other'] : stream,
    version: i % 997 === 11 ? [version, 100 + version] : i % 991 === 13 ? String(version) : version,
    last_version: version,
    topic: 'lifecycle',
    events: [],
    published: i % 977 === 17 ? [false] : i % 250 !== 0,
    committed_at: new Date(0),
  };
}

describeOnPostgres(`query plans of the event store and read-model pages (${server.why})`, () => {
  let client: mongo.MongoClient;
  let db: mongo.Db;
  const commits = Array.from({ length: COMMITS }, (_, i) => commit(i));
  const readModel = Array.from({ length: COMMITS }, (_, i) => readModelDoc(i, { owner: 'string', tags: 'tags', archived: 'boolean' }));

  beforeAll(async () => {
    client = await mongo.MongoClient.connect(infraEnv().MONGO_URL);
    db = client.db(`test_query_plans_${process.pid}`);
    await EventStore.create(db, new EventCatalog('lifecycle', 'test', []));
    await seed(db, EVENTS_COLLECTION, commits, []);
    await seed(db, READ_MODEL, readModel, [
      { collection: READ_MODEL, key: { owner: 1, _id: 1 }, name: 'owner_id' },
      { collection: READ_MODEL, key: { tags: 1, _id: 1 }, name: 'tags_id' },
      { collection: READ_MODEL, key: { archived: 1, _id: 1 }, name: 'archived_id' },
    ]);
  }, 300_000);

  afterAll(async () => {
    await db?.dropDatabase();
    await client?.close();
  });

  const someCommit = commits[4321];
  const stream = 'experiment:s0007'; // commit 7 has an array-valued stream_id
  const shapes: QueryShape[] = [
    { name: 'a commit by _id', collection: EVENTS_COLLECTION, filter: { _id: someCommit._id }, limit: 1 },
    // the outbox marks a sent batch published by its commits' _ids
    { name: 'commits by a list of _ids', collection: EVENTS_COLLECTION, filter: { _id: { $in: [someCommit._id, commits[7]._id, new mongo.ObjectId()] } } },
    { name: 'readStream', collection: EVENTS_COLLECTION, filter: { stream_id: stream }, sort: { version: 1 } },
    // commit 11 has version [1, 101], commit 1004 the version '2'
    { name: 'a stream after a version', collection: EVENTS_COLLECTION, filter: { stream_id: 'experiment:s0011', version: { $gt: 3 } }, sort: { version: 1 } },
    { name: 'the outbox scan', collection: EVENTS_COLLECTION, filter: { published: false }, sort: { stream_id: 1, version: 1 }, limit: 500 },
    {
      name: "a stream's unpublished commits up to a version",
      collection: EVENTS_COLLECTION,
      filter: { published: false, stream_id: 'experiment:s0000', version: { $lte: 15 } },
      sort: { version: 1 },
    },
    { name: 'a read model by _id', collection: READ_MODEL, filter: { _id: 'doc:004321' }, limit: 1 },
    // a projection batch reads its streams' documents, and waiting commands poll theirs, at once
    { name: 'read models by a list of _ids', collection: READ_MODEL, filter: { _id: { $in: ['doc:004321', 'doc:000007', 5, 'doc:999999'] } } },
    { name: 'first page', collection: READ_MODEL, filter: { _id: { $gte: '' } }, sort: { _id: 1 }, limit: 51 },
    { name: 'first page by owner', collection: READ_MODEL, filter: { owner: pooled('owner', 3), _id: { $gte: '' } }, sort: { _id: 1 }, limit: 51 },
    { name: 'next page by owner', collection: READ_MODEL, filter: { owner: pooled('owner', 3), _id: { $gt: 'doc:010003' } }, sort: { _id: 1 }, limit: 51 },
    { name: 'page by tag (an array field)', collection: READ_MODEL, filter: { tags: pooled('tags', 5), _id: { $gte: '' } }, sort: { _id: 1 }, limit: 51 },
    { name: 'page by a boolean', collection: READ_MODEL, filter: { archived: false, _id: { $gt: 'doc:001000' } }, sort: { _id: 1 }, limit: 51 },
    {
      name: 'page of an _id range ($and)',
      collection: READ_MODEL,
      filter: { $and: [{ _id: { $gt: 'doc:002', $lt: 'doc:003' } }, { _id: { $gte: '' } }], owner: pooled('owner', 1) },
      sort: { _id: 1 },
      limit: 51,
    },
  ];

  it.each(shapes)('$name is served by an index', async (shape) => {
    const { nodes } = await explainShape(db, shape);
    const types = nodes.map((n) => n['Node Type']);
    expect(types.filter((t) => /Index/.test(t))).not.toEqual([]);
    expect(types).not.toContain('Seq Scan');
  });

  it.each(shapes)('$name returns what MongoDB returns', async (shape) => {
    const docs = shape.collection === EVENTS_COLLECTION ? commits : readModel;
    const expected = expectedIds(docs, shape);
    expect(expected.length).toBeGreaterThan(0);
    expect((await runShape(db, shape)).map(String)).toEqual(expected.map(String));
  });

  it('pushes the limit of a page down, and not where arrays could reorder the sort', async () => {
    expect((await explainShape(db, shapes[9])).limitPushdown).toBe(true);
    expect((await explainShape(db, shapes[4])).limitPushdown).toBe(false);
  });
});
