import { foldEvents } from '@mlops/event-sourcing';
import { UsageRecord } from '@mlops/events';
import fc from 'fast-check';
import { aggregateUsage, groupOfSample, nearestRank, planUsageRead, rollUp } from './usage-aggregates';
import { UsageCommand, usageDecider } from './usage.decider';

const record = (overrides: Partial<UsageRecord> = {}): UsageRecord => ({
  caller: 'chat-app',
  environment: 'staging',
  input_tokens: 10,
  output_tokens: 5,
  latency_ms: 100,
  cost: 0.5,
  outcome: 'success',
  timestamp: '2026-01-02T10:00:00.000Z',
  ...overrides,
});
const log = (records: UsageRecord[], status: UsageCommand['data']['version_status'] = 'approved'): UsageCommand => ({
  type: 'LogUsage',
  data: { template_id: 't', version: 2, batch_id: 'b', version_status: status, records, records_ref },
});
const records_ref = { sha256: 'a'.repeat(64), size_bytes: 400 };

describe('usage decider', () => {
  it('logs a batch with its totals', () => {
    const records = [record(), record({ outcome: 'error', input_tokens: 1, output_tokens: 2, cost: 0.25 })];
    expect(usageDecider.decide(log(records), usageDecider.initialState())).toEqual([
      {
        type: 'UsageLogged',
        data: { template_id: 't', version: 2, batch_id: 'b', records_ref, count: 2, error_count: 1, input_tokens: 11, output_tokens: 7, cost: 0.75, latency_ms_sum: 2 * record().latency_ms },
      },
    ]);
  });

  it('refuses production usage of a version that is not approved, and an unknown version', () => {
    for (const status of ['draft', 'pending_review', 'rejected', 'retired'] as const) {
      expect(() => usageDecider.decide(log([record(), record({ environment: 'production' })], status), usageDecider.initialState())).toThrow(
        expect.objectContaining({ kind: 'invalid_state' }),
      );
      expect(usageDecider.decide(log([record()], status), usageDecider.initialState())).toHaveLength(1);
    }
    expect(() => usageDecider.decide(log([record()], null), usageDecider.initialState())).toThrow(expect.objectContaining({ kind: 'not_found' }));
  });

  it('logs a batch once', () => {
    const state = foldEvents(usageDecider, usageDecider.decide(log([record()]), usageDecider.initialState()));
    expect(() => usageDecider.decide(log([record()]), state)).toThrow(expect.objectContaining({ kind: 'conflict' }));
  });
});

