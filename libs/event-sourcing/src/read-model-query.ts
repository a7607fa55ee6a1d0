import { mongo } from 'mongoose';

export interface PageRequest {
  limit: number;
  /** `_id` of the last item of the previous page. */
  after?: string;
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
