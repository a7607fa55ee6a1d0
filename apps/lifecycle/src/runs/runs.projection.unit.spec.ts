import { lifecycleCatalog, MetricPoint } from '@mlops/events';
import { appendToJsonList } from '@mlops/event-sourcing';
import { ProjectionSpecification } from '@mlops/testing';
import { DecodedBuckets, pageOfHistory } from './metric-history';
import { advanceBuckets, BUCKET_POINTS, bucketPoints, historyKey, historyWrites, MetricBucketCursor, openBucketRange, runCountChange, runsProjection } from './runs.projection';

const T = '2026-01-01T00:00:00.000Z';
const points = (key: string, steps: number[]): MetricPoint[] => steps.map((step) => ({ key, value: step / 2, step, timestamp: T }));
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('metric history buckets', () => {
  it('orders history keys by step, then timestamp, then logging order', () => {
    const keys = [historyKey(10, T, 20_001), historyKey(2, '2026-01-02T00:00:00.000Z', 10_000), historyKey(2, T, 30_000), historyKey(2, T, 10_005)];
    expect([...keys].sort()).toEqual([keys[3], keys[2], keys[1], keys[0]]);
  });

  it('fills a key’s bucket up to BUCKET_POINTS, then opens the next; other keys keep their own', () => {
    let cursors: MetricBucketCursor[] = [];
    cursors = advanceBuckets(cursors, [...points('loss', range(0, 600)), ...points('acc', [0])], 2);
    cursors = advanceBuckets(cursors, points('loss', range(600, 400)), 3);
    expect(cursors.find((c) => c.key === 'loss')).toMatchObject({ bucket: 0, count: BUCKET_POINTS, first: historyKey(0, T, 20_000), last: historyKey(999, T, 30_399) });
    cursors = advanceBuckets(cursors, points('loss', [5]), 4);
    expect(cursors.find((c) => c.key === 'loss')).toEqual({
      key: 'loss',
      bucket: 1,
      count: 1,
      first: historyKey(5, T, 40_000),
      last: historyKey(5, T, 40_000),
      closed: { count: BUCKET_POINTS, first: historyKey(0, T, 20_000), last: historyKey(999, T, 30_399) },
    });
    expect(cursors.find((c) => c.key === 'acc')).toMatchObject({ bucket: 0, count: 1 });
  });

  it('appends an event’s points per key into the open bucket, as items that read back as points', () => {
    const metrics = [...points('loss', [3, 1]), ...points('acc', [7])];
    const run = { run_id: 'r', metric_buckets: advanceBuckets([], metrics, 5) };
    const { appends, ranges } = historyWrites(run, metrics, 5);
    expect(appends.map((a) => a._id)).toEqual(['r|loss|000000', 'r|acc|000000']);
    expect(appends[0]).toEqual({
      _id: 'r|loss|000000',
      items: [
        [3, 1.5, 50_000, T],
        [1, 0.5, 50_001],
      ],
      setOnInsert: { run_id: 'r', key: 'loss', bucket: 0 },
    });
    // Open buckets: their ranges are the run's cursors (openBucketRange), nothing written yet.
    expect(ranges).toEqual([]);
    expect(openBucketRange(run, 'loss')).toEqual({ _id: 'r|loss|000000', run_id: 'r', key: 'loss', bucket: 0, first: historyKey(1, T, 50_001), last: historyKey(3, T, 50_000), count: 2 });
    expect(bucketPoints({ items_json: appendToJsonList(undefined, appends[0].items) }).map((p) => [p.step, p.value, p.k])).toEqual([
      [3, 1.5, historyKey(3, T, 50_000)],
      [1, 0.5, historyKey(1, T, 50_001)],
    ]);
  });

  it('writes a bucket’s range once it is full: with the event that opens the next', () => {
    const filled = advanceBuckets([], points('loss', range(0, BUCKET_POINTS)), 1);
    const overflow = points('loss', [BUCKET_POINTS]);
    const run = { run_id: 'r', metric_buckets: advanceBuckets(filled, overflow, 2) };
    const { appends, ranges } = historyWrites(run, overflow, 2);
    expect(appends.map((a) => a._id)).toEqual(['r|loss|000001']);
    expect(ranges).toEqual([{ _id: 'r|loss|000000', run_id: 'r', key: 'loss', bucket: 0, count: BUCKET_POINTS, first: historyKey(0, T, 10_000), last: historyKey(999, T, 10_999) }]);
    // The next event into the same bucket writes no range.
    const next = points('loss', [BUCKET_POINTS + 1]);
    expect(historyWrites({ run_id: 'r', metric_buckets: advanceBuckets(run.metric_buckets, next, 3) }, next, 3).ranges).toEqual([]);
  });

  it('reads back exactly the doubles it stored, across appends', () => {
    const awkward = [0.1 + 0.2, 1 / 3, -1e-300, 5e-324, Number.MAX_VALUE, -Number.MIN_VALUE, 2 ** 53 + 2, 123456789.12345678];
    const first = historyWrites({ run_id: 'r', metric_buckets: advanceBuckets([], points('x', [0]), 1) }, awkward.slice(0, 3).map((value, step) => ({ key: 'x', value, step, timestamp: T })), 1);
    const second = historyWrites({ run_id: 'r', metric_buckets: advanceBuckets([], points('x', [0]), 2) }, awkward.slice(3).map((value, i) => ({ key: 'x', value, step: 3 + i, timestamp: T })), 2);
    const stored = appendToJsonList(appendToJsonList(undefined, first.appends[0].items), second.appends[0].items);
    expect(bucketPoints({ items_json: stored }).map((p) => p.value)).toEqual(awkward);
    expect(bucketPoints({ items_json: stored }).map((p) => p.step)).toEqual(awkward.map((_, i) => i));
  });

  it('keeps a timestamp once per run of equal ones in an event, and reads every point’s back', () => {
    const later = '2026-01-02T00:00:00.000Z';
    const logged = [T, T, later, later, T].map((timestamp, step) => ({ key: 'x', value: step, step, timestamp }));
    const first = historyWrites({ run_id: 'r', metric_buckets: advanceBuckets([], logged, 1) }, logged, 1);
    expect(first.appends[0].items.map((item) => (item as unknown[]).length)).toEqual([4, 3, 4, 3, 4]);
    const next = historyWrites({ run_id: 'r', metric_buckets: advanceBuckets([], logged, 2) }, [{ key: 'x', value: 9, step: 9, timestamp: later }], 2);
    const stored = appendToJsonList(appendToJsonList(undefined, first.appends[0].items), next.appends[0].items);
    expect(bucketPoints({ items_json: stored }).map((p) => p.timestamp)).toEqual([T, T, later, later, T, later]);
  });

  it('moves run counts: a start adds a running run, an end moves it to its status', () => {
    expect(runCountChange({ type: 'RunStarted' })).toEqual({ running: 1, total: 1 });
    expect(runCountChange({ type: 'RunEnded', data: { status: 'failed' } })).toEqual({ running: -1, failed: 1 });
  });
});

