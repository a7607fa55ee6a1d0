import { spawnSync } from 'node:child_process';
import { mongo } from 'mongoose';
import { infraEnv } from './infra';

/**
 * Query-plan checks for FerretDB over PostgreSQL: seed a collection, run the wire-protocol
 * `explain` of each query shape, require the PostgreSQL plan to use an index and no sequential
 * scan, and require the results to equal a MongoDB-semantics evaluation of the seeded documents.
 */

export interface QueryShape {
  /** What the service does with it, for the test name. */
  name: string;
  collection: string;
  filter: mongo.Document;
  sort?: Record<string, 1 | -1>;
  limit?: number;
}

export interface IndexSpec {
  collection: string;
  key: Record<string, 1 | -1>;
  name: string;
  unique?: boolean;
}

/**
 * Whether MONGO_URL is FerretDB over PostgreSQL, whose `explain` carries the PostgreSQL plan.
 * Synchronous (a child process), so a suite can choose `describe` or `describe.skip` up front.
 */
export function explainsPostgresPlans(): { yes: boolean; why: string } {
  const script = `
    const { MongoClient } = require('mongodb');
    (async () => {
      const client = await MongoClient.connect(process.env.MONGO_URL, { serverSelectionTimeoutMS: 5000 });
      const db = client.db('query_plan_probe');
      try {
        const info = await db.command({ buildInfo: 1 });
        await db.collection('probe').insertOne({ probe: 1 });
        const e = await db.command({ explain: { find: 'probe', filter: { probe: 1 } }, verbosity: 'queryPlanner' });
        const pg = Boolean(info.ferretdbVersion) && Boolean(e.queryPlanner && e.queryPlanner.Plan && e.queryPlanner.Plan['Node Type']);
        process.stdout.write(JSON.stringify({ pg, version: info.ferretdbVersion || info.version }));
      } finally {
        await db.dropDatabase().catch(() => undefined);
        await client.close();
      }
    })().catch((e) => { process.stdout.write(JSON.stringify({ error: String(e) })); });
  `;
  const out = spawnSync(process.execPath, ['-e', script], {
    env: { ...process.env, MONGO_URL: infraEnv().MONGO_URL },
    encoding: 'utf8',
    cwd: __dirname,
    timeout: 30_000,
  });
  let res: { pg?: boolean; version?: string; error?: string } = {};
  try {
    res = JSON.parse(out.stdout);
  } catch {
    res = { error: out.stderr || 'no output' };
  }
  if (res.error) throw new Error(`query-plan probe of ${infraEnv().MONGO_URL} failed: ${res.error}`);
  return res.pg
    ? { yes: true, why: `FerretDB ${res.version} over PostgreSQL` }
    : { yes: false, why: `${infraEnv().MONGO_URL} is not FerretDB over PostgreSQL (${res.version}): its explain has no PostgreSQL plan` };
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** Every node of a PostgreSQL plan (EXPLAIN FORMAT JSON). */
export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)];
}

export async function explainShape(db: mongo.Db, shape: QueryShape): Promise<{ nodes: PlanNode[]; limitPushdown: boolean }> {
  const find: mongo.Document = { find: shape.collection, filter: shape.filter };
  if (shape.sort) find.sort = shape.sort;
  if (shape.limit) find.limit = shape.limit;
  const res = await db.command({ explain: find, verbosity: 'queryPlanner' });
  return { nodes: planNodes(res.queryPlanner.Plan as PlanNode), limitPushdown: Boolean(res.limitPushdown) };
}

export async function runShape(db: mongo.Db, shape: QueryShape): Promise<unknown[]> {
  const docs = await db
    .collection(shape.collection)
    .find(shape.filter, { projection: { _id: 1 } })
    .sort(shape.sort ?? {})
    .limit(shape.limit ?? 0)
    .toArray();
  return docs.map((d) => d._id);
}

export async function seed(db: mongo.Db, collection: string, docs: mongo.Document[], indexes: IndexSpec[]): Promise<void> {
  const coll = db.collection(collection);
  for (const index of indexes.filter((i) => i.collection === collection)) {
    await coll.createIndex(index.key, { name: index.name, ...(index.unique ? { unique: true } : {}) });
  }
  for (let i = 0; i < docs.length; i += 1000) await coll.insertMany(docs.slice(i, i + 1000), { ordered: false });
  // FerretDB's compact is VACUUM ANALYZE: planner statistics now, not whenever autovacuum comes by.
  await db.command({ compact: collection });
}

