import type { HistoryPoint } from './runs.projection';

/**
 * One page of a metric history stored in buckets. `buckets` yields, in ascending `first` order, the
 * buckets whose `last` is past the cursor; a bucket's points are read only while the points already
 * gathered could still be preceded by its own (every unread bucket starts at or after its `first`),
 * so in the usual case — steps logged in order — a page reads one or two buckets.
 * Returns the page in history order and, when more follow, the key of its last point.
 */
export async function pageOfHistory(
  buckets: AsyncIterable<{ _id: string; first: string }>,
  pointsOf: (bucketId: string) => Promise<HistoryPoint[]>,
  after: string,
  limit: number,
): Promise<{ points: HistoryPoint[]; last: string | null }> {
  const gathered: HistoryPoint[] = [];
  for await (const bucket of buckets) {
    if (gathered.filter((point) => point.k < bucket.first).length > limit) break;
    gathered.push(...(await pointsOf(bucket._id)).filter((point) => point.k > after));
  }
  gathered.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const more = gathered.length > limit;
  const points = gathered.slice(0, limit);
  return { points, last: more ? points[points.length - 1].k : null };
}
