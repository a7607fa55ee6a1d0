import { z } from 'zod';
import { mlflowId, mlflowInt, mlflowMaxResults } from '../mlflow-http';

/** MLflow's request messages (mlflow/protos/service.proto), as much of each as the facade reads. */
const keyValue = z.object({ key: z.string(), value: z.union([z.string(), z.number().transform(String), z.boolean().transform(String)]) });
const keyValues = z.array(keyValue).default([]);
const viewType = z.enum(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']).default('ACTIVE_ONLY');
/** A list in a JSON body, or one or repeated values in a query string. */
const stringList = z
  .union([z.array(z.string()), z.string().transform((one) => [one])])
  .optional()
  .transform((list) => list ?? []);

export const CreateExperimentRequest = z.object({ name: z.string().min(1), artifact_location: z.string().optional(), tags: keyValues });
export const ExperimentIdRequest = z.object({ experiment_id: mlflowId });
export const GetExperimentByNameRequest = z.object({ experiment_name: z.string().min(1) });
export const UpdateExperimentRequest = z.object({ experiment_id: mlflowId, new_name: z.string().min(1).optional() });
export const SetExperimentTagRequest = z.object({ experiment_id: mlflowId, key: z.string().min(1), value: z.string() });
export const DeleteExperimentTagRequest = z.object({ experiment_id: mlflowId, key: z.string().min(1) });
export const SearchExperimentsRequest = z.object({
  max_results: mlflowMaxResults(1000, 50_000),
  page_token: z.string().optional(),
  filter: z.string().optional(),
  order_by: stringList,
  view_type: viewType,
});

/** MLflow's run messages carry `run_id` (and the deprecated `run_uuid`, which older clients send instead). */
const withRunId = <T extends z.ZodRawShape>(shape: T) =>
  z.object({ run_id: mlflowId.optional(), run_uuid: mlflowId.optional(), ...shape }).transform((request, ctx) => {
    const { run_id, run_uuid, ...rest } = request as { run_id?: string; run_uuid?: string } & Record<string, unknown>;
    if (!run_id && !run_uuid) {
      ctx.addIssue({ code: 'custom', message: 'run_id is required', path: ['run_id'] });
      return z.NEVER;
    }
    return { ...(rest as z.infer<z.ZodObject<T>>), run_id: (run_id ?? run_uuid)! };
  });

export const RunIdRequest = withRunId({});
export const CreateRunRequest = z.object({
  experiment_id: mlflowId.optional(),
  user_id: z.string().optional(),
  start_time: mlflowInt.optional(),
  tags: keyValues,
  run_name: z.string().optional(),
});
export const UpdateRunRequest = withRunId({ status: z.string().optional(), end_time: mlflowInt.optional(), run_name: z.string().optional() });
const metric = z.object({ key: z.string().min(1), value: z.number(), timestamp: mlflowInt, step: mlflowInt.optional().transform((s) => s ?? 0) });
export const LogMetricRequest = withRunId(metric.shape);
export const LogParamRequest = withRunId({ key: z.string().min(1), value: keyValue.shape.value });
export const SetTagRequest = withRunId({ key: z.string().min(1), value: keyValue.shape.value });
export const DeleteTagRequest = withRunId({ key: z.string().min(1) });
export const LogBatchRequest = withRunId({ metrics: z.array(metric).default([]), params: keyValues, tags: keyValues });
export const SearchRunsRequest = z.object({
  experiment_ids: stringList,
  filter: z.string().optional(),
  run_view_type: viewType,
  max_results: mlflowMaxResults(1000, 50_000),
  order_by: stringList,
  page_token: z.string().optional(),
});
export const GetMetricHistoryRequest = withRunId({
  metric_key: z.string().min(1),
  max_results: mlflowMaxResults(25_000, 25_000),
  page_token: z.string().optional(),
});
const datasetInput = z.object({
  tags: keyValues,
  dataset: z.object({
    name: z.string().min(1),
    digest: z.string().min(1),
    source_type: z.string().min(1),
    source: z.string().default(''),
    schema: z.string().optional(),
    profile: z.string().optional(),
  }),
});
export const LogInputsRequest = withRunId({ datasets: z.array(datasetInput).default([]) });
export type MlflowDatasetInput = z.infer<typeof datasetInput>;
