import { mlflowCalls, mlflowController } from '../mlflow-http';
import {
  CreateExperimentRequest,
  DeleteExperimentTagRequest,
  ExperimentIdRequest,
  GetExperimentByNameRequest,
  SearchExperimentsRequest,
  SetExperimentTagRequest,
  UpdateExperimentRequest,
} from './mlflow-tracking.dto';
import { MlflowTrackingService } from './mlflow-tracking.service';

const call = mlflowCalls<MlflowTrackingService>();

/** MLflow's experiment calls: HTTP ⇄ the tracking facade. */
export const MlflowExperimentsController = mlflowController(
  'MlflowExperimentsController',
  MlflowTrackingService,
  [
    call('POST', 'create', CreateExperimentRequest, (tracking, r) => tracking.createExperiment(r.name, r.tags)),
    call('GET', 'get', ExperimentIdRequest, (tracking, r) => tracking.getExperiment(r.experiment_id)),
    call('GET', 'get-by-name', GetExperimentByNameRequest, (tracking, r) => tracking.getExperimentByName(r.experiment_name)),
    call('POST', 'search', SearchExperimentsRequest, (tracking, r) => tracking.searchExperiments(r)),
    call('GET', 'search', SearchExperimentsRequest, (tracking, r) => tracking.searchExperiments(r)),
    // An update without a new name changes nothing (MLflow's update has nothing else to change).
    call('POST', 'update', UpdateExperimentRequest, (tracking, r) => (r.new_name === undefined ? {} : tracking.renameExperiment(r.experiment_id, r.new_name))),
    call('POST', 'delete', ExperimentIdRequest, (tracking, r) => tracking.deleteExperiment(r.experiment_id)),
    call('POST', 'restore', ExperimentIdRequest, (tracking, r) => tracking.restoreExperiment(r.experiment_id)),
    call('POST', 'set-experiment-tag', SetExperimentTagRequest, (tracking, r) => tracking.setExperimentTagById(r.experiment_id, { key: r.key, value: r.value })),
    call('POST', 'delete-experiment-tag', DeleteExperimentTagRequest, (tracking, r) => tracking.deleteExperimentTagById(r.experiment_id, r.key)),
  ],
  'experiments',
);
