import fc from 'fast-check';
import { DomainError } from '@mlops/event-sourcing';
import { EvaluationRunEvent, EvaluationRunQueuedData } from '@mlops/events';
import { EvaluationRunCommand, evaluationRunDecider, EvaluationRunState } from './run.decider';
import { DeciderSpecification } from '@mlops/testing';

const RUN = '7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10';
const ref = { sha256: 'b'.repeat(64), size_bytes: 10 };
const queuedData: EvaluationRunQueuedData = {
  run_id: RUN, scenario_name: 's', scenario_version: 2, task_type: 'regression', model_name: 'm', model_version: 3,
  cases: ref, case_count: 10, predictions: ref, dataset: null, has_attributions: false,
  model_at_queue: { stage: 'staging', artifact_uri: 's3://m/1', run_id: 'r1', registered_at: '2026-01-01T00:00:00.000Z', registered_by: 'ana' },
};
const queued: EvaluationRunEvent = { type: 'EvaluationRunQueued', data: queuedData };
const started: EvaluationRunEvent = { type: 'EvaluationRunStarted', data: { run_id: RUN, started_at: '2026-01-01T00:00:00.000Z' } };
const gate = { passed: true, thresholds: [] };
const complete: EvaluationRunCommand = { type: 'CompleteRun', data: { run_id: RUN, case_count: 10, metrics: [{ key: 'mae', value: 1 }], gate, report: ref, completed_at: '2026-01-01T00:00:01.000Z' } };
const fail: EvaluationRunCommand = { type: 'FailRun', data: { run_id: RUN, reason: 'overflow', failed_at: '2026-01-01T00:00:01.000Z' } };
const start: EvaluationRunCommand = { type: 'StartRun', data: { run_id: RUN, started_at: '2026-01-01T00:00:00.000Z' } };

const { given } = DeciderSpecification.for(evaluationRunDecider);

describe('evaluation run decider', () => {
  it('queues a new run and refuses the same id twice', () => {
    given().when({ type: 'QueueRun', data: queuedData }).then([queued]);
    given(queued).when({ type: 'QueueRun', data: queuedData }).thenThrows(/already exists/);
  });

  it('starts a queued run once; a repeat decides nothing', () => {
    given(queued).when(start).then([started]);
    given(queued, started).when(start).thenNothing();
  });

  it('completes a running run with the scenario and model from the queued event', () => {
    given(queued, started).when(complete).then([
      { type: 'EvaluationRunCompleted', data: { ...complete.data, scenario_name: 's', scenario_version: 2, model_name: 'm', model_version: 3 } },
    ]);
  });

  it('refuses to complete a run that never started (422), and fails a queued one', () => {
    const attempt = () => given(queued).when(complete).events();
    expect(attempt).toThrow(DomainError);
    expect(attempt).toThrow(/only a running run completes/);
    given(queued).when(fail).then([{ type: 'EvaluationRunFailed', data: { ...fail.data, scenario_name: 's', model_name: 'm', model_version: 3 } }]);
  });

  it('answers 404 for commands on an unknown run', () => {
    given().when(start).thenThrows(/does not exist/);
  });
});

describe('evaluation run state machine (property)', () => {
  const command = fc.constantFrom<EvaluationRunCommand>({ type: 'QueueRun', data: queuedData }, start, complete, fail);
  const ALLOWED: Record<string, string[]> = { null: ['queued'], queued: ['running', 'failed'], running: ['completed', 'failed'], completed: [], failed: [] };

  it('only ever moves queued → running → completed | failed, and a finished run never changes', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 20 }), (commands) => {
        let state: EvaluationRunState = evaluationRunDecider.initialState();
        for (const c of commands) {
          let events: EvaluationRunEvent[] = [];
          try {
            events = evaluationRunDecider.decide(c, state);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            continue;
          }
          expect(events.length).toBeLessThanOrEqual(1);
          const next = events.reduce(evaluationRunDecider.evolve, state);
          if (next.status !== state.status) expect(ALLOWED[String(state.status)]).toContain(next.status);
          if (state.status === 'completed' || state.status === 'failed') expect(events).toEqual([]);
          state = next;
        }
      }),
    );
  });
});
