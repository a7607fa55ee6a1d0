import { Delete, Param, Patch } from '@nestjs/common';
import { z } from 'zod';
import { MlflowController, MlflowGet, MlflowPost, MlflowRequest, mlflowBool, mlflowId, mlflowMaxResults } from '../mlflow-http';
import { LoggedModelsService } from './logged-models.service';

const keyValues = z.array(z.object({ key: z.string().min(1).max(250), value: z.string().max(5000).default('') })).max(100).default([]);
const CreateRequest = z.object({
  experiment_id: mlflowId,
  name: z.string().max(500).optional(),
  model_type: z.string().max(500).optional(),
  source_run_id: z.string().max(128).optional(),
  params: keyValues,
  tags: keyValues,
});
const GetRequest = z.object({ allow_deleted: mlflowBool.optional() });
const FinalizeRequest = z.object({ status: z.string() });
const TagsRequest = z.object({ tags: keyValues });
const ParamsRequest = z.object({ params: keyValues });
const SearchRequest = z.object({
  experiment_ids: z.array(mlflowId).min(1),
  filter: z.string().optional(),
  max_results: mlflowMaxResults(100, 1000),
  order_by: z.array(z.object({ field_name: z.string(), ascending: z.boolean().optional() })).default([]),
  page_token: z.string().optional(),
});
const OutputsRequest = z.object({ run_id: mlflowId, models: z.array(z.object({ model_id: z.string(), step: z.unknown().optional() })).default([]) });

/** MLflow 3's /logged-models calls (what `log_model` uses) and the run outputs that link a run to its models. */
@MlflowController()
export class MlflowLoggedModelsController {
  constructor(private readonly loggedModels: LoggedModelsService) {}

  @MlflowPost('logged-models')
  create(@MlflowRequest(CreateRequest) request: z.infer<typeof CreateRequest>) {
    return this.loggedModels.create(request);
  }

  @MlflowPost('logged-models/search')
  search(@MlflowRequest(SearchRequest) request: z.infer<typeof SearchRequest>) {
    return this.loggedModels.search(request);
  }

  @MlflowGet('logged-models/:model_id')
  get(@Param('model_id') modelId: string, @MlflowRequest(GetRequest) request: z.infer<typeof GetRequest>) {
    return this.loggedModels.get(modelId, request.allow_deleted ?? false);
  }

  @Patch('logged-models/:model_id')
  finalize(@Param('model_id') modelId: string, @MlflowRequest(FinalizeRequest) request: z.infer<typeof FinalizeRequest>) {
    return this.loggedModels.finalize(modelId, request.status);
  }

  @Delete('logged-models/:model_id')
  delete(@Param('model_id') modelId: string) {
    return this.loggedModels.delete(modelId);
  }

  @Patch('logged-models/:model_id/tags')
  setTags(@Param('model_id') modelId: string, @MlflowRequest(TagsRequest) request: z.infer<typeof TagsRequest>) {
    return this.loggedModels.setTags(modelId, request.tags);
  }

  @Delete('logged-models/:model_id/tags/:key')
  deleteTag(@Param('model_id') modelId: string, @Param('key') key: string) {
    return this.loggedModels.deleteTag(modelId, key);
  }

  @MlflowPost('logged-models/:model_id/params')
  logParams(@Param('model_id') modelId: string, @MlflowRequest(ParamsRequest) request: z.infer<typeof ParamsRequest>) {
    return this.loggedModels.logParams(modelId, request.params);
  }

  @MlflowPost('runs/outputs')
  logOutputs(@MlflowRequest(OutputsRequest) request: z.infer<typeof OutputsRequest>) {
    return this.loggedModels.logOutputs(request.run_id, request.models);
  }
}