describe('a page of a bucketed history', () => {
  const p = (step: number, seq: number) => ({ step, value: step, timestamp: T, k: historyKey(step, T, seq) });
  // Overlapping buckets: logged 10..19, then 0..9 and a late 15.
  const buckets = [
    { _id: 'b0', points: range(10, 10).map((s, i) => p(s, 10_000 + i)) },
    { _id: 'b1', points: [...range(0, 10).map((s, i) => p(s, 20_000 + i)), p(15, 20_010)] },
  ];
  const read = async (after: string, limit: number) => {
    const fetched: string[] = [];
    const ranges = buckets
      .map((b) => ({ _id: b._id, first: b.points.map((x) => x.k).sort()[0], last: b.points.map((x) => x.k).sort().pop()! }))
      .filter((r) => r.last > after)
      .sort((a, b) => (a.first < b.first ? -1 : 1));
    async function* iterate() {
      yield* ranges;
    }
    const page = await pageOfHistory(iterate(), async ({ _id }) => (fetched.push(_id), buckets.find((b) => b._id === _id)!.points), after, limit);
    return { ...page, fetched };
  };

  it('merges overlapping buckets into history order, page by page, exactly once each', async () => {
    const seen: number[] = [];
    let after = '';
    for (;;) {
      const page = await read(after, 4);
      seen.push(...page.points.map((x) => x.step));
      if (!page.last) break;
      after = page.last;
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15, 16, 17, 18, 19]);
  });

  it('reads only the buckets that can hold the page', async () => {
    const first = await read('', 4);
    // b1 starts first; b0 starts at step 10, after the four points already gathered.
    expect(first.fetched).toEqual(['b1']);
    expect(first.points.map((x) => x.step)).toEqual([0, 1, 2, 3]);
    expect((await read(first.last!, 100)).last).toBeNull();
  });
});