// --- MongoDB semantics, the reference the results are compared with ------------------------

/** MongoDB's order of type brackets, for the types the seeds use. */
function bracketRank(v: unknown): number {
  if (v === undefined || v === null) return 1;
  if (typeof v === 'number') return 2;
  if (typeof v === 'string') return 3;
  if (Array.isArray(v)) return 5;
  if (v instanceof mongo.ObjectId) return 7;
  if (typeof v === 'object') return 4;
  if (typeof v === 'boolean') return 8;
  throw new Error(`no MongoDB bracket in these seeds for ${String(v)}`);
}

function compareScalars(a: unknown, b: unknown): number {
  const ra = bracketRank(a);
  const rb = bracketRank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1) return 0;
  if (ra === 3) return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string));
  if (ra === 7) return Buffer.compare((a as mongo.ObjectId).id, (b as mongo.ObjectId).id);
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

const comparisons: Record<string, (c: number) => boolean> = {
  $eq: (c) => c === 0,
  $gt: (c) => c > 0,
  $gte: (c) => c >= 0,
  $lt: (c) => c < 0,
  $lte: (c) => c <= 0,
};

/** A scalar `op arg`: equality across numbers, ranges within the argument's type bracket. */
function scalarMatches(value: unknown, op: string, arg: unknown): boolean {
  if (op !== '$eq' && bracketRank(value) !== bracketRank(arg)) return false;
  return comparisons[op](compareScalars(value, arg));
}

function fieldMatches(value: unknown, op: string, arg: unknown): boolean {
  // an array matches when one of its elements does
  if (Array.isArray(value)) return value.some((e) => !Array.isArray(e) && scalarMatches(e, op, arg));
  return value !== undefined && scalarMatches(value, op, arg);
}

/** Whether a document matches a filter of top-level fields, `$eq`/`$gt`/`$gte`/`$lt`/`$lte`/`$in` and `$and`. */
export function matches(doc: mongo.Document, filter: mongo.Document): boolean {
  return Object.entries(filter).every(([key, cond]) => {
    if (key === '$and') return (cond as mongo.Document[]).every((f) => matches(doc, f));
    if (key.startsWith('$')) throw new Error(`no reference for ${key}`);
    const ops = cond !== null && typeof cond === 'object' && !Array.isArray(cond) && Object.keys(cond).every((k) => k.startsWith('$'));
    const entries = ops ? Object.entries(cond as mongo.Document) : [['$eq', cond]];
    return entries.every(([op, arg]) => {
      if (op === '$in') return (arg as unknown[]).some((value) => fieldMatches(doc[key], '$eq', value));
      if (!comparisons[op]) throw new Error(`no reference for ${op}`);
      return fieldMatches(doc[key], op, arg);
    });
  });
}

/** MongoDB's sort key of a value: an array sorts by its least (ascending) or greatest element. */
function sortKey(value: unknown, dir: 1 | -1): unknown {
  if (!Array.isArray(value)) return value;
  if (value.length === 0) return undefined;
  return [...value].sort((a, b) => compareScalars(a, b) * dir)[0];
}

/** The `_id`s a MongoDB server returns for the shape over these documents. */
export function expectedIds(docs: mongo.Document[], shape: QueryShape): unknown[] {
  const sort = Object.entries(shape.sort ?? {});
  const found = docs.filter((d) => matches(d, shape.filter));
  found.sort((a, b) => {
    for (const [field, dir] of sort) {
      const c = compareScalars(sortKey(a[field], dir), sortKey(b[field], dir)) * dir;
      if (c !== 0) return c;
    }
    return 0;
  });
  const ids = found.map((d) => d._id);
  return shape.limit ? ids.slice(0, shape.limit) : ids;
}

// --- seeds --------------------------------------------------------------------------------

/**
 * A read-model-like document `i`: string fields from small pools, with now and then a value of
 * another type, an array holding the pooled value, or no value, so that an SQL translation that
 * under-selects (arrays, mixed types) would be caught. `_id`s are strings, a few numbers.
 */
