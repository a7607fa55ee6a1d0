import { evaluationCatalog, EvaluationRunEvent, EvaluationRunQueuedData } from '@mlops/events';
import { ProjectionSpecification } from '@mlops/testing';
import { runsProjection } from './runs.projection';

const RUN = '7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10';
const STREAM = `evaluation_run:${RUN}`;
const cases = { sha256: 'a'.repeat(64), size_bytes: 10 };
const predictions = { sha256: 'b'.repeat(64), size_bytes: 20 };
const report = { sha256: 'c'.repeat(64), size_bytes: 30 };
const queuedData: EvaluationRunQueuedData = {
  run_id: RUN, scenario_name: 's', scenario_version: 2, task_type: 'regression', model_name: 'm', model_version: 3,
  cases, case_count: 10, predictions, dataset: null, has_attributions: false,
  model_at_queue: { stage: 'staging', artifact_uri: 's3://m/1', run_id: 'r1', registered_at: '2026-01-01T00:00:00.000Z', registered_by: 'ana' },
};
const queued: EvaluationRunEvent = { type: 'EvaluationRunQueued', data: queuedData };
const started: EvaluationRunEvent = { type: 'EvaluationRunStarted', data: { run_id: RUN, started_at: '2026-01-01T00:01:00.000Z' } };
const gate = { passed: true, thresholds: [{ metric: 'mae', min: null, max: 2, value: 1, passed: true }] };
const at = (minute: number) => `2026-01-01T00:0${minute}:00.000Z`;
const spec = ProjectionSpecification.for(runsProjection, evaluationCatalog);

const { cases: _c, predictions: _p, ...summary } = queuedData;

describe('evaluation runs read model', () => {
  it('is a queued run with its lineage: who queued it, when, the request it came from, the payload references', async () => {
    await spec.givenStream(STREAM, { event: queued, by: 'bo' }).then({
      version: 1,
      ...summary,
      status: 'queued',
      cases_ref: cases,
      predictions_ref: predictions,
      queued_at: at(0),
      queued_by: 'bo',
      correlation_id: 'spec',
      started_at: null,
      completed_at: null,
      failed_at: null,
      failure_reason: null,
      metrics: [],
      gate: null,
      report_ref: null,
      updated_at: at(0),
    });
  });

  it('goes running, then completed with its metrics, gate and report', async () => {
    await spec
      .givenStream(STREAM, queued, started, { type: 'EvaluationRunCompleted', data: { run_id: RUN, scenario_name: 's', scenario_version: 2, model_name: 'm', model_version: 3, case_count: 10, metrics: [{ key: 'mae', value: 1 }], gate, report, completed_at: at(2) } })
      .thenMatches({ version: 3, status: 'completed', started_at: at(1), completed_at: at(2), metrics: [{ key: 'mae', value: 1 }], gate, report_ref: report, queued_by: 'ana', updated_at: at(2) });
  });

  it('or goes failed with the reason', async () => {
    await spec
      .givenStream(STREAM, queued, started, { type: 'EvaluationRunFailed', data: { run_id: RUN, scenario_name: 's', model_name: 'm', model_version: 3, reason: 'overflow', failed_at: at(2) } } as EvaluationRunEvent)
      .thenMatches({ version: 3, status: 'failed', failed_at: at(2), failure_reason: 'overflow', completed_at: null, gate: null });
  });
});