describe('decoded buckets', () => {
  const points = (n: number) => Array.from({ length: n }, (_, step) => ({ step, value: step, timestamp: T, k: historyKey(step, T, step) }));

  it('answers a bucket only at the point count it was decoded at', () => {
    const decoded = new DecodedBuckets(4);
    decoded.set('b0', 2, points(2));
    expect(decoded.get('b0', 2)).toEqual(points(2));
    expect(decoded.get('b0', 3)).toBeUndefined();
  });

  it('keeps the most recently used buckets up to its capacity', () => {
    const decoded = new DecodedBuckets(2);
    decoded.set('b0', 1, points(1));
    decoded.set('b1', 1, points(1));
    decoded.get('b0', 1);
    decoded.set('b2', 1, points(1));
    expect([decoded.get('b0', 1), decoded.get('b1', 1), decoded.get('b2', 1)].map(Boolean)).toEqual([true, false, true]);
  });
});

describe('runs read model', () => {
  const RUN = '7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10';
  const spec = ProjectionSpecification.for(runsProjection, lifecycleCatalog);
  const started = { type: 'RunStarted', data: { run_id: RUN, experiment_name: 'churn', name: 'first', params: [{ key: 'lr', value: 0.1 }], tags: ['a'], start_time: T } };

  it('is a running run from its start, then keeps the latest point per key, params, and how it ended', async () => {
    await spec
      .givenStream(
        `run:${RUN}`,
        started,
        { type: 'RunMetricsLogged', data: { run_id: RUN, metrics: [...points('loss', [0, 1]), ...points('acc', [0])] } },
        { type: 'RunParamsLogged', data: { run_id: RUN, params: [{ key: 'seed', value: 1 }] } },
        { type: 'RunMetricsLogged', data: { run_id: RUN, metrics: points('loss', [2]) } },
        { event: { type: 'RunEnded', data: { run_id: RUN, status: 'completed', end_time: '2026-01-01T01:00:00.000Z' } }, by: 'bo' },
      )
      .thenMatches({
        version: 5,
        run_id: RUN,
        experiment_name: 'churn',
        status: 'completed',
        end_time: '2026-01-01T01:00:00.000Z',
        params: [
          { key: 'lr', value: 0.1 },
          { key: 'seed', value: 1 },
        ],
        created_by: 'ana',
        updated_by: 'bo',
      });
    const doc = (await spec.givenStream(`run:${RUN}`, started, { type: 'RunMetricsLogged', data: { run_id: RUN, metrics: points('loss', [0, 3, 1]) } }).documents()).get(`run:${RUN}`)!;
    expect(doc.metrics).toEqual([expect.objectContaining({ key: 'loss', step: 3, value: 1.5 })]);
  });

  it('counts a run in its experiment when it starts and when it ends, the same on replay', async () => {
    const writes = await spec.givenStream(`run:${RUN}`, started, { type: 'RunEnded', data: { run_id: RUN, status: 'failed', end_time: T } }).derived();
    expect(writes.map((w) => w.collection)).toEqual([writes[0].collection, writes[0].collection]);
    expect(writes.map((w) => (w as unknown as { tallies: { inc: Record<string, number> }[] }).tallies[0].inc)).toEqual([runCountChange({ type: 'RunStarted' }), runCountChange({ type: 'RunEnded', data: { status: 'failed' } })]);
  });
});
