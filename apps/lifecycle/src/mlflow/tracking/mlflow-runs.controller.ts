import { z } from 'zod';
import { MlflowController, MlflowGet, MlflowPost, MlflowRequest } from '../mlflow-http';
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

/** MLflow's run calls (and metric history): HTTP ⇄ the tracking facade. */
@MlflowController()
export class MlflowRunsController {
  constructor(private readonly tracking: MlflowTrackingService) {}

  @MlflowPost('runs/create')
  create(@MlflowRequest(CreateRunRequest) request: z.infer<typeof CreateRunRequest>) {
    return this.tracking.createRun(request);
  }

  @MlflowGet('runs/get')
  get(@MlflowRequest(RunIdRequest) request: z.infer<typeof RunIdRequest>) {
    return this.tracking.getRun(request.run_id);
  }

  @MlflowPost('runs/update')
  update(@MlflowRequest(UpdateRunRequest) request: z.infer<typeof UpdateRunRequest>) {
    return this.tracking.updateRun(request);
  }

  @MlflowPost('runs/delete')
  delete(@MlflowRequest(RunIdRequest) request: z.infer<typeof RunIdRequest>) {
    return this.tracking.deleteRun(request.run_id);
  }

  @MlflowPost('runs/restore')
  restore(@MlflowRequest(RunIdRequest) request: z.infer<typeof RunIdRequest>) {
    return this.tracking.restoreRun(request.run_id);
  }

  @MlflowPost('runs/search')
  search(@MlflowRequest(SearchRunsRequest) request: z.infer<typeof SearchRunsRequest>) {
    return this.tracking.searchRuns(request);
  }

  @MlflowPost('runs/log-metric')
  logMetric(@MlflowRequest(LogMetricRequest) { run_id, key, value, timestamp, step }: z.infer<typeof LogMetricRequest>) {
    return this.tracking.logBatch(run_id, { metrics: [{ key, value, timestamp, step }], params: [], tags: [] });
  }

  @MlflowPost('runs/log-parameter')
  logParam(@MlflowRequest(LogParamRequest) { run_id, key, value }: z.infer<typeof LogParamRequest>) {
    return this.tracking.logBatch(run_id, { metrics: [], params: [{ key, value }], tags: [] });
  }

  @MlflowPost('runs/set-tag')
  setTag(@MlflowRequest(SetTagRequest) { run_id, key, value }: z.infer<typeof SetTagRequest>) {
    return this.tracking.logBatch(run_id, { metrics: [], params: [], tags: [{ key, value }] });
  }

  @MlflowPost('runs/delete-tag')
  deleteTag(@MlflowRequest(DeleteTagRequest) request: z.infer<typeof DeleteTagRequest>) {
    return this.tracking.deleteRunTag(request.run_id, request.key);
  }

  @MlflowPost('runs/log-batch')
  logBatch(@MlflowRequest(LogBatchRequest) { run_id, metrics, params, tags }: z.infer<typeof LogBatchRequest>) {
    return this.tracking.logBatch(run_id, { metrics, params, tags });
  }

  @MlflowPost('runs/log-inputs')
  logInputs(@MlflowRequest(LogInputsRequest) request: z.infer<typeof LogInputsRequest>) {
    return this.tracking.logInputs(request.run_id, request.datasets);
  }

  @MlflowGet('metrics/get-history')
  metricHistory(@MlflowRequest(GetMetricHistoryRequest) request: z.infer<typeof GetMetricHistoryRequest>) {
    return this.tracking.metricHistory(request.run_id, request.metric_key, request.max_results, request.page_token);
  }
}
