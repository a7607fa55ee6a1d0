import { DomainError, foldEvents } from '@mlops/event-sourcing';
import { RunEvent } from '@mlops/events';
import { mergeLatestMetrics, RunCommand, runDecider } from './run.decider';

const RUN = '7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10';
const NOW = '2026-01-02T00:00:00.000Z';

const started: RunEvent = {
  type: 'RunStarted',
  data: {
    run_id: RUN,
    experiment_name: 'churn',
    name: 'baseline',
    params: [{ key: 'lr', value: 0.01 }],
    tags: ['a'],
    start_time: '2026-01-01T00:00:00.000Z',
  },
};
const completed: RunEvent = { type: 'RunEnded', data: { run_id: RUN, status: 'completed', end_time: NOW } };

/** given these past events, when this command, then these events (or this error). */
function given(...past: RunEvent[]) {
  const state = foldEvents(runDecider, past);
  return { when: (command: RunCommand) => () => runDecider.decide(command, state) };
}

const start = (experiment_status: 'active' | 'archived' | null): RunCommand => ({
  type: 'StartRun',
  data: { ...(started.data as Extract<RunEvent, { type: 'RunStarted' }>['data']), experiment_status },
});
const update = (data: Omit<Extract<RunCommand, { type: 'UpdateRun' }>['data'], 'run_id' | 'now'>): RunCommand => ({
  type: 'UpdateRun',
  data: { run_id: RUN, now: NOW, ...data },
});

