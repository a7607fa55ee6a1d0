import mongoose, { Connection, Model, Schema } from 'mongoose';
import { invalidInput } from './errors';
import { Projection, schemaOf } from './projection';

export interface PageRequest {
  limit: number;
  /** `_id` of the last item of the previous page. */
  after?: string;
}

/** What a list endpoint takes: a page size and the opaque cursor of the previous page. */
export interface PageQuery {
  limit: number;
  cursor?: string;
}

export interface Page<Item> {
  items: Item[];
  next_cursor: string | null;
}

/** Opaque list cursors: base64url of the last `_id` returned. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through
  }
  throw invalidInput('cursor is not valid', [{ field: 'cursor', message: 'use next_cursor from a previous page' }]);
}

/** A read-model collection's Model: documents read with `lean()` are plain objects (typed by the caller). */
export type ReadModelModel = Model<any>;

/** For a collection whose projection declares no schema yet: `_id` typed, every other field as stored. */
const undeclared = (collection: string) =>
  new Schema({ _id: { type: String, required: true } }, { collection, versionKey: false, id: false, autoIndex: false, autoCreate: false, strict: false });

/**
 * The mongoose Model of one of a projection's collections (its own or a derived one), on the
 * service's one connection (one client, one pool); compiled once per connection. Untyped on
 * purpose: reads are `lean` and typed by the read model's document interface (mongoose's
 * inferred document types over our document interfaces cost the compiler more than they check).
 */
export function readModelOf(connection: Connection, projection: Projection<any>, collection = projection.name): ReadModelModel {
  if (collection !== projection.name && !projection.derivedCollections?.includes(collection)) {
    throw new Error(`${projection.name} has no derived collection ${collection}`);
  }
  return connection.models[collection] ?? connection.model(collection, schemaOf(projection, collection) ?? undeclared(collection), collection);
}

/** A filter value the schema's type cannot hold (mongoose casts filters to it) is bad input, not a server error. */
function castAsInvalidInput(error: unknown): never {
  if (error instanceof mongoose.Error.CastError) {
    throw invalidInput(`${error.path} must be a ${error.kind}`, [{ field: error.path, message: `not a ${error.kind}` }]);
  }
  throw error;
}

/** Keyset pagination on `_id`: stable under concurrent inserts, one query per page (read plain, `lean`). */
export async function findPage<Doc extends { _id: string }>(
  model: ReadModelModel,
  filter: Record<string, unknown>,
  page: PageRequest,
): Promise<{ docs: Doc[]; lastId: string | null }> {
  // `_id` always in a string range, even on the first page: with `_id` pinned to one type, FerretDB
  // over PostgreSQL pushes the sort and limit down too (tools/README.md); read-model ids are strings.
  const idRange = { _id: page.after ? { $gt: page.after } : { $gte: '' } };
  const query = '_id' in filter ? { $and: [filter, idRange] } : { ...filter, ...idRange };
  const docs = (await model
    .find(query)
    .sort({ _id: 1 })
    .limit(page.limit + 1)
    .lean()
    .exec()
    .catch(castAsInvalidInput)) as Doc[];
  const hasMore = docs.length > page.limit;
  const items = hasMore ? docs.slice(0, page.limit) : docs;
  return { docs: items, lastId: hasMore ? items[items.length - 1]._id : null };
}

/** One page of a list endpoint: the cursor decoded, the keyset page read, the next cursor encoded. */
export async function pageOf<Doc extends { _id: string }>(
  model: ReadModelModel,
  filter: Record<string, unknown>,
  query: PageQuery,
): Promise<Page<Doc>> {
  const { docs, lastId } = await findPage<Doc>(model, filter, { limit: query.limit, after: decodeCursor(query.cursor) });
  return { items: docs, next_cursor: lastId ? encodeCursor(lastId) : null };
}
