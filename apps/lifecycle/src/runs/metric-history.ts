import type { HistoryPoint } from './runs.projection';

/**
 * One page of a metric history stored in buckets. `buckets` yields, in ascending `first` order, the
 * buckets whose `last` is past the cursor; a bucket's points are read only while the points already
 * gathered could still be preceded by its own (every unread bucket starts at or after its `first`),
 * so in the usual case — steps logged in order — a page reads one or two buckets.
 * Returns the page in history order and, when more follow, the key of its last point.
 */
export async function pageOfHistory<Bucket extends { first: string }>(
  buckets: Iterable<Bucket> | AsyncIterable<Bucket>,
  pointsOf: (bucket: Bucket) => Promise<HistoryPoint[]>,
  after: string,
  limit: number,
): Promise<{ points: HistoryPoint[]; last: string | null }> {
  const gathered: HistoryPoint[] = [];
  for await (const bucket of buckets) {
    if (gathered.filter((point) => point.k < bucket.first).length > limit) break;
    gathered.push(...(await pointsOf(bucket)).filter((point) => point.k > after));
  }
  gathered.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const more = gathered.length > limit;
  const points = gathered.slice(0, limit);
  return { points, last: more ? points[points.length - 1].k : null };
}

/**
 * The decoded points of the buckets read lately, so the pages of one history read in turn decode
 * each bucket once. Keyed by bucket and point count: a bucket only grows, and replays refill it
 * identically, so its points at a given count never change.
 */
export class DecodedBuckets {
  private readonly entries = new Map<string, HistoryPoint[]>();

  constructor(private readonly capacity: number) {}

  get(id: string, count: number): HistoryPoint[] | undefined {
    const key = `${count}|${id}`;
    const points = this.entries.get(key);
    if (points) {
      // Most recently used last: Map keeps insertion order.
      this.entries.delete(key);
      this.entries.set(key, points);
    }
    return points;
  }

  set(id: string, count: number, points: HistoryPoint[]): void {
    this.entries.set(`${count}|${id}`, points);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
