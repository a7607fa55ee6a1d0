import { mongo } from 'mongoose';
import { invalidInput } from './errors';

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

/** Keyset pagination on `_id`: stable under concurrent inserts, one query per page. */
export async function findPage<Doc extends { _id: string }>(
  collection: mongo.Collection<Doc>,
  filter: mongo.Filter<Doc>,
  page: PageRequest,
): Promise<{ docs: Doc[]; lastId: string | null }> {
  // `_id` always in a string range, even on the first page: with `_id` pinned to one type, FerretDB
  // over PostgreSQL pushes the sort and limit down too (tools/README.md); read-model ids are strings.
  const idRange = { _id: page.after ? { $gt: page.after } : { $gte: '' } };
  const query = ('_id' in filter ? { $and: [filter, idRange] } : { ...filter, ...idRange }) as mongo.Filter<Doc>;
  const docs = (await collection
    .find(query)
    .sort({ _id: 1 })
    .limit(page.limit + 1)
    .toArray()) as Doc[];
  const hasMore = docs.length > page.limit;
  const items = hasMore ? docs.slice(0, page.limit) : docs;
  return { docs: items, lastId: hasMore ? items[items.length - 1]._id : null };
}

/** One page of a list endpoint: the cursor decoded, the keyset page read, the next cursor encoded. */
export async function pageOf<Doc extends { _id: string }>(
  collection: mongo.Collection<Doc>,
  filter: mongo.Filter<Doc> | Record<string, unknown>,
  query: PageQuery,
): Promise<Page<Doc>> {
  const { docs, lastId } = await findPage(collection, filter as mongo.Filter<Doc>, { limit: query.limit, after: decodeCursor(query.cursor) });
  return { items: docs, next_cursor: lastId ? encodeCursor(lastId) : null };
}