describe('usage aggregates', () => {
  it('takes nearest-rank percentiles', () => {
    expect(nearestRank([], 50)).toBeNull();
    expect(nearestRank([7], 95)).toBe(7);
    expect(nearestRank([1, 2, 3, 4], 50)).toBe(2);
    expect(nearestRank([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(nearestRank(Array.from({ length: 20 }, (_, i) => i + 1), 95)).toBe(19);
    expect(nearestRank(Array.from({ length: 21 }, (_, i) => i + 1), 95)).toBe(20);
  });

  it('totals overall and per day', () => {
    const sample = (day: string, latency_ms: number, outcome: 'success' | 'error' = 'success') => ({ day, latency_ms, outcome, input_tokens: 3, output_tokens: 1, cost: 0.1 });
    const result = aggregateUsage([sample('2026-01-02', 30), sample('2026-01-01', 10, 'error'), sample('2026-01-02', 20), sample('2026-01-02', 40, 'error')].map(groupOfSample));
    expect(result).toMatchObject({ count: 4, error_count: 2, error_rate: 0.5, latency_p50_ms: 20, latency_p95_ms: 40, input_tokens: 12, output_tokens: 4, total_tokens: 16 });
    expect(result.cost).toBeCloseTo(0.4);
    expect(result.per_day.map(({ day, count, error_rate, latency_p50_ms }) => ({ day, count, error_rate, latency_p50_ms }))).toEqual([
      { day: '2026-01-01', count: 1, error_rate: 1, latency_p50_ms: 10 },
      { day: '2026-01-02', count: 3, error_rate: 1 / 3, latency_p50_ms: 30 },
    ]);
    expect(aggregateUsage([])).toEqual({ count: 0, error_count: 0, error_rate: 0, latency_p50_ms: null, latency_p95_ms: null, input_tokens: 0, output_tokens: 0, total_tokens: 0, cost: 0, per_day: [] });
  });

  it('gives the same aggregates from a batch’s rollup groups as from its records, whatever the records', () => {
    const record = fc.record({
      day: fc.constantFrom('2026-01-01', '2026-01-02'),
      environment: fc.constantFrom('production', 'staging'),
      caller: fc.constantFrom('a', 'b', 'c'),
      outcome: fc.constantFrom('success' as const, 'error' as const),
      latency_ms: fc.integer({ min: 0, max: 5000 }),
      input_tokens: fc.integer({ min: 0, max: 100 }),
      output_tokens: fc.integer({ min: 0, max: 100 }),
      cost: fc.integer({ min: 0, max: 1000 }).map((c) => c / 8),
    });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 200 }), (records) => {
        const groups = rollUp(records);
        expect(groups.reduce((n, g) => n + g.count, 0)).toBe(records.length);
        for (const g of groups) expect(g.latencies).toEqual([...g.latencies].sort((a, b) => a - b));
        expect(aggregateUsage(groups)).toEqual(aggregateUsage(records.map(groupOfSample)));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same aggregates whatever order the store returns the groups in, costs of any precision included', () => {
    const group = fc.record({
      day: fc.constantFrom('2026-01-01', '2026-01-02'),
      outcome: fc.constantFrom('success' as const, 'error' as const),
      latency_ms: fc.integer({ min: 0, max: 5000 }),
      input_tokens: fc.integer({ min: 0, max: 100 }),
      output_tokens: fc.integer({ min: 0, max: 100 }),
      cost: fc.double({ min: 0, max: 10, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(group, { minLength: 1, maxLength: 100 }), fc.nat(), (samples, seed) => {
        const groups = samples.map(groupOfSample);
        const shuffled = groups.map((g, i) => ({ g, k: (i * 7919 + seed) % 10007 })).sort((a, b) => a.k - b.k).map(({ g }) => g);
        expect(aggregateUsage(shuffled)).toEqual(aggregateUsage(groups));
        expect(aggregateUsage([...groups].reverse())).toEqual(aggregateUsage(groups));
      }),
      { numRuns: 300 },
    );
  });

  it('reads whole UTC days from the rollups and only the partial edges of a window from the records', () => {
    expect(planUsageRead()).toEqual({ wholeDays: { from: undefined, to: undefined }, partial: [] });
    expect(planUsageRead('2026-03-01T06:00:00.000Z', '2026-03-03T18:00:00.000Z')).toEqual({
      wholeDays: { from: '2026-03-02', to: '2026-03-03' },
      partial: [
        { from: '2026-03-01T06:00:00.000Z', to: '2026-03-02T00:00:00.000Z' },
        { from: '2026-03-03T00:00:00.000Z', to: '2026-03-03T18:00:00.000Z' },
      ],
    });
    expect(planUsageRead('2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z')).toEqual({ wholeDays: { from: '2026-03-02', to: '2026-03-03' }, partial: [] });
    expect(planUsageRead('2026-03-02T00:00:00.000Z', '2026-03-02T12:00:00.000Z')).toEqual({
      wholeDays: null,
      partial: [{ from: '2026-03-02T00:00:00.000Z', to: '2026-03-02T12:00:00.000Z' }],
    });
    expect(planUsageRead('2026-03-02T10:00:00.000Z')).toEqual({ wholeDays: { from: '2026-03-03', to: undefined }, partial: [{ from: '2026-03-02T10:00:00.000Z', to: '2026-03-03T00:00:00.000Z' }] });
    expect(planUsageRead(undefined, '2026-03-02T10:00:00.000Z')).toEqual({ wholeDays: { from: undefined, to: '2026-03-02' }, partial: [{ from: '2026-03-02T00:00:00.000Z', to: '2026-03-02T10:00:00.000Z' }] });
    expect(planUsageRead('2026-03-02T10:00:00.000Z', '2026-03-02T09:00:00.000Z')).toEqual({ wholeDays: null, partial: [] });
  });
});
