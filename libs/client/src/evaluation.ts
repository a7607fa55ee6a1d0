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

/** The report route's JSON answer (`?format=json`; `html` answers a page). */
export type EvaluationReport = Schemas['EvaluationReportDto'];
export type RocReport = Schemas['RocReportDto'];

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
      // The operation answers JSON or HTML by `format`; asked for JSON, the body is the report.
      return { ...answer, data: answer.data as EvaluationReport };
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

type Thresholds = NonNullable<Schemas['CreateScenarioDto']['thresholds']>;

/** A gate as the console's forms write it: `f1 >= 0.7, log_loss <= 0.5` (both bounds of a metric may be given). */
export function parseThresholds(text: string): Thresholds {
  const thresholds: Thresholds = {};
  for (const part of text.split(/[,;\n]/).map((p) => p.trim()).filter(Boolean)) {
    const match = /^([A-Za-z0-9_]+)\s*(>=|≥|<=|≤)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)$/i.exec(part);
    if (!match) throw new Error(`Gate: “${part}” is not <metric> >= <number> or <metric> <= <number>`);
    const [, metric, op, value] = match;
    const bound = op === '>=' || op === '≥' ? 'min' : 'max';
    thresholds[metric] = { ...thresholds[metric], [bound]: Number(value) };
  }
  return thresholds;
}

/** A scenario's gate in the form's notation (what parseThresholds reads back). */
export const thresholdsText = (thresholds: Scenario['thresholds']) =>
  thresholds.flatMap((t) => [t.min !== null ? `${t.metric} >= ${t.min}` : null, t.max !== null ? `${t.metric} <= ${t.max}` : null].filter((x) => x !== null)).join(', ');

/** Class labels from a comma-separated list: numbers and true/false typed, the rest text. */
export function parseLabels(text: string): Label[] {
  return text
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => (l === 'true' ? true : l === 'false' ? false : /^-?\d+(\.\d+)?$/.test(l) ? Number(l) : l));
}
