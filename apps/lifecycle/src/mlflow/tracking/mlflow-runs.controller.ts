import { mlflowCalls, mlflowController } from '../mlflow-http';
import {
  CreateRunRequest,
  DeleteTagRequest,
  GetMetricHistoryRequest,
  LogBatchRequest,
  LogMetricRequest,
  LogInputsRequest,
  LogParamRequest,
  RunIdRequest,
  SearchRunsRequest,
  SetTagRequest,
  UpdateRunRequest,
} from './mlflow-tracking.dto';
import { MlflowTrackingService } from './mlflow-tracking.service';

const call = mlflowCalls<MlflowTrackingService>();

/** MLflow's run calls (and metric history): HTTP ⇄ the tracking facade. log-metric, log-parameter and set-tag are batches of one. */
export const MlflowRunsController = mlflowController('MlflowRunsController', MlflowTrackingService, [
  call('POST', 'runs/create', CreateRunRequest, (tracking, r) => tracking.createRun(r)),
  call('GET', 'runs/get', RunIdRequest, (tracking, r) => tracking.getRun(r.run_id)),
  call('POST', 'runs/update', UpdateRunRequest, (tracking, r) => tracking.updateRun(r)),
  call('POST', 'runs/delete', RunIdRequest, (tracking, r) => tracking.deleteRun(r.run_id)),
  call('POST', 'runs/restore', RunIdRequest, (tracking, r) => tracking.restoreRun(r.run_id)),
  call('POST', 'runs/search', SearchRunsRequest, (tracking, r) => tracking.searchRuns(r)),
  call('POST', 'runs/log-metric', LogMetricRequest, (tracking, { run_id, key, value, timestamp, step }) =>
    tracking.logBatch(run_id, { metrics: [{ key, value, timestamp, step }], params: [], tags: [] }),
  ),
  call('POST', 'runs/log-parameter', LogParamRequest, (tracking, { run_id, key, value }) => tracking.logBatch(run_id, { metrics: [], params: [{ key, value }], tags: [] })),
  call('POST', 'runs/set-tag', SetTagRequest, (tracking, { run_id, key, value }) => tracking.logBatch(run_id, { metrics: [], params: [], tags: [{ key, value }] })),
  call('POST', 'runs/delete-tag', DeleteTagRequest, (tracking, r) => tracking.deleteRunTag(r.run_id, r.key)),
  call('POST', 'runs/log-batch', LogBatchRequest, (tracking, { run_id, metrics, params, tags }) => tracking.logBatch(run_id, { metrics, params, tags })),
  call('POST', 'runs/log-inputs', LogInputsRequest, (tracking, r) => tracking.logInputs(r.run_id, r.datasets)),
  call('GET', 'metrics/get-history', GetMetricHistoryRequest, (tracking, r) => tracking.metricHistory(r.run_id, r.metric_key, r.max_results, r.page_token)),
]);
