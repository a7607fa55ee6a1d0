import { CloudEvent, evaluationCatalog, EvaluationMetricValue, EvaluationRunEvent, EvaluationRunQueuedData, EventPayloadRef, GateResult, Topics } from '@mlops/events';
import { Projection, ReadModelDocument, readModelSchema } from '@mlops/event-sourcing';
import type { EvaluationRunStatus } from './run.decider';

/** One document per evaluation run (`version` = the run stream's version = the ETag). */
export interface EvaluationRunDocument extends ReadModelDocument, Omit<EvaluationRunQueuedData, 'cases' | 'predictions'> {
  status: EvaluationRunStatus;
  cases_ref: EventPayloadRef;
  predictions_ref: EventPayloadRef;
  /** Lineage: who queued the run, when, and the request it came from. */
  queued_at: string;
  queued_by: string;
  correlation_id: string;
  started_at: string | null;
  completed_at: string | null;
  failed_at: string | null;
  failure_reason: string | null;
  metrics: EvaluationMetricValue[];
  gate: GateResult | null;
  report_ref: EventPayloadRef | null;
  updated_at: string;
}

/** The list filters, each with `_id` for the keyset page (findPage). */
export const evaluationRunsSchema = readModelSchema('evaluation_runs', {
  run_id: String,
  scenario_name: String,
  scenario_version: Number,
  task_type: String,
  model_name: String,
  model_version: Number,
  case_count: Number,
  dataset: Object,
  has_attributions: Boolean,
  model_at_queue: Object,
  status: { type: String, enum: ['queued', 'running', 'completed', 'failed'] },
  cases_ref: Object,
  predictions_ref: Object,
  queued_at: String,
  queued_by: String,
  correlation_id: String,
  started_at: String,
  completed_at: String,
  failed_at: String,
  failure_reason: String,
  metrics: [Object],
  gate: Object,
  report_ref: Object,
  updated_at: String,
});
evaluationRunsSchema.index({ scenario_name: 1, _id: 1 }, { name: 'scenario_name_id' });
evaluationRunsSchema.index({ status: 1, _id: 1 }, { name: 'status_id' });
evaluationRunsSchema.index({ model_name: 1, model_version: 1, _id: 1 }, { name: 'model_name_version_id' });

/** Read model of evaluation runs, everything from the events. */
export const runsProjection: Projection<EvaluationRunDocument> = {
  name: 'evaluation_runs',
  topic: Topics.evaluation,
  streamType: 'evaluation_run',
  schema: evaluationRunsSchema,
  evolve(current, event: CloudEvent<any>) {
    const e = { type: evaluationCatalog.nameOf(event.type), data: event.data } as EvaluationRunEvent;
    switch (e.type) {
      case 'EvaluationRunQueued': {
        const { cases, predictions, ...queued } = e.data;
        return {
          ...queued, status: 'queued', cases_ref: cases, predictions_ref: predictions,
          queued_at: event.time, queued_by: event.actor, correlation_id: event.correlationid,
          started_at: null, completed_at: null, failed_at: null, failure_reason: null,
          metrics: [], gate: null, report_ref: null, updated_at: event.time,
        };
      }
      case 'EvaluationRunStarted':
        return { ...current!, status: 'running', started_at: e.data.started_at, updated_at: event.time };
      case 'EvaluationRunCompleted':
        return { ...current!, status: 'completed', completed_at: e.data.completed_at, metrics: e.data.metrics, gate: e.data.gate, report_ref: e.data.report, updated_at: event.time };
      case 'EvaluationRunFailed':
        return { ...current!, status: 'failed', failed_at: e.data.failed_at, failure_reason: e.data.reason, updated_at: event.time };
    }
  },
};
