import { type ApiClient, ok, type Tagged } from './client';
import type { components, operations } from './schema';

type Schemas = components['schemas'];
type Query<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;

export type Experiment = Schemas['ExperimentDto'];
export type ExperimentDetail = Schemas['ExperimentDetailDto'];
export type Run = Schemas['RunDto'];
export type RunStatus = Run['status'];
export type MetricPoint = Schemas['MetricHistoryPointDto'];
export type ModelVersion = Schemas['ModelVersionDto'];
export type ModelStage = ModelVersion['stage'];
export type ChecklistItem = Schemas['ChecklistItemDto'];
export type Comparison = Schemas['ComparisonDto'];
export type Deployment = Schemas['DeploymentDto'];
export type DeploymentStatus = Deployment['status'];
export type DeploymentEnvironment = Deployment['environment'];
export type DriftEvent = Schemas['DriftEventDto'];
export type DriftSeverity = DriftEvent['severity'];

export type ExperimentFilter = Omit<Query<'LifecycleExperimentsController_list'>, 'cursor'>;
export type RunFilter = Omit<Query<'LifecycleRunsController_list'>, 'cursor'>;
export type ModelVersionFilter = Omit<Query<'LifecycleModelsController_list'>, 'cursor'>;
export type DeploymentFilter = Omit<Query<'LifecycleDeploymentsController_list'>, 'cursor'>;
export type DriftEventFilter = Omit<Query<'LifecycleDriftEventsController_list'>, 'cursor'>;

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

const BASE = '/api/v1/ml/lifecycle';
const ifMatch = (etag: string | null | undefined) => (etag ? { 'If-Match': etag } : undefined);

/**
 * The Model Lifecycle API over the typed client: each call answers its data and ETag or throws
 * ApiError. The hooks and Node scripts both go through here.
 */
export function lifecycleApi(client: ApiClient) {
  return {
    listExperiments: (filter: ExperimentFilter = {}, cursor?: string) =>
      ok(client.GET(`${BASE}/experiments`, { params: { query: { ...filter, cursor } } })),
    getExperiment: (name: string, best?: { metric: string; mode: 'max' | 'min' }) =>
      ok(client.GET(`${BASE}/experiments/{name}`, { params: { path: { name }, query: best ?? {} } })),
    createExperiment: (body: Schemas['CreateExperimentDto']) => ok(client.POST(`${BASE}/experiments`, { body })),

    listRuns: (filter: RunFilter = {}, cursor?: string) => ok(client.GET(`${BASE}/runs`, { params: { query: { ...filter, cursor } } })),
    getRun: (runId: string) => ok(client.GET(`${BASE}/runs/{run_id}`, { params: { path: { run_id: runId } } })),
    startRun: (body: Schemas['StartRunDto']) => ok(client.POST(`${BASE}/runs`, { body })),
    updateRun: (runId: string, body: Schemas['UpdateRunDto'], etag?: string | null) =>
      ok(client.PATCH(`${BASE}/runs/{run_id}`, { params: { path: { run_id: runId }, header: ifMatch(etag) }, body })),
    metricHistory: (runId: string, key: string, cursor?: string, limit?: number) =>
      ok(client.GET(`${BASE}/runs/{run_id}/metrics/{key}`, { params: { path: { run_id: runId, key }, query: { cursor, limit } } })),

    listModelVersions: (filter: ModelVersionFilter = {}, cursor?: string) =>
      ok(client.GET(`${BASE}/models`, { params: { query: { ...filter, cursor } } })),
    getModelVersion: (modelName: string, version: number) =>
      ok(client.GET(`${BASE}/models/{model_name}/{version}`, { params: { path: { model_name: modelName, version } } })),
    registerModelVersion: (body: Schemas['RegisterModelVersionDto']) => ok(client.POST(`${BASE}/models`, { body })),
    updateModelVersion: (modelName: string, version: number, body: Schemas['UpdateModelVersionDto'], etag?: string | null) =>
      ok(
        client.PATCH(`${BASE}/models/{model_name}/{version}`, {
          params: { path: { model_name: modelName, version }, header: ifMatch(etag) },
          body,
        }),
      ),
    compareModelVersions: (modelName: string, body: Schemas['CompareModelVersionsDto']) =>
      ok(client.POST(`${BASE}/models/{model_name}/compare`, { params: { path: { model_name: modelName } }, body })),

    listDeployments: (filter: DeploymentFilter = {}, cursor?: string) =>
      ok(client.GET(`${BASE}/deployments`, { params: { query: { ...filter, cursor } } })),
    getDeployment: (id: string) => ok(client.GET(`${BASE}/deployments/{id}`, { params: { path: { id } } })),
    createDeployment: (body: Schemas['CreateDeploymentDto']) => ok(client.POST(`${BASE}/deployments`, { body })),
    updateDeployment: (id: string, body: Schemas['UpdateDeploymentDto'], etag?: string | null) =>
      ok(client.PATCH(`${BASE}/deployments/{id}`, { params: { path: { id }, header: ifMatch(etag) }, body })),
    promoteDeployment: (id: string, etag?: string | null) =>
      ok(client.POST(`${BASE}/deployments/{id}/promote`, { params: { path: { id }, header: ifMatch(etag) } })),
    rollBackDeployment: (id: string, reason: string | undefined, etag?: string | null) =>
      ok(client.POST(`${BASE}/deployments/{id}/rollback`, { params: { path: { id }, header: ifMatch(etag) }, body: reason ? { reason } : {} })),
    terminateDeployment: (id: string, etag?: string | null) =>
      ok(client.DELETE(`${BASE}/deployments/{id}`, { params: { path: { id }, header: ifMatch(etag) } })),

    listDriftEvents: (filter: DriftEventFilter = {}, cursor?: string) =>
      ok(client.GET(`${BASE}/drift-events`, { params: { query: { ...filter, cursor } } })),
    recordDriftEvent: (body: Schemas['RecordDriftEventDto']) => ok(client.POST(`${BASE}/drift-events`, { body })),
  };
}

