import { MetricPoint, RunEndStatus, RunEvent, RunInput, RunParam, RunParamValue, RunStatus, TagValue } from '@mlops/events';
import { conflict, Decider, invalidInput, invalidState, notFound } from '@mlops/event-sourcing';
import { withoutTagValue, withTagValue } from '../experiments/experiment.decider';

export const END_STATUSES: RunEndStatus[] = ['completed', 'failed', 'killed'];

/**
 * A metric point as logged: step and timestamp default to 0 and the command time; step `next` is
 * one past the key's highest logged step (0 for a new key), as a `{key: value}` map logs them.
 */
export interface LoggedMetricPoint {
  key: string;
  value: number;
  step?: number | 'next';
  timestamp?: string;
}

export type RunCommand =
  | {
      type: 'StartRun';
      data: {
        run_id: string;
        experiment_name: string;
        /** The experiment as the write side knows it: null when it does not exist. */
        experiment_status: 'active' | 'archived' | null;
        name: string;
        params: RunParam[];
        tags: string[];
        /** Key/value tags (MLflow's, system tags included), set as the run starts. */
        tag_values?: TagValue[];
        start_time: string;
      };
    }
  | {
      type: 'UpdateRun';
      data: {
        run_id: string;
        /** The command time: the default for metric timestamps and end_time. */
        now: string;
        metrics?: LoggedMetricPoint[];
        params?: RunParam[];
        tags?: string[];
        /** Key/value tags to set; each replaces an earlier value of its key. */
        tag_values?: TagValue[];
        name?: string;
        /** Datasets the run read; one already logged (same name, digest and context) is not logged again. */
        inputs?: RunInput[];
        status?: RunStatus;
        end_time?: string;
      };
    }
  | { type: 'DeleteRunTag'; data: { run_id: string; key: string } }
  | { type: 'DeleteRun'; data: { run_id: string } }
  | { type: 'RestoreRun'; data: { run_id: string } };

export type RunState =
  | { exists: false }
  | {
      exists: true;
      run_id: string;
      experiment_name: string;
      name: string;
      status: RunStatus;
      params: RunParam[];
      tags: string[];
      tag_values: TagValue[];
      /** Soft-deleted (MLflow's lifecycle stage `deleted`): kept and restorable, refuses writes. */
      deleted: boolean;
      /** The inputs logged so far, by `inputKey`. */
      input_keys: string[];
      start_time: string;
      end_time: string | null;
      /** Per key, the point with the highest step (ties: the latest timestamp, then the latest logged). */
      latest_metrics: MetricPoint[];
    };

export const RUN_STREAM_PREFIX = 'run:';
export const runStreamId = (runId: string) => `${RUN_STREAM_PREFIX}${runId}`;

const isLater = (candidate: MetricPoint, current: MetricPoint) =>
  candidate.step > current.step || (candidate.step === current.step && candidate.timestamp >= current.timestamp);

/** Folds logged points into the latest point per key; shared by the decider and the read model. */
export function mergeLatestMetrics(latest: MetricPoint[], points: MetricPoint[]): MetricPoint[] {
  const byKey = new Map(latest.map((point) => [point.key, point]));
  for (const point of points) {
    const current = byKey.get(point.key);
    if (!current || isLater(point, current)) byKey.set(point.key, point);
  }
  return [...byKey.values()];
}

const sameTags = (a: string[], b: string[]) => a.length === b.length && a.every((tag, i) => tag === b[i]);

/** An input's identity: the same dataset (digest) under the same name, read in the same context. */
export const inputKey = (input: Pick<RunInput, 'name' | 'digest' | 'context'>) => JSON.stringify([input.name, input.digest, input.context ?? '']);

/** The tags that change something, last value per key. */
function changedTagValues(existing: TagValue[], logged: TagValue[]): TagValue[] {
  const last = new Map(logged.map((tag) => [tag.key, tag.value]));
  return [...last].filter(([key, value]) => !existing.some((t) => t.key === key && t.value === value)).map(([key, value]) => ({ key, value }));
}

function newParams(existing: RunParam[], logged: RunParam[]): RunParam[] {
  const known = new Map<string, RunParamValue>(existing.map((p) => [p.key, p.value]));
  const changed = logged.filter((p) => known.has(p.key) && known.get(p.key) !== p.value);
  if (changed.length) {
    throw conflict(`Parameters are write-once; already set to a different value: ${changed.map((p) => p.key).join(', ')}`);
  }
  return logged.filter((p) => !known.has(p.key));
}

