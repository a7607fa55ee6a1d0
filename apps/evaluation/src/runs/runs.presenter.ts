import { EVALUATION_API } from '../routes';
import { gateStatus } from './evaluate';
import type { EvaluationRunDto } from './runs.dto';
import type { EvaluationRunDocument } from './runs.projection';

export const evaluationRunLocation = (runId: string) => `/${EVALUATION_API}/runs/${runId}`;

export const presentEvaluationRun = (doc: EvaluationRunDocument): EvaluationRunDto => ({
  run_id: doc.run_id,
  status: doc.status,
  scenario_name: doc.scenario_name,
  scenario_version: doc.scenario_version,
  task_type: doc.task_type,
  model_name: doc.model_name,
  model_version: doc.model_version,
  case_count: doc.case_count,
  metrics: doc.metrics,
  gate: doc.gate && { ...doc.gate, status: gateStatus(doc.gate) },
  failure_reason: doc.failure_reason,
  queued_at: doc.queued_at,
  queued_by: doc.queued_by,
  started_at: doc.started_at,
  completed_at: doc.completed_at,
  failed_at: doc.failed_at,
  report_url: `${evaluationRunLocation(doc.run_id)}/report`,
});
