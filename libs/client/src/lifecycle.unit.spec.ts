import { canPromote, DEPLOYMENT_MOVES, paramsDiff, type Run, sortRuns } from './lifecycle';

const run = (name: string, metrics: Record<string, number>, params: Record<string, string | number>): Run => ({
  run_id: name,
  experiment_name: 'e',
  name,
  status: 'completed',
  params: Object.entries(params).map(([key, value]) => ({ key, value })),
  tags: [],
  start_time: '2026-01-01T00:00:00Z',
  end_time: null,
  metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, step: 0, timestamp: '2026-01-01T00:00:00Z' })),
  version: 1,
  created_at: '',
  created_by: '',
  updated_at: '',
  updated_by: '',
});

describe('sortRuns', () => {
  const runs = [run('a', { auc: 0.7 }, { lr: '0.1', depth: 3 }), run('b', {}, { lr: '0.01', depth: 10 }), run('c', { auc: 0.9 }, { depth: 2 })];

  it('orders by a metric, either way, runs without it last', () => {
    expect(sortRuns(runs, { kind: 'metric', key: 'auc' }, 'desc').map((r) => r.name)).toEqual(['c', 'a', 'b']);
    expect(sortRuns(runs, { kind: 'metric', key: 'auc' }, 'asc').map((r) => r.name)).toEqual(['a', 'c', 'b']);
  });

  it('orders numeric params as numbers and string params naturally', () => {
    expect(sortRuns(runs, { kind: 'param', key: 'depth' }, 'asc').map((r) => r.name)).toEqual(['c', 'a', 'b']);
    expect(sortRuns(runs, { kind: 'param', key: 'lr' }, 'asc').map((r) => r.name)).toEqual(['b', 'a', 'c']);
  });
});

describe('paramsDiff', () => {
  it('keeps only params whose values differ, a missing one as null', () => {
    const runs = [run('a', {}, { lr: 0.1, seed: 1 }), run('b', {}, { lr: 0.2, seed: 1, extra: 'x' })];
    expect(paramsDiff(runs)).toEqual([
      { key: 'extra', values: [null, 'x'] },
      { key: 'lr', values: [0.1, 0.2] },
    ]);
  });
});

describe('deployment moves', () => {
  it('offers nothing from a final status and rollback only from active', () => {
    expect(DEPLOYMENT_MOVES.failed).toEqual([]);
    expect(DEPLOYMENT_MOVES.terminated).toEqual([]);
    const withRollback = Object.entries(DEPLOYMENT_MOVES).filter(([, moves]) => moves.includes('rollback')).map(([from]) => from);
    expect(withRollback).toEqual(['active']);
  });

  it('promotes only an active canary', () => {
    const config = (traffic_percent: number) => ({ replicas: 1, resources: {}, traffic_percent });
    expect(canPromote({ status: 'active', config: config(10) })).toBe(true);
    expect(canPromote({ status: 'active', config: config(100) })).toBe(false);
    expect(canPromote({ status: 'deploying', config: config(10) })).toBe(false);
  });
});
