import { DomainError, foldEvents } from '@mlops/event-sourcing';
import { RunEvent } from '@mlops/events';
import { mergeLatestMetrics, RunCommand, runDecider } from './run.decider';
import { DeciderSpecification } from '@mlops/testing';

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

const { given } = DeciderSpecification.for(runDecider);

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
    given().when(start('active')).then([started]);
  });

  it('refuses a run in an unknown experiment (not found) or an archived one (invalid state)', () => {
    given().when(start(null)).thenThrows('not_found');
    given().when(start('archived')).thenThrows('invalid_state');
  });

  it('refuses to start the same run twice', () => {
    given(started).when(start('active')).thenThrows(/already exists/);
  });

  it('refuses to update an unknown run', () => {
    given().when(update({ tags: ['x'] })).thenThrows('not_found');
  });

  it('logs a metric batch, defaulting step to 0 and timestamp to the command time', () => {
    given(started).when(update({ metrics: [{ key: 'loss', value: 0.5 }, { key: 'loss', value: 0.4, step: 1, timestamp: '2026-01-01T01:00:00.000Z' }] })).then([
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
    given(started).when(update({ params: [{ key: 'lr', value: 0.01 }, { key: 'depth', value: 6 }] })).then([
      { type: 'RunParamsLogged', data: { run_id: RUN, params: [{ key: 'depth', value: 6 }] } },
    ]);
    given(started).when(update({ params: [{ key: 'lr', value: 0.01 }] })).thenNothing();
  });

  it('refuses to change a param, naming the keys (conflict), and writes nothing else', () => {
    const attempt = () => given(started).when(update({ params: [{ key: 'lr', value: '0.01' }], tags: ['b'] })).events();
    expect(attempt).toThrow(DomainError);
    expect(attempt).toThrow(expect.objectContaining({ kind: 'conflict', message: expect.stringContaining('lr') }));
  });

  it('ends a running run, with the given end_time or the command time', () => {
    given(started).when(update({ status: 'completed' })).then([completed]);
    given(started).when(update({ status: 'killed', end_time: '2026-01-01T05:00:00.000Z' })).then([
      { type: 'RunEnded', data: { run_id: RUN, status: 'killed', end_time: '2026-01-01T05:00:00.000Z' } },
    ]);
  });

  it('logs metrics, params and tags before ending, in one command', () => {
    expect(
      given(started)
        .when(update({ metrics: [{ key: 'auc', value: 0.9 }], params: [{ key: 'seed', value: 1 }], tags: ['a', 'b'], status: 'failed' }))
        .events()
        .map((e) => e.type),
    ).toEqual(['RunParamsLogged', 'RunTagsSet', 'RunMetricsLogged', 'RunEnded']);
  });

  it.each(['running', 'completed', 'failed', 'killed'] as const)('refuses %s after the run ended (invalid state)', (status) => {
    given(started, completed).when(update({ status })).thenThrows('invalid_state');
  });

  it('treats running → running as no change', () => {
    given(started).when(update({ status: 'running' })).thenNothing();
  });

  it('refuses metrics after the run ended, but still takes params and tags', () => {
    given(started, completed).when(update({ metrics: [{ key: 'loss', value: 1 }] })).thenThrows(/no metrics after it ended/);
    given(started, completed).when(update({ tags: ['late'] })).then([{ type: 'RunTagsSet', data: { run_id: RUN, tags: ['late'] } }]);
  });

  it('refuses an end_time without an ending status, or before the start', () => {
    given(started).when(update({ end_time: NOW })).thenThrows('invalid_input');
    given(started).when(update({ status: 'completed', end_time: '2025-12-31T00:00:00.000Z' })).thenThrows(/before the run started/);
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
      input_keys: [],
      start_time: '2026-01-01T00:00:00.000Z',
      end_time: NOW,
      latest_metrics: [{ key: 'auc', value: 0.7, step: 2, timestamp: NOW }],
    });
  });

  it('sets key/value tags as the run starts and later, only those that change, last value per key', () => {
    const tagged: RunEvent = { type: 'RunTagValuesSet', data: { run_id: RUN, tags: [{ key: 'mlflow.user', value: 'ana' }] } };
    const startTagged: RunCommand = { type: 'StartRun', data: { ...(start('active').data as any), tag_values: [{ key: 'mlflow.user', value: 'ana' }] } };
    given().when(startTagged).then([started, tagged]);
    expect(
      given(started, tagged).when(update({ tag_values: [{ key: 'mlflow.user', value: 'ana' }, { key: 'team', value: 'a' }, { key: 'team', value: 'b' }] })).events(),
    ).toEqual([{ type: 'RunTagValuesSet', data: { run_id: RUN, tags: [{ key: 'team', value: 'b' }] } }]);
    given(started, tagged).when(update({ tag_values: [{ key: 'mlflow.user', value: 'ana' }] })).thenNothing();
  });

  it('deletes a tag it has; refuses one it has not', () => {
    const tagged: RunEvent = { type: 'RunTagValuesSet', data: { run_id: RUN, tags: [{ key: 'team', value: 'a' }] } };
    given(started, tagged).when({ type: 'DeleteRunTag', data: { run_id: RUN, key: 'team' } }).then([
      { type: 'RunTagValueDeleted', data: { run_id: RUN, key: 'team' } },
    ]);
    given(started).when({ type: 'DeleteRunTag', data: { run_id: RUN, key: 'team' } }).thenThrows(/no tag team/);
  });

  it('renames a run only when the name changes', () => {
    given(started).when(update({ name: 'tuned' })).then([{ type: 'RunRenamed', data: { run_id: RUN, name: 'tuned' } }]);
    given(started).when(update({ name: 'baseline' })).thenNothing();
  });

  it('deletes and restores a run; a deleted run refuses writes until restored', () => {
    const deleted: RunEvent = { type: 'RunDeleted', data: { run_id: RUN } };
    given(started).when({ type: 'DeleteRun', data: { run_id: RUN } }).then([deleted]);
    given(started, deleted).when({ type: 'DeleteRun', data: { run_id: RUN } }).thenNothing();
    given(started, deleted).when(update({ params: [{ key: 'x', value: '1' }] })).thenThrows(/is deleted/);
    given(started, deleted).when({ type: 'RestoreRun', data: { run_id: RUN } }).then([{ type: 'RunRestored', data: { run_id: RUN } }]);
    given().when({ type: 'DeleteRun', data: { run_id: RUN } }).thenThrows(/does not exist/);
  });

  it('logs dataset inputs once: the same name, digest and context again is nothing new', () => {
    const input = { name: 'train', digest: 'abc123', source_type: 'local', source: '{}', context: 'training' };
    const logged: RunEvent = { type: 'RunInputsLogged', data: { run_id: RUN, inputs: [input] } };
    given(started).when(update({ inputs: [input, input] })).then([logged]);
    given(started, logged).when(update({ inputs: [input] })).thenNothing();
    given(started, logged)
      .when(update({ inputs: [{ ...input, context: 'eval' }] }))
      .then([{ type: 'RunInputsLogged', data: { run_id: RUN, inputs: [{ ...input, context: 'eval' }] } }]);
  });
});
