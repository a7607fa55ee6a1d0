import type { EvaluationRunCompletedData, EvaluationRunEvent, EvaluationRunQueuedData } from '@mlops/events';
import { conflict, Decider, invalidState, notFound } from '@mlops/event-sourcing';

export type EvaluationRunStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface EvaluationRunState {
  status: EvaluationRunStatus | null;
  queued: EvaluationRunQueuedData | null;
}

export type EvaluationRunCommand =
  | { type: 'QueueRun'; data: EvaluationRunQueuedData }
  | { type: 'StartRun'; data: { run_id: string; started_at: string } }
  | { type: 'CompleteRun'; data: Omit<EvaluationRunCompletedData, 'scenario_name' | 'scenario_version' | 'model_name' | 'model_version'> }
  | { type: 'FailRun'; data: { run_id: string; reason: string; failed_at: string } };

export const RUN_STREAM_PREFIX = 'evaluation_run:';
export const runStreamId = (runId: string) => `${RUN_STREAM_PREFIX}${runId}`;

/**
 * queued → running → completed | failed (a queued run may also fail). The worker's commands are
 * idempotent: starting a run that already started, or finishing one that already finished, decides
 * nothing — so a redelivered event changes nothing.
 */
export function decide(command: EvaluationRunCommand, state: EvaluationRunState): EvaluationRunEvent[] {
  if (command.type === 'QueueRun') {
    if (state.status !== null) throw conflict(`Evaluation run ${command.data.run_id} already exists`);
    return [{ type: 'EvaluationRunQueued', data: command.data }];
  }
  if (state.status === null) throw notFound(`Evaluation run ${command.data.run_id} does not exist`);
  const finished = state.status === 'completed' || state.status === 'failed';
  const { scenario_name, model_name, model_version } = state.queued!;
  switch (command.type) {
    case 'StartRun':
      return state.status === 'queued' ? [{ type: 'EvaluationRunStarted', data: command.data }] : [];
    case 'CompleteRun':
      if (finished) return [];
      if (state.status !== 'running') throw invalidState(`Evaluation run ${command.data.run_id} is ${state.status}; only a running run completes`);
      return [{ type: 'EvaluationRunCompleted', data: { ...command.data, scenario_name, scenario_version: state.queued!.scenario_version, model_name, model_version } }];
    case 'FailRun':
      if (finished) return [];
      return [{ type: 'EvaluationRunFailed', data: { ...command.data, scenario_name, model_name, model_version } }];
  }
}

export function evolve(state: EvaluationRunState, event: EvaluationRunEvent): EvaluationRunState {
  switch (event.type) {
    case 'EvaluationRunQueued':
      return { status: 'queued', queued: event.data };
    case 'EvaluationRunStarted':
      return { ...state, status: 'running' };
    case 'EvaluationRunCompleted':
      return { ...state, status: 'completed' };
    case 'EvaluationRunFailed':
      return { ...state, status: 'failed' };
  }
}

export const initialState = (): EvaluationRunState => ({ status: null, queued: null });

// No snapshot: an evaluation run stream holds at most three commits, so a load is already bounded.
export const evaluationRunDecider: Decider<EvaluationRunCommand, EvaluationRunEvent, EvaluationRunState> = { decide, evolve, initialState };
