import { queryOptions, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { type EvaluationApi, type EvaluationRunFilter, isSettled, type QueueRun, type ScenarioFilter } from '../evaluation';
import type { components } from '../schema';
import { useApis } from './api-context';
import { flatten, pages, useTaggedChange } from './query-kit';

export const evaluationKeys = {
  all: ['evaluation'] as const,
  scenarios: () => [...evaluationKeys.all, 'scenarios'] as const,
  scenario: (name: string) => [...evaluationKeys.scenarios(), 'one', name] as const,
  runs: () => [...evaluationKeys.all, 'runs'] as const,
  run: (runId: string) => [...evaluationKeys.runs(), 'one', runId] as const,
};

/** How often a view asks again while a run is queued or running (the worker moves it in seconds). */
const WHILE_RUNNING_MS = 1_000;

export function evaluationQueries(api: EvaluationApi) {
  return {
    scenarios: (filter: ScenarioFilter = {}) => pages(evaluationKeys.scenarios(), api.listScenarios, filter),
    scenario: (name: string) => queryOptions({ queryKey: evaluationKeys.scenario(name), queryFn: () => api.getScenario(name) }),
    scenarioVersion: (name: string, version: number) =>
      queryOptions({ queryKey: [...evaluationKeys.scenario(name), 'version', version], queryFn: () => api.scenarioVersion(name, version) }),
    runs: (filter: EvaluationRunFilter = {}) => pages(evaluationKeys.runs(), api.listRuns, filter),
    run: (runId: string) => queryOptions({ queryKey: evaluationKeys.run(runId), queryFn: () => api.getRun(runId) }),
    report: (runId: string) => queryOptions({ queryKey: [...evaluationKeys.run(runId), 'report'], queryFn: async () => (await api.report(runId)).data }),
  };
}

/** The Evaluation Harness's API and query options, bound to the client of the nearest ApiProvider. */
export function useEvaluationHarness() {
  const { evaluation } = useApis();
  return { api: evaluation, queries: evaluationQueries(evaluation) };
}

export const useScenarios = (filter: ScenarioFilter = {}) => useInfiniteQuery(useEvaluationHarness().queries.scenarios(filter));
export const useScenario = (name: string) => useQuery(useEvaluationHarness().queries.scenario(name));
export const useScenarioVersion = (name: string, version: number) => useQuery(useEvaluationHarness().queries.scenarioVersion(name, version));

/** Runs, asked again every second while any listed run is still queued or running. */
export function useEvaluationRuns(filter: EvaluationRunFilter = {}) {
  return useInfiniteQuery({
    ...useEvaluationHarness().queries.runs(filter),
    refetchInterval: (query) => (flatten(query.state.data).some((run) => !isSettled(run.status)) ? WHILE_RUNNING_MS : false),
  });
}
/** One run, asked again every second until it completes or fails. */
export function useEvaluationRun(runId: string) {
  return useQuery({
    ...useEvaluationHarness().queries.run(runId),
    refetchInterval: (query) => (query.state.data && isSettled(query.state.data.data.status) ? false : WHILE_RUNNING_MS),
  });
}
export function useEvaluationReport(runId: string, enabled = true) {
  return useQuery({ ...useEvaluationHarness().queries.report(runId), enabled });
}

export function useQueueEvaluationRun() {
  const { api } = useEvaluationHarness();
  return useTaggedChange(evaluationKeys.runs(), evaluationKeys.runs(), (body: QueueRun) => api.queueRun(body));
}
export function useCreateScenario() {
  const { api } = useEvaluationHarness();
  return useTaggedChange(evaluationKeys.scenarios(), evaluationKeys.scenarios(), (body: components['schemas']['CreateScenarioDto']) => api.createScenario(body));
}
export function useUpdateScenario(name: string) {
  const { api } = useEvaluationHarness();
  return useTaggedChange(evaluationKeys.scenario(name), evaluationKeys.scenarios(), (change: components['schemas']['UpdateScenarioDto'], etag) =>
    api.updateScenario(name, change, etag),
  );
}
