import Papa from 'papaparse';
import { type ApiClient, ok } from './client';
import type { components, operations } from './schema';

type Schemas = components['schemas'];
type Query<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;

export type Scenario = Schemas['ScenarioDto'];
export type ScenarioVersion = Schemas['ScenarioVersionDto'];
export type EvaluationRun = Schemas['EvaluationRunDto'];
export type EvaluationRunStatus = EvaluationRun['status'];
export type Gate = Schemas['GateDto'];
export type QueueRun = Schemas['QueueRunDto'];
export type ScenarioFilter = Omit<Query<'EvaluationScenariosController_list'>, 'cursor'>;
export type EvaluationRunFilter = Omit<Query<'EvaluationRunsController_list'>, 'cursor'>;

type Label = string | number | boolean;
type ReportMetric = Schemas['MetricValueDto'] & { reason?: string };
interface Importance {
  feature: string;
  mean_abs_attribution: number;
  mean_attribution: number;
}

/**
 * The report route's answer. Its OpenAPI operation declares no body schema (it answers JSON or
 * HTML by `format`), so this names the fields the console reads, built on the generated metric
 * and gate types.
 */
export interface EvaluationReport {
  run_id: string;
  status: EvaluationRunStatus;
  scenario_name: string;
  scenario_version: number;
  model_name: string;
  model_version: number;
  task_type: Scenario['task_type'];
  case_count: number;
  metrics: ReportMetric[];
  gate: Gate;
  confusion_matrix: { labels: Label[]; rows: { actual: Label; counts: number[] }[] } | null;
  slices: {
    ranked_by: { metric: string; lower_is_better: boolean } | null;
    items: { key: string; value: Label | null; case_count: number; metrics: ReportMetric[]; gate: Gate }[];
  };
  error_analysis: { kind: 'most_confident_wrong' | 'largest_errors' | 'failed_text_checks'; total: number; items: Record<string, unknown>[] };
  assertions: { type: string; value: string | null; passed: number; evaluated: number; pass_rate: number | null }[];
  explainability: { available: boolean; reason: string | null; method: string | null; feature_importance: Importance[] };
  compliance: {
    model_card: Record<string, unknown>;
    lineage: {
      scenario: { name: string; version: number };
      dataset: { dataset_id: string; name: string; row_count_at_run: number | null; content_sha256_at_run: string | null } | null;
      model: { model_name: string; version: number; run_id?: string; artifact_uri?: string; stage_at_queue: string | null; stage_now: string | null };
      run: { run_id: string; started_by: string; queued_at: string; completed_at: string | null; cases_sha256: string; predictions_sha256: string };
    };
  };
}

const BASE = '/api/v1/ml/evaluation';
const ifMatch = (etag: string | null | undefined) => (etag ? { 'If-Match': etag } : undefined);

/** The Evaluation Harness API over the typed client: each call answers its data and ETag or throws ApiError. */
export function evaluationApi(client: ApiClient) {
  return {
    listScenarios: (filter: ScenarioFilter = {}, cursor?: string) => ok(client.GET(`${BASE}/scenarios`, { params: { query: { ...filter, cursor } } })),
    getScenario: (name: string) => ok(client.GET(`${BASE}/scenarios/{name}`, { params: { path: { name } } })),
    scenarioVersion: (name: string, version: number) =>
      ok(client.GET(`${BASE}/scenarios/{name}/versions/{version}`, { params: { path: { name, version } } })),
    createScenario: (body: Schemas['CreateScenarioDto']) => ok(client.POST(`${BASE}/scenarios`, { body })),
    updateScenario: (name: string, body: Schemas['UpdateScenarioDto'], etag?: string | null) =>
      ok(client.PATCH(`${BASE}/scenarios/{name}`, { params: { path: { name }, header: ifMatch(etag) }, body })),

    listRuns: (filter: EvaluationRunFilter = {}, cursor?: string) => ok(client.GET(`${BASE}/runs`, { params: { query: { ...filter, cursor } } })),
    getRun: (runId: string) => ok(client.GET(`${BASE}/runs/{run_id}`, { params: { path: { run_id: runId } } })),
    queueRun: (body: QueueRun) => ok(client.POST(`${BASE}/runs`, { body })),
    report: async (runId: string) => {
      const answer = await ok(client.GET(`${BASE}/runs/{run_id}/report`, { params: { path: { run_id: runId }, query: { format: 'json' } }, parseAs: 'json' }));
      return { ...answer, data: answer.data as unknown as EvaluationReport };
    },
  };
}

export type EvaluationApi = ReturnType<typeof evaluationApi>;

/** A run still moving (queued → running): its views poll until it settles. */
export const isSettled = (status: EvaluationRunStatus) => status === 'completed' || status === 'failed';

/**
 * Predictions as the runs API takes them, from a JSON array or a CSV with a header row (`id`,
 * then `label`, `score`, `value` or `text`; `proba:<class>` columns make `probabilities`).
 * Numbers and booleans are typed as papaparse reads them; `id` and `text` stay text.
 */
export function parsePredictions(text: string, format: 'json' | 'csv'): Record<string, unknown>[] {
  if (format === 'json') {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) throw new Error('Predictions JSON must be an array of {id, …} objects');
    return parsed as Record<string, unknown>[];
  }
  const { data, errors, meta } = Papa.parse<Record<string, unknown>>(text.trim(), {
    header: true,
    skipEmptyLines: true,
    dynamicTyping: (column) => column !== 'id' && column !== 'text',
  });
  if (errors.length) throw new Error(`CSV row ${(errors[0].row ?? 0) + 2}: ${errors[0].message}`);
  if (!meta.fields?.includes('id')) throw new Error('The CSV needs an `id` column');
  return data.map((row) => {
    const prediction: Record<string, unknown> = {};
    for (const [column, cell] of Object.entries(row)) {
      if (cell === null || cell === '') continue;
      if (!column.startsWith('proba:')) prediction[column] = cell;
      else ((prediction.probabilities ??= {}) as Record<string, unknown>)[column.slice('proba:'.length)] = cell;
    }
    return prediction;
  });
}
