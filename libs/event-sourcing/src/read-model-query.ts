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
  // A flat filter, not `$and`: FerretDB pushes only top-level field conditions down to SQL.
  const query = !page.after
    ? filter
    : '_id' in filter
      ? ({ $and: [filter, { _id: { $gt: page.after } }] } as mongo.Filter<Doc>)
      : ({ ...filter, _id: { $gt: page.after } } as mongo.Filter<Doc>);
  const docs = (await collection
    .find(query)
    .sort({ _id: 1 })
    .limit(page.limit + 1)
    .toArray()) as Doc[];
  const hasMore = docs.length > page.limit;
  const items = hasMore ? docs.slice(0, page.limit) : docs;
  return { docs: items, lastId: hasMore ? items[items.length - 1]._id : null };
}
