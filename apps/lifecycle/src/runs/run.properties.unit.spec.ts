import fc from 'fast-check';
import { DomainError, replayCommands, snapshotDivergences } from '@mlops/event-sourcing';
import { lifecycleCatalog, MetricPoint } from '@mlops/events';
import { RunCommand, runDecider } from './run.decider';
import { runsProjection } from './runs.projection';

const RUN = '7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10';
const START = '2026-01-01T00:00:00.000Z';
const times = ['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z', '2026-01-02T00:00:00.000Z'];

const metricPoint = fc.record(
  {
    key: fc.constantFrom('loss', 'auc', 'val/f1'),
    value: fc.double({ noNaN: true, noDefaultInfinity: true }),
    step: fc.nat(4),
    timestamp: fc.constantFrom(...times),
  },
  { requiredKeys: ['key', 'value'] },
);
const param = fc.record({ key: fc.constantFrom('lr', 'depth', 'seed'), value: fc.constantFrom<string | number | boolean>(1, '1', true, 0.5) });
const params = fc.uniqueArray(param, { selector: (p) => p.key, maxLength: 3 });

const startRun: fc.Arbitrary<RunCommand> = fc.record({
  type: fc.constant('StartRun' as const),
  data: fc.record({
    run_id: fc.constant(RUN),
    experiment_name: fc.constant('churn'),
    experiment_status: fc.constantFrom<'active' | 'archived' | null>('active', 'active', 'archived', null),
    name: fc.constant('r'),
    params,
    tags: fc.constant([]),
    start_time: fc.constant(START),
  }),
});
const updateRun: fc.Arbitrary<RunCommand> = fc.record({
  type: fc.constant('UpdateRun' as const),
  data: fc.record(
    {
      run_id: fc.constant(RUN),
      now: fc.constantFrom(...times),
      metrics: fc.array(metricPoint, { minLength: 1, maxLength: 5 }),
      params,
      tags: fc.constantFrom(['a'], ['a', 'b'], []),
      status: fc.constantFrom('running' as const, 'completed' as const, 'failed' as const, 'killed' as const),
      end_time: fc.constantFrom(...times, '2025-01-01T00:00:00.000Z'),
    },
    { requiredKeys: ['run_id', 'now'] },
  ),
});
const commandSequence = fc.array(fc.oneof({ arbitrary: updateRun, weight: 5 }, { arbitrary: startRun, weight: 1 }), { maxLength: 25 });

/** Independent oracle: per key, the highest step, then the latest timestamp, then the last logged. */
function latestByBruteForce(points: MetricPoint[]): MetricPoint[] {
  const keys = [...new Set(points.map((p) => p.key))];
  return keys.map((key) =>
    points
      .filter((p) => p.key === key)
      .reduce((best, p) => (p.step > best.step || (p.step === best.step && p.timestamp >= best.timestamp) ? p : best)),
  );
}
const byKey = (points: MetricPoint[]) => [...points].sort((a, b) => a.key.localeCompare(b.key));

const target = { decider: runDecider, projection: runsProjection, catalog: lifecycleCatalog, subject: `run:${RUN}`, time: START };
const play = (commands: RunCommand[]) => replayCommands(target, commands);

describe('run rules hold for any command sequence', () => {
  it('status moves running → terminal once; no metrics after the end; params are write-once', () => {
    fc.assert(
      fc.property(commandSequence, (commands) => {
        const { log } = play(commands);
        const types = log.map((e) => e.type);
        expect(types.filter((t) => t === 'RunStarted').length).toBeLessThanOrEqual(1);
        if (log.length) expect(types[0]).toBe('RunStarted');
        expect(types.filter((t) => t === 'RunEnded').length).toBeLessThanOrEqual(1);
        const ended = types.indexOf('RunEnded');
        if (ended >= 0) expect(types.slice(ended + 1)).not.toContain('RunMetricsLogged');
        const paramKeys = log.flatMap((e) => (e.type === 'RunStarted' || e.type === 'RunParamsLogged' ? e.data.params.map((p) => p.key) : []));
        expect(new Set(paramKeys).size).toBe(paramKeys.length);
      }),
      { numRuns: 500 },
    );
  });

  it('a rejected command changes nothing; metrics and a new status after the end are always rejected', () => {
    fc.assert(
      fc.property(commandSequence, updateRun, (commands, next) => {
        const { state } = play(commands);
        if (!state.exists || state.status === 'running') return;
        const { metrics, status } = (next as Extract<RunCommand, { type: 'UpdateRun' }>).data;
        if (metrics?.length || status) expect(() => runDecider.decide(next, state)).toThrow(DomainError);
      }),
      { numRuns: 300 },
    );
  });

  it('the read model folded from the events agrees with the decider state and the brute-force latest metrics', () => {
    fc.assert(
      fc.property(commandSequence, (commands) => {
        const { state, doc, log } = play(commands);
        if (!state.exists) return expect(doc).toBeNull();
        expect(doc!.status).toBe(state.status);
        expect(doc!.end_time).toBe(state.end_time);
        expect(doc!.params).toEqual(state.params);
        expect(doc!.tags).toEqual(state.tags);
        expect(byKey(doc!.metrics)).toEqual(byKey(state.latest_metrics));
        const allPoints = log.flatMap((e) => (e.type === 'RunMetricsLogged' ? e.data.metrics : []));
        expect(byKey(state.latest_metrics)).toEqual(byKey(latestByBruteForce(allPoints)));
        // A param, once set, keeps its first value.
        const first = new Map<string, unknown>();
        for (const e of log) if (e.type === 'RunStarted' || e.type === 'RunParamsLogged') for (const p of e.data.params) if (!first.has(p.key)) first.set(p.key, p.value);
        for (const p of state.params) expect(p.value).toBe(first.get(p.key));
      }),
      { numRuns: 500 },
    );
  });
});

describe('snapshots of the run state', () => {
  it('fold to the same state as the whole stream, wherever the snapshot was taken', () => {
    fc.assert(
      fc.property(commandSequence, (sequence) => {
        const { log } = play(sequence);
        expect(snapshotDivergences(runDecider, log)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