export type LifecycleApi = ReturnType<typeof lifecycleApi>;

/** Every point of one metric, in pages of 500 (the most a list page holds), for the chart to draw the whole history. */
export async function fullMetricHistory(api: LifecycleApi, runId: string, key: string): Promise<MetricPoint[]> {
  const points: MetricPoint[] = [];
  let cursor: string | undefined;
  do {
    const { data } = await api.metricHistory(runId, key, cursor, 500);
    points.push(...data.items);
    cursor = data.next_cursor ?? undefined;
  } while (cursor);
  return points;
}

/**
 * The deployment state machine as the lifecycle service enforces it (deployment.decider.ts):
 * which moves the console offers from each status. PATCH moves the status forward or to failed;
 * rollback and termination are their own commands.
 */
export const DEPLOYMENT_MOVES: Record<DeploymentStatus, ('validating' | 'deploying' | 'active' | 'failed' | 'rollback' | 'terminated')[]> = {
  pending: ['validating', 'failed', 'terminated'],
  validating: ['deploying', 'failed', 'terminated'],
  deploying: ['active', 'failed', 'terminated'],
  active: ['rollback', 'failed', 'terminated'],
  rollback: ['failed', 'terminated'],
  failed: [],
  terminated: [],
};

/** Stage moves the lifecycle service allows (model.decider.ts); production needs the required checklist items. */
export const MODEL_STAGE_MOVES: Record<ModelStage, ModelStage[]> = {
  none: ['staging', 'archived'],
  staging: ['production', 'archived'],
  production: ['archived'],
  archived: ['staging'],
};

/** Promotion takes an active canary (under 100% of the traffic) to all of it. */
export const canPromote = (deployment: Pick<Deployment, 'status' | 'config'>) =>
  deployment.status === 'active' && deployment.config.traffic_percent < 100;

/** A value for sorting runs by a metric's latest value or a param; runs without it sort last. */
export function runSortValue(run: Run, column: { kind: 'metric' | 'param'; key: string }): number | string | undefined {
  if (column.kind === 'metric') return run.metrics.find((m) => m.key === column.key)?.value;
  const value = run.params.find((p) => p.key === column.key)?.value;
  if (value === undefined || typeof value === 'number') return value;
  // Params logged as strings ("0.01") still sort as the numbers they spell.
  const text = String(value);
  return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
}

export function sortRuns(runs: Run[], column: { kind: 'metric' | 'param'; key: string }, direction: 'asc' | 'desc'): Run[] {
  const sign = direction === 'asc' ? 1 : -1;
  return [...runs].sort((a, b) => {
    const x = runSortValue(a, column);
    const y = runSortValue(b, column);
    if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
    if (typeof x === 'number' && typeof y === 'number') return sign * (x - y);
    return sign * String(x).localeCompare(String(y), undefined, { numeric: true });
  });
}

/** The params whose values differ between runs (for the multi-run diff), each with one value per run. */
export function paramsDiff(runs: Run[]): { key: string; values: (string | number | boolean | null)[] }[] {
  const keys = [...new Set(runs.flatMap((run) => run.params.map((p) => p.key)))].sort();
  return keys
    .map((key) => ({ key, values: runs.map((run) => run.params.find((p) => p.key === key)?.value ?? null) }))
    .filter(({ values }) => new Set(values.map((v) => JSON.stringify(v))).size > 1);
}

export type { Tagged };