describe('run decider', () => {
  it('starts a run in an active experiment', () => {
    expect(given().when(start('active'))()).toEqual([started]);
  });

  it('refuses a run in an unknown experiment (not found) or an archived one (invalid state)', () => {
    expect(given().when(start(null))).toThrow(expect.objectContaining({ kind: 'not_found' }));
    expect(given().when(start('archived'))).toThrow(expect.objectContaining({ kind: 'invalid_state' }));
  });

  it('refuses to start the same run twice', () => {
    expect(given(started).when(start('active'))).toThrow(/already exists/);
  });

  it('refuses to update an unknown run', () => {
    expect(given().when(update({ tags: ['x'] }))).toThrow(expect.objectContaining({ kind: 'not_found' }));
  });

  it('logs a metric batch, defaulting step to 0 and timestamp to the command time', () => {
    expect(given(started).when(update({ metrics: [{ key: 'loss', value: 0.5 }, { key: 'loss', value: 0.4, step: 1, timestamp: '2026-01-01T01:00:00.000Z' }] }))()).toEqual([
      {
        type: 'RunMetricsLogged',
        data: {
          run_id: RUN,
          metrics: [
            { key: 'loss', value: 0.5, step: 0, timestamp: NOW },
            { key: 'loss', value: 0.4, step: 1, timestamp: '2026-01-01T01:00:00.000Z' },
          ],
        },
      },
    ]);
  });

  it('logs only new params; the same value again emits nothing', () => {
    expect(given(started).when(update({ params: [{ key: 'lr', value: 0.01 }, { key: 'depth', value: 6 }] }))()).toEqual([
      { type: 'RunParamsLogged', data: { run_id: RUN, params: [{ key: 'depth', value: 6 }] } },
    ]);
    expect(given(started).when(update({ params: [{ key: 'lr', value: 0.01 }] }))()).toEqual([]);
  });

  it('refuses to change a param, naming the keys (conflict), and writes nothing else', () => {
    const attempt = given(started).when(update({ params: [{ key: 'lr', value: '0.01' }], tags: ['b'] }));
    expect(attempt).toThrow(DomainError);
    expect(attempt).toThrow(expect.objectContaining({ kind: 'conflict', message: expect.stringContaining('lr') }));
  });

  it('ends a running run, with the given end_time or the command time', () => {
    expect(given(started).when(update({ status: 'completed' }))()).toEqual([completed]);
    expect(given(started).when(update({ status: 'killed', end_time: '2026-01-01T05:00:00.000Z' }))()).toEqual([
      { type: 'RunEnded', data: { run_id: RUN, status: 'killed', end_time: '2026-01-01T05:00:00.000Z' } },
    ]);
  });

  it('logs metrics, params and tags before ending, in one command', () => {
    expect(given(started).when(update({ metrics: [{ key: 'auc', value: 0.9 }], params: [{ key: 'seed', value: 1 }], tags: ['a', 'b'], status: 'failed' }))()
      .map((e) => e.type)).toEqual(['RunParamsLogged', 'RunTagsSet', 'RunMetricsLogged', 'RunEnded']);
  });

  it.each(['running', 'completed', 'failed', 'killed'] as const)('refuses %s after the run ended (invalid state)', (status) => {
    expect(given(started, completed).when(update({ status }))).toThrow(expect.objectContaining({ kind: 'invalid_state' }));
  });

  it('treats running → running as no change', () => {
    expect(given(started).when(update({ status: 'running' }))()).toEqual([]);
  });

  it('refuses metrics after the run ended, but still takes params and tags', () => {
    expect(given(started, completed).when(update({ metrics: [{ key: 'loss', value: 1 }] }))).toThrow(/no metrics after it ended/);
    expect(given(started, completed).when(update({ tags: ['late'] }))()).toEqual([{ type: 'RunTagsSet', data: { run_id: RUN, tags: ['late'] } }]);
  });

  it('refuses an end_time without an ending status, or before the start', () => {
    expect(given(started).when(update({ end_time: NOW }))).toThrow(expect.objectContaining({ kind: 'invalid_input' }));
    expect(given(started).when(update({ status: 'completed', end_time: '2025-12-31T00:00:00.000Z' }))).toThrow(/before the run started/);
  });

  it('keeps the latest point per key: highest step, ties broken by the latest timestamp', () => {
    const at = (key: string, value: number, step: number, timestamp: string) => ({ key, value, step, timestamp });
    expect(
      mergeLatestMetrics(
        [at('loss', 1, 5, '2026-01-01T00:00:00.000Z')],
        [at('loss', 2, 4, '2026-01-09T00:00:00.000Z'), at('loss', 3, 5, '2026-01-02T00:00:00.000Z'), at('auc', 0.5, 0, NOW), at('loss', 4, 5, '2026-01-01T12:00:00.000Z')],
      ),
    ).toEqual([at('loss', 3, 5, '2026-01-02T00:00:00.000Z'), at('auc', 0.5, 0, NOW)]);
  });

  it('folds events into state', () => {
    const logged: RunEvent = { type: 'RunMetricsLogged', data: { run_id: RUN, metrics: [{ key: 'auc', value: 0.7, step: 2, timestamp: NOW }] } };
    expect(foldEvents(runDecider, [started, logged, completed])).toEqual({
      exists: true,
      run_id: RUN,
      experiment_name: 'churn',
      name: 'baseline',
      status: 'completed',
      params: [{ key: 'lr', value: 0.01 }],
      tags: ['a'],
      tag_values: [],
      deleted: false,
      start_time: '2026-01-01T00:00:00.000Z',
      end_time: NOW,
      latest_metrics: [{ key: 'auc', value: 0.7, step: 2, timestamp: NOW }],
    });
  });

  it('sets key/value tags as the run starts and later, only those that change, last value per key', () => {
    const tagged: RunEvent = { type: 'RunTagValuesSet', data: { run_id: RUN, tags: [{ key: 'mlflow.user', value: 'ana' }] } };
    const startTagged: RunCommand = { type: 'StartRun', data: { ...(start('active').data as any), tag_values: [{ key: 'mlflow.user', value: 'ana' }] } };
    expect(given().when(startTagged)()).toEqual([started, tagged]);
    expect(
      given(started, tagged).when(update({ tag_values: [{ key: 'mlflow.user', value: 'ana' }, { key: 'team', value: 'a' }, { key: 'team', value: 'b' }] }))(),
    ).toEqual([{ type: 'RunTagValuesSet', data: { run_id: RUN, tags: [{ key: 'team', value: 'b' }] } }]);
    expect(given(started, tagged).when(update({ tag_values: [{ key: 'mlflow.user', value: 'ana' }] }))()).toEqual([]);
  });

  it('deletes a tag it has; refuses one it has not', () => {
    const tagged: RunEvent = { type: 'RunTagValuesSet', data: { run_id: RUN, tags: [{ key: 'team', value: 'a' }] } };
    expect(given(started, tagged).when({ type: 'DeleteRunTag', data: { run_id: RUN, key: 'team' } })()).toEqual([
      { type: 'RunTagValueDeleted', data: { run_id: RUN, key: 'team' } },
    ]);
    expect(given(started).when({ type: 'DeleteRunTag', data: { run_id: RUN, key: 'team' } })).toThrow(/no tag team/);
  });

  it('renames a run only when the name changes', () => {
    expect(given(started).when(update({ name: 'tuned' }))()).toEqual([{ type: 'RunRenamed', data: { run_id: RUN, name: 'tuned' } }]);
    expect(given(started).when(update({ name: 'baseline' }))()).toEqual([]);
  });

  it('deletes and restores a run; a deleted run refuses writes until restored', () => {
    const deleted: RunEvent = { type: 'RunDeleted', data: { run_id: RUN } };
    expect(given(started).when({ type: 'DeleteRun', data: { run_id: RUN } })()).toEqual([deleted]);
    expect(given(started, deleted).when({ type: 'DeleteRun', data: { run_id: RUN } })()).toEqual([]);
    expect(given(started, deleted).when(update({ params: [{ key: 'x', value: '1' }] }))).toThrow(/is deleted/);
    expect(given(started, deleted).when({ type: 'RestoreRun', data: { run_id: RUN } })()).toEqual([{ type: 'RunRestored', data: { run_id: RUN } }]);
    expect(given().when({ type: 'DeleteRun', data: { run_id: RUN } })).toThrow(/does not exist/);
  });
});