export function readModelDoc(i: number, fields: Record<string, 'string' | 'tags' | 'number' | 'boolean'>): mongo.Document {
  const doc: mongo.Document = { _id: i % 997 === 5 ? i : `doc:${String(i).padStart(6, '0')}`, version: 1 + (i % 9) };
  for (const [field, kind] of Object.entries(fields)) {
    const pooled = kind === 'number' ? i % 50 : kind === 'boolean' ? i % 10 !== 0 : `${field}-${i % 20}`;
    if (kind === 'tags') doc[field] = [`${field}-${i % 20}`, `${field}-${(i + 7) % 20}`];
    else if (i % 89 === 3) doc[field] = [pooled, 'other'];
    else if (i % 97 === 4) doc[field] = kind === 'number' ? String(pooled) : i;
    else if (i % 101 === 6) continue;
    else doc[field] = pooled;
  }
  return doc;
}

/** The pooled value of a field, as readModelDoc writes it (for filters that match many documents). */
export function pooled(field: string, n: number): string {
  return `${field}-${n % 20}`;
}

// --- a suite per service --------------------------------------------------------------------

export interface SeededCollection {
  name: string;
  /** The fields its queries filter on, as readModelDoc writes them. */
  fields: Record<string, 'string' | 'tags' | 'number' | 'boolean'>;
}

/** Whether an index declared for the shape's collection leads with a field the filter constrains. */
export function declaredIndexServes(shape: QueryShape, indexes: IndexSpec[]): boolean {
  const fields = new Set(Object.keys(shape.filter).flatMap((k) => (k === '$and' ? (shape.filter.$and as mongo.Document[]).flatMap(Object.keys) : [k])));
  if (fields.has('_id')) return true; // the _id index
  return indexes.some((i) => i.collection === shape.collection && fields.has(Object.keys(i.key)[0]));
}

/**
 * Seeds 20,000 documents per collection with the declared indexes, then checks every shape: an
 * index, no sequential scan, MongoDB's results. Shapes no declared index serves are listed as todo.
 */
export function describeQueryPlans(title: string, collections: SeededCollection[], indexes: IndexSpec[], shapes: QueryShape[]): void {
  const server = explainsPostgresPlans();
  if (!server.yes) console.warn(`query-plan test skipped: ${server.why}`);
  (server.yes ? describe : describe.skip)(`${title} (${server.why})`, () => {
    let client: mongo.MongoClient;
    let db: mongo.Db;
    const docs = new Map(collections.map((c) => [c.name, Array.from({ length: 20_000 }, (_, i) => readModelDoc(i, c.fields))]));

    beforeAll(async () => {
      client = await mongo.MongoClient.connect(infraEnv().MONGO_URL);
      db = client.db(`test_query_plans_${process.pid}_${Date.now()}`);
      for (const c of collections) await seed(db, c.name, docs.get(c.name)!, indexes);
    }, 600_000);

    afterAll(async () => {
      await db?.dropDatabase();
      await client?.close();
    });

    const served = shapes.filter((s) => declaredIndexServes(s, indexes));
    for (const s of shapes.filter((s) => !served.includes(s))) it.todo(`${s.name}: no declared index serves it`);

    if (served.length > 0) {
      it.each(served)('$name is served by an index', async (shape) => {
        const types = (await explainShape(db, shape)).nodes.map((n) => n['Node Type']);
        expect(types.filter((t) => /Index/.test(t))).not.toEqual([]);
        expect(types).not.toContain('Seq Scan');
      });
    }

    it.each(shapes)('$name returns what MongoDB returns', async (shape) => {
      const expected = expectedIds(docs.get(shape.collection)!, shape);
      expect(expected.length).toBeGreaterThan(0);
      const found = (await runShape(db, shape)).map(String);
      // Without a sort the server's order is unspecified (MongoDB's too): compare the sets then.
      const inOrder = (ids: string[]) => (shape.sort ? ids : [...ids].sort());
      expect(inOrder(found)).toEqual(inOrder(expected.map(String)));
    });
  });
}

/** findPage's query for a filter: the first page (`after` unset) or the one after `after`. */
export function pageShape(name: string, collection: string, filter: mongo.Document, after?: string): QueryShape {
  const idRange = { _id: after ? { $gt: after } : { $gte: '' } };
  return { name, collection, filter: '_id' in filter ? { $and: [filter, idRange] } : { ...filter, ...idRange }, sort: { _id: 1 }, limit: 51 };
}
