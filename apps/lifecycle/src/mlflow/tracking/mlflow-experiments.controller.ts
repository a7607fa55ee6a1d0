import { z } from 'zod';
import { MlflowController, MlflowGet, MlflowPost, MlflowRequest } from '../mlflow-http';
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

/** MLflow's experiment calls: HTTP ⇄ the tracking facade. */
@MlflowController('experiments')
export class MlflowExperimentsController {
  constructor(private readonly tracking: MlflowTrackingService) {}

  @MlflowPost('create')
  create(@MlflowRequest(CreateExperimentRequest) request: z.infer<typeof CreateExperimentRequest>) {
    return this.tracking.createExperiment(request.name, request.tags);
  }

  @MlflowGet('get')
  get(@MlflowRequest(ExperimentIdRequest) request: z.infer<typeof ExperimentIdRequest>) {
    return this.tracking.getExperiment(request.experiment_id);
  }

  @MlflowGet('get-by-name')
  getByName(@MlflowRequest(GetExperimentByNameRequest) request: z.infer<typeof GetExperimentByNameRequest>) {
    return this.tracking.getExperimentByName(request.experiment_name);
  }

  @MlflowPost('search')
  search(@MlflowRequest(SearchExperimentsRequest) request: z.infer<typeof SearchExperimentsRequest>) {
    return this.tracking.searchExperiments(request);
  }

  @MlflowGet('search')
  searchByQuery(@MlflowRequest(SearchExperimentsRequest) request: z.infer<typeof SearchExperimentsRequest>) {
    return this.tracking.searchExperiments(request);
  }

  @MlflowPost('update')
  update(@MlflowRequest(UpdateExperimentRequest) request: z.infer<typeof UpdateExperimentRequest>) {
    return request.new_name === undefined ? {} : this.tracking.renameExperiment(request.experiment_id, request.new_name);
  }

  @MlflowPost('delete')
  delete(@MlflowRequest(ExperimentIdRequest) request: z.infer<typeof ExperimentIdRequest>) {
    return this.tracking.deleteExperiment(request.experiment_id);
  }

  @MlflowPost('restore')
  restore(@MlflowRequest(ExperimentIdRequest) request: z.infer<typeof ExperimentIdRequest>) {
    return this.tracking.restoreExperiment(request.experiment_id);
  }

  @MlflowPost('set-experiment-tag')
  setTag(@MlflowRequest(SetExperimentTagRequest) request: z.infer<typeof SetExperimentTagRequest>) {
    return this.tracking.setExperimentTagById(request.experiment_id, { key: request.key, value: request.value });
  }

  @MlflowPost('delete-experiment-tag')
  deleteTag(@MlflowRequest(DeleteExperimentTagRequest) request: z.infer<typeof DeleteExperimentTagRequest>) {
    return this.tracking.deleteExperimentTagById(request.experiment_id, request.key);
  }
}
