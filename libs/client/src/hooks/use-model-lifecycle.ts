import {
  type QueryClient,
  queryOptions,
  useInfiniteQuery,
  useMutation,
  useQueries,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { Tagged } from '../client';
import {
  type Comparison,
  type Deployment,
  type DeploymentFilter,
  type DriftEventFilter,
  type ExperimentFilter,
  fullMetricHistory,
  type LifecycleApi,
  type ModelVersion,
  type ModelVersionFilter,
  type RunFilter,
} from '../lifecycle';
import type { components } from '../schema';
import { useApis } from './api-context';
import { type Accepted, etagOf, pages, storeAnswer, withReload } from './query-kit';

/** Query keys: a mutation invalidates its entity's prefix (`['lifecycle', 'deployments']` …). */
export const lifecycleKeys = {
  all: ['lifecycle'] as const,
  experiments: () => [...lifecycleKeys.all, 'experiments'] as const,
  runs: () => [...lifecycleKeys.all, 'runs'] as const,
  models: () => [...lifecycleKeys.all, 'models'] as const,
  deployments: () => [...lifecycleKeys.all, 'deployments'] as const,
  driftEvents: () => [...lifecycleKeys.all, 'drift-events'] as const,
  modelVersion: (modelName: string, version: number) => [...lifecycleKeys.models(), modelName, version] as const,
  deployment: (id: string) => [...lifecycleKeys.deployments(), 'one', id] as const,
};

/** Query options per read, bound to an API: what the hooks use, and what Node code can prefetch. */
export function lifecycleQueries(api: LifecycleApi) {
  return {
    experiments: (filter: ExperimentFilter = {}) => pages(lifecycleKeys.experiments(), api.listExperiments, filter),
    experiment: (name: string, best?: { metric: string; mode: 'max' | 'min' }) =>
      queryOptions({ queryKey: [...lifecycleKeys.experiments(), 'one', name, best ?? null], queryFn: () => api.getExperiment(name, best) }),
    runs: (filter: RunFilter = {}) => pages(lifecycleKeys.runs(), api.listRuns, filter),
    run: (runId: string) => queryOptions({ queryKey: [...lifecycleKeys.runs(), 'one', runId], queryFn: () => api.getRun(runId) }),
    metricHistory: (runId: string, key: string) =>
      queryOptions({ queryKey: [...lifecycleKeys.runs(), 'one', runId, 'metric', key], queryFn: () => fullMetricHistory(api, runId, key) }),
    modelVersions: (filter: ModelVersionFilter = {}) => pages(lifecycleKeys.models(), api.listModelVersions, filter),
    modelVersion: (modelName: string, version: number) =>
      queryOptions({ queryKey: lifecycleKeys.modelVersion(modelName, version), queryFn: () => api.getModelVersion(modelName, version) }),
    comparison: (modelName: string, versions: number[]) =>
      queryOptions({
        queryKey: [...lifecycleKeys.models(), modelName, 'compare', versions],
        queryFn: async (): Promise<Comparison> => (await api.compareModelVersions(modelName, { versions })).data,
        enabled: versions.length >= 2,
      }),
    deployments: (filter: DeploymentFilter = {}) => pages(lifecycleKeys.deployments(), api.listDeployments, filter),
    deployment: (id: string) => queryOptions({ queryKey: lifecycleKeys.deployment(id), queryFn: () => api.getDeployment(id) }),
    driftEvents: (filter: DriftEventFilter = {}) => pages(lifecycleKeys.driftEvents(), api.listDriftEvents, filter),
  };
}

export type ModelVersionChange = components['schemas']['UpdateModelVersionDto'];
export type DeploymentCommand =
  | { type: 'move'; status: 'validating' | 'deploying' | 'active' | 'failed'; reason?: string }
  | { type: 'report'; health: Deployment['health']; metrics?: Deployment['metrics'] }
  | { type: 'promote' }
  | { type: 'rollback'; reason?: string }
  | { type: 'terminate' };

/**
 * Mutation options per change. Each sends If-Match from the ETag its resource was read with (a
 * 412 means someone else changed it first), stores the answer, and invalidates its entity's lists.
 */
export function lifecycleMutations(api: LifecycleApi, queryClient: QueryClient) {
  return {
    modelVersion: (modelName: string, version: number) => {
      const key = lifecycleKeys.modelVersion(modelName, version);
      return {
        mutationFn: (change: ModelVersionChange) => api.updateModelVersion(modelName, version, change, etagOf(queryClient, key)),
        onSuccess: async (answer: Tagged<ModelVersion | Accepted>) => {
          await storeAnswer(queryClient, key, answer);
          // Promotion archives the previous production version: every version's view may change.
          await queryClient.invalidateQueries({ queryKey: lifecycleKeys.models(), predicate: (q) => q.queryKey !== key });
        },
      };
    },
    deployment: (id: string) => {
      const key = lifecycleKeys.deployment(id);
      return {
        mutationFn: (command: DeploymentCommand): Promise<Tagged<Deployment | Accepted>> => {
          const etag = etagOf(queryClient, key);
          switch (command.type) {
            case 'move':
              return api.updateDeployment(id, { status: command.status, ...(command.reason ? { reason: command.reason } : {}) }, etag);
            case 'report':
              return api.updateDeployment(id, { health: command.health, ...(command.metrics ? { metrics: command.metrics } : {}) }, etag);
            case 'promote':
              return api.promoteDeployment(id, etag);
            case 'rollback':
              return api.rollBackDeployment(id, command.reason, etag);
            case 'terminate':
              return api.terminateDeployment(id, etag);
          }
        },
        onSuccess: async (answer: Tagged<Deployment | Accepted>) => {
          await storeAnswer(queryClient, key, answer);
          // A promotion terminates the model's other live deployments in the environment.
          await queryClient.invalidateQueries({ queryKey: lifecycleKeys.deployments(), predicate: (q) => q.queryKey !== key });
        },
      };
    },
  };
}

const useLifecycle = () => {
  const { lifecycle } = useApis();
  return { api: lifecycle, queries: lifecycleQueries(lifecycle) };
};

export function useExperiments(filter: ExperimentFilter = {}) {
  return useInfiniteQuery(useLifecycle().queries.experiments(filter));
}
export function useExperiment(name: string, best?: { metric: string; mode: 'max' | 'min' }) {
  return useQuery(useLifecycle().queries.experiment(name, best));
}
export function useRuns(filter: RunFilter = {}) {
  return useInfiniteQuery(useLifecycle().queries.runs(filter));
}
export function useRun(runId: string) {
  return useQuery(useLifecycle().queries.run(runId));
}
/** Several runs at once, for overlaid charts and the params diff. */
export function useRunsById(runIds: string[]) {
  const { queries } = useLifecycle();
  return useQueries({ queries: runIds.map((id) => queries.run(id)) });
}
export function useMetricHistory(runId: string, key: string) {
  return useQuery(useLifecycle().queries.metricHistory(runId, key));
}
export function useMetricHistories(series: { runId: string; key: string }[]) {
  const { queries } = useLifecycle();
  return useQueries({ queries: series.map(({ runId, key }) => queries.metricHistory(runId, key)) });
}
export function useModelVersions(filter: ModelVersionFilter = {}) {
  return useInfiniteQuery(useLifecycle().queries.modelVersions(filter));
}
export function useModelVersion(modelName: string, version: number) {
  return useQuery(useLifecycle().queries.modelVersion(modelName, version));
}
export function useModelComparison(modelName: string, versions: number[]) {
  return useQuery(useLifecycle().queries.comparison(modelName, versions));
}
export function useDeployments(filter: DeploymentFilter = {}) {
  return useInfiniteQuery(useLifecycle().queries.deployments(filter));
}
export function useDeployment(id: string) {
  return useQuery(useLifecycle().queries.deployment(id));
}
export function useDriftEvents(filter: DriftEventFilter = {}) {
  return useInfiniteQuery(useLifecycle().queries.driftEvents(filter));
}

export function useUpdateModelVersion(modelName: string, version: number) {
  const queryClient = useQueryClient();
  const mutation = useMutation(lifecycleMutations(useLifecycle().api, queryClient).modelVersion(modelName, version));
  return withReload(mutation, queryClient, lifecycleKeys.modelVersion(modelName, version));
}

export function useDeploymentCommand(id: string) {
  const queryClient = useQueryClient();
  const mutation = useMutation(lifecycleMutations(useLifecycle().api, queryClient).deployment(id));
  return withReload(mutation, queryClient, lifecycleKeys.deployment(id));
}