export function decide(command: RunCommand, state: RunState): RunEvent[] {
  switch (command.type) {
    case 'StartRun': {
      const { experiment_status, ...run } = command.data;
      const { tag_values, ...started } = run;
      if (state.exists) throw conflict(`Run ${run.run_id} already exists`);
      if (experiment_status === null) throw notFound(`Experiment ${run.experiment_name} does not exist`);
      if (experiment_status === 'archived') throw invalidState(`Experiment ${run.experiment_name} is archived; restore it to start runs`);
      const tagged = changedTagValues([], tag_values ?? []);
      return [{ type: 'RunStarted', data: started }, ...(tagged.length ? [{ type: 'RunTagValuesSet' as const, data: { run_id: run.run_id, tags: tagged } }] : [])];
    }
    case 'DeleteRunTag': {
      const { run_id, key } = command.data;
      if (!state.exists) throw notFound(`Run ${run_id} does not exist`);
      if (state.deleted) throw invalidState(`Run ${run_id} is deleted; restore it first`);
      if (!state.tag_values.some((tag) => tag.key === key)) throw notFound(`Run ${run_id} has no tag ${key}`);
      return [{ type: 'RunTagValueDeleted', data: { run_id, key } }];
    }
    case 'DeleteRun':
    case 'RestoreRun': {
      const { run_id } = command.data;
      if (!state.exists) throw notFound(`Run ${run_id} does not exist`);
      const deleting = command.type === 'DeleteRun';
      if (state.deleted === deleting) return [];
      return [deleting ? { type: 'RunDeleted', data: { run_id } } : { type: 'RunRestored', data: { run_id } }];
    }
    case 'UpdateRun': {
      const { run_id, now, metrics, params, tags, tag_values, name, inputs, status, end_time } = command.data;
      if (!state.exists) throw notFound(`Run ${run_id} does not exist`);
      if (state.deleted) throw invalidState(`Run ${run_id} is deleted; restore it first`);
      const ending = status !== undefined && status !== 'running';
      if (status === 'running' && state.status !== 'running') {
        throw invalidState(`Run ${run_id} is ${state.status}; it cannot return to running`);
      }
      if (ending && state.status !== 'running') throw invalidState(`Run ${run_id} is already ${state.status}`);
      if (end_time !== undefined && !ending) {
        throw invalidInput('end_time is set when the run ends', [{ field: 'end_time', message: 'send it with status completed, failed or killed' }]);
      }
      if (end_time !== undefined && end_time < state.start_time) {
        throw invalidInput('end_time is before the run started', [{ field: 'end_time', message: `must not be before ${state.start_time}` }]);
      }
      if (metrics?.length && state.status !== 'running') throw invalidState(`Run ${run_id} is ${state.status}; no metrics after it ended`);

      const events: RunEvent[] = [];
      const added = params ? newParams(state.params, params) : [];
      if (added.length) events.push({ type: 'RunParamsLogged', data: { run_id, params: added } });
      if (tags !== undefined && !sameTags(tags, state.tags)) events.push({ type: 'RunTagsSet', data: { run_id, tags } });
      const tagged = tag_values ? changedTagValues(state.tag_values, tag_values) : [];
      if (tagged.length) events.push({ type: 'RunTagValuesSet', data: { run_id, tags: tagged } });
      if (name !== undefined && name !== state.name) events.push({ type: 'RunRenamed', data: { run_id, name } });
      const known = new Set(state.input_keys);
      const newInputs = (inputs ?? []).filter((input) => !known.has(inputKey(input)) && known.add(inputKey(input)));
      if (newInputs.length) events.push({ type: 'RunInputsLogged', data: { run_id, inputs: newInputs } });
      if (metrics?.length) {
        const nextStep = (key: string) => (state.latest_metrics.find((m) => m.key === key)?.step ?? -1) + 1;
        const points = metrics.map((m) => ({
          key: m.key,
          value: m.value,
          step: m.step === 'next' ? nextStep(m.key) : (m.step ?? 0),
          timestamp: m.timestamp ?? now,
        }));
        events.push({ type: 'RunMetricsLogged', data: { run_id, metrics: points } });
      }
      if (ending) events.push({ type: 'RunEnded', data: { run_id, status: status as RunEndStatus, end_time: end_time ?? now } });
      return events;
    }
  }
}

export function evolve(state: RunState, event: RunEvent): RunState {
  if (event.type === 'RunStarted') {
    return { exists: true, ...event.data, status: 'running', tag_values: [], deleted: false, input_keys: [], end_time: null, latest_metrics: [] };
  }
  if (!state.exists) return state;
  switch (event.type) {
    case 'RunParamsLogged':
      return { ...state, params: [...state.params, ...event.data.params] };
    case 'RunTagsSet':
      return { ...state, tags: event.data.tags };
    case 'RunMetricsLogged':
      return { ...state, latest_metrics: mergeLatestMetrics(state.latest_metrics, event.data.metrics) };
    case 'RunEnded':
      return { ...state, status: event.data.status, end_time: event.data.end_time };
    case 'RunTagValuesSet':
      return { ...state, tag_values: event.data.tags.reduce(withTagValue, state.tag_values) };
    case 'RunTagValueDeleted':
      return { ...state, tag_values: withoutTagValue(state.tag_values, event.data.key) };
    case 'RunRenamed':
      return { ...state, name: event.data.name };
    case 'RunDeleted':
      return { ...state, deleted: true };
    case 'RunRestored':
      return { ...state, deleted: false };
    case 'RunInputsLogged':
      return { ...state, input_keys: [...state.input_keys, ...event.data.inputs.map(inputKey)] };
  }
}

export const initialState = (): RunState => ({ exists: false });

export const runDecider: Decider<RunCommand, RunEvent, RunState> = {
  decide,
  evolve,
  initialState,
  // Bump when RunState or evolve changes: older snapshots are then ignored.
  snapshot: { schema: 'run.v3' },
};
