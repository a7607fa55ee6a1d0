import { z } from 'zod';
import { mlflowBool, mlflowCalls, mlflowController, mlflowId, mlflowMaxResults } from '../mlflow-http';
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
// The path's :model_id (and :key) join each request's parameters.
const modelId = z.string().min(1);
const ModelRequest = z.object({ model_id: modelId });
const GetRequest = z.object({ model_id: modelId, allow_deleted: mlflowBool.optional() });
const FinalizeRequest = z.object({ model_id: modelId, status: z.string() });
const TagsRequest = z.object({ model_id: modelId, tags: keyValues });
const TagKeyRequest = z.object({ model_id: modelId, key: z.string().min(1) });
const ParamsRequest = z.object({ model_id: modelId, params: keyValues });
const SearchRequest = z.object({
  experiment_ids: z.array(mlflowId).min(1),
  filter: z.string().optional(),
  max_results: mlflowMaxResults(100, 1000),
  order_by: z.array(z.object({ field_name: z.string(), ascending: z.boolean().optional() })).default([]),
  page_token: z.string().optional(),
});
const OutputsRequest = z.object({ run_id: mlflowId, models: z.array(z.object({ model_id: z.string(), step: z.unknown().optional() })).default([]) });

const call = mlflowCalls<LoggedModelsService>();

/** MLflow 3's /logged-models calls (what `log_model` uses) and the run outputs that link a run to its models. */
export const MlflowLoggedModelsController = mlflowController('MlflowLoggedModelsController', LoggedModelsService, [
  call('POST', 'logged-models', CreateRequest, (loggedModels, r) => loggedModels.create(r)),
  call('POST', 'logged-models/search', SearchRequest, (loggedModels, r) => loggedModels.search(r)),
  call('GET', 'logged-models/:model_id', GetRequest, (loggedModels, r) => loggedModels.get(r.model_id, r.allow_deleted ?? false)),
  call('PATCH', 'logged-models/:model_id', FinalizeRequest, (loggedModels, r) => loggedModels.finalize(r.model_id, r.status)),
  call('DELETE', 'logged-models/:model_id', ModelRequest, (loggedModels, r) => loggedModels.delete(r.model_id)),
  call('PATCH', 'logged-models/:model_id/tags', TagsRequest, (loggedModels, r) => loggedModels.setTags(r.model_id, r.tags)),
  call('DELETE', 'logged-models/:model_id/tags/:key', TagKeyRequest, (loggedModels, r) => loggedModels.deleteTag(r.model_id, r.key)),
  call('POST', 'logged-models/:model_id/params', ParamsRequest, (loggedModels, r) => loggedModels.logParams(r.model_id, r.params)),
  call('POST', 'runs/outputs', OutputsRequest, (loggedModels, r) => loggedModels.logOutputs(r.run_id, r.models)),
]);
