import escapeHtml from 'escape-html';
import Mustache from 'mustache';
import type { EvaluationReportDto } from './report.dto';
import type { ReportContext } from './runs.service';
import { gateStatus } from './evaluate';
import { REPORT_TABLE_PARTIAL, REPORT_TEMPLATE } from './report.template';


/**
 * The report as served: the stored evaluation, plus the compliance section — a model card in the
 * Model Card Toolkit's layout and the run's lineage, from the lifecycle and evaluation events.
 */
export function composeReport({ run, report, scenario, model, dataset }: ReportContext): EvaluationReportDto {
  // The model version as it was when the run was queued; `model` is how it stands now.
  const queuedModel = run.model_at_queue ?? (model ? { stage: model.stage, artifact_uri: model.artifact_uri, run_id: model.run_id, registered_at: model.registered_at, registered_by: model.registered_by } : null);
  const thresholdOf = (metric: string) => scenario.definition.thresholds.find((t) => t.metric === metric);
  const modelCard = {
    model_details: {
      name: run.model_name,
      overview: model?.description ?? '',
      version: { name: String(run.model_version), date: queuedModel?.registered_at ?? null, diff: null },
      owners: queuedModel ? [{ name: queuedModel.registered_by, contact: null }] : [],
      licenses: [],
      references: queuedModel ? [{ reference: queuedModel.artifact_uri }] : [],
      citations: [],
      path: queuedModel?.artifact_uri ?? null,
      documentation: `Evaluated by scenario ${scenario.name} version ${scenario.version}`,
      regulatory_requirements: null,
    },
    model_parameters: {
      model_architecture: null,
      data: [
        {
          name: dataset ? `${dataset.name} (Feature Store dataset ${dataset.dataset_id})` : `scenario ${scenario.name} v${scenario.version} inline cases`,
          path: dataset?.path ?? null,
          link: null,
          sensitive: null,
          description: `${run.case_count} evaluation cases`,
          creation_timestamp: dataset?.registered_at ?? scenario.created_at,
        },
      ],
      input_format: null,
      output_format: report.task_type,
      training_params: model?.params ?? [],
      source_run_id: queuedModel?.run_id ?? null,
      stage: queuedModel?.stage ?? null,
    },
    quantitative_analysis: {
      performance_metrics: [
        ...report.metrics.map((m) => ({
          type: m.key,
          value: m.value,
          slice: 'overall',
          threshold: thresholdOf(m.key) ? { min: thresholdOf(m.key)!.min, max: thresholdOf(m.key)!.max } : null,
          description: m.reason ?? null,
        })),
        ...report.slices.flatMap((s) => s.metrics.map((m) => ({ type: m.key, value: m.value, slice: `${s.key}=${String(s.value)}`, threshold: null, description: m.reason ?? null }))),
      ],
      graphics: { description: 'See the confusion matrix and slices in the report', collection: [] },
    },
    considerations: {
      users: [],
      use_cases: [{ description: `${report.task_type.replace(/_/g, ' ')} evaluated against scenario ${scenario.name}` }],
      limitations: [
        ...report.metrics.filter((m) => m.value === null).map((m) => ({ description: `${m.key} is undefined on this data: ${m.reason}` })),
        ...report.slices.filter((s) => gateStatus(s.gate) === 'failed').slice(0, 10).map((s) => ({ description: `Fails the gate on slice ${s.key}=${String(s.value)} (${s.case_count} cases)` })),
      ],
      tradeoffs: [],
      ethical_considerations: report.slices.length
        ? [{ name: 'Performance differs across slices', mitigation_strategy: `Review the worst slices first (ranked by ${report.slice_ranking?.metric})` }]
        : [],
    },
  };
  const lineage = {
    scenario: { name: scenario.name, version: scenario.version, created_at: scenario.created_at, created_by: scenario.created_by, cases: scenario.definition.cases },
    dataset: dataset
      ? {
          dataset_id: dataset.dataset_id, name: dataset.name, source_type: dataset.source_type, path: dataset.path, table_name: dataset.table_name,
          row_count_at_run: run.dataset?.row_count ?? null, content_sha256_at_run: run.dataset?.content_sha256 ?? null,
          schema: dataset.schema, profile: dataset.profile, profiled_at: dataset.profiled_at,
        }
      : null,
    model: {
      model_name: run.model_name,
      version: run.model_version,
      ...(queuedModel ? { run_id: queuedModel.run_id, artifact_uri: queuedModel.artifact_uri, registered_at: queuedModel.registered_at, registered_by: queuedModel.registered_by } : {}),
      stage_at_queue: queuedModel?.stage ?? null,
      stage_now: model?.stage ?? null,
    },
    run: {
      run_id: run.run_id, started_by: run.queued_by, queued_at: run.queued_at, started_at: run.started_at, completed_at: run.completed_at,
      correlation_id: run.correlation_id, cases_sha256: run.cases_ref.sha256, predictions_sha256: run.predictions_ref.sha256, report_sha256: run.report_ref?.sha256 ?? null,
    },
  };
  return {
    run_id: run.run_id,
    status: run.status,
    scenario_name: run.scenario_name,
    scenario_version: run.scenario_version,
    model_name: run.model_name,
    model_version: run.model_version,
    task_type: report.task_type,
    case_count: report.case_count,
    metrics: report.metrics,
    gate: { ...report.gate, status: gateStatus(report.gate) },
    confusion_matrix: report.confusion_matrix,
    roc_curve: report.roc_curve ?? null,
    slices: { ranked_by: report.slice_ranking, items: report.slices.map((s) => ({ ...s, gate: { ...s.gate, status: gateStatus(s.gate) } })) },
    error_analysis: report.error_analysis,
    assertions: report.assertions,
    explainability: report.explainability,
    compliance: { model_card: modelCard, lineage },
  };
}

export type ComposedReport = EvaluationReportDto;

const formatNumber = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));
/** A value as the page shows it (escaped by the template): numbers to six significant digits, missing as a dash. */
const text = (value: unknown): string =>
  value === null || value === undefined ? '—' : typeof value === 'number' ? formatNumber(value) : typeof value === 'object' ? JSON.stringify(value) : String(value);
const sliceText = (slices: unknown) => (Array.isArray(slices) ? slices.map((s: { key: string; value: unknown }) => `${s.key}=${String(s.value)}`).join(', ') : '');
const table = (headers: string[], rows: unknown[][]) => ({ headers, rows: rows.map((row) => ({ cells: row.map(text) })) });

const ROC_COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];

/** The ROC curves as SVG polylines (y up: 1 - tpr) and a table of each curve's AUC. */
function rocView(roc: ComposedReport['roc_curve']) {
  if (!roc) return null;
  const drawn = roc.curves.filter((c) => c.fpr.length > 1);
  return {
    reason: roc.reason,
    chart: drawn.length
      ? {
          lines: drawn.map((c, i) => ({
            label: `${String(c.label)} (AUC ${text(c.auc)})`,
            colour: ROC_COLOURS[i % ROC_COLOURS.length],
            points: c.fpr.map((x, k) => `${+x.toFixed(4)},${+(1 - c.tpr[k]).toFixed(4)}`).join(' '),
          })),
        }
      : null,
    table: roc.curves.length ? table(['class', 'AUC', 'points', 'note'], roc.curves.map((c) => [c.label, c.auc, c.point_count, c.reason ?? ''])) : null,
  };
}

/** A readable, self-contained HTML page of the report (report.template.ts); every value is escaped. */
export function renderReportHtml(r: ComposedReport): string {
  const card = r.compliance.model_card;
  const lineage = r.compliance.lineage;
  const cm = r.confusion_matrix;
  const ex = r.explainability;
  const view = {
    run_id: text(r.run_id),
    model_name: text(r.model_name),
    model_version: text(r.model_version),
    scenario_name: text(r.scenario_name),
    scenario_version: text(r.scenario_version),
    task_type: text(r.task_type),
    case_count: text(r.case_count),
    gate: {
      [r.gate.status]: true,
      table: table(['metric', 'min', 'max', 'value', 'result'], r.gate.thresholds.map((t) => [t.metric, t.min, t.max, t.value, t.passed ? 'pass' : 'fail'])),
    },
    metrics: table(['metric', 'value', 'note'], r.metrics.map((m) => [m.key, m.value, m.reason ?? ''])),
    confusion_matrix: cm ? table(['actual \\ predicted', ...cm.labels.map(String)], cm.rows.map((row) => [row.actual, ...row.counts])) : null,
    roc: rocView(r.roc_curve),
    ranked_by: r.slices.ranked_by ? text(r.slices.ranked_by.metric) : null,
    slices: table(
      ['slice', 'cases', ...r.metrics.map((m) => m.key), 'gate'],
      r.slices.items.map((s) => [`${s.key} = ${String(s.value)}`, s.case_count, ...s.metrics.map((m) => m.value), s.gate.status === 'not_evaluated' ? 'not evaluated' : s.gate.passed ? 'pass' : 'fail']),
    ),
    error_analysis: {
      kind: text(r.error_analysis.kind.replace(/_/g, ' ')),
      total: text(r.error_analysis.total),
      table: table(
        ['id', 'expected', 'predicted / output', 'confidence / error', 'slices'],
        r.error_analysis.items.map((i) => [i.id, i.expected, i.predicted ?? i.output, i.confidence ?? i.error ?? i.failed_assertions, sliceText(i.slices)]),
      ),
    },
    assertions: r.assertions.length ? table(['type', 'value', 'passed', 'of', 'pass rate'], r.assertions.map((a) => [a.type, a.value, a.passed, a.evaluated, a.pass_rate])) : null,
    explainability: ex.available
      ? {
          available: {
            method: text(ex.method),
            importance: table(['feature', 'mean |attribution|', 'mean attribution'], ex.feature_importance.map((f) => [f.feature, f.mean_abs_attribution, f.mean_attribution])),
            by_slice: table(['slice', 'top features'], ex.by_slice.map((s) => [`${s.key} = ${String(s.value)}`, s.top_features.map((f) => f.feature).join(', ')])),
          },
        }
      : { available: null, reason: text(ex.reason) },
    model_card: table(['field', 'value'], [
      ['name', card.model_details.name],
      ['version', card.model_details.version.name],
      ['overview', card.model_details.overview],
      ['owners', card.model_details.owners.map((o) => o.name).join(', ')],
      ['path', card.model_details.path],
      ['data', card.model_parameters.data.map((d) => d.name).join('; ')],
      ['limitations', card.considerations.limitations.map((l) => l.description).join('; ')],
    ]),
    lineage: table(['what', 'value'], [
      ['scenario', `${lineage.scenario.name} v${lineage.scenario.version} (by ${lineage.scenario.created_by ?? '—'} at ${lineage.scenario.created_at ?? '—'})`],
      ['dataset', lineage.dataset ? `${lineage.dataset.dataset_id} (${lineage.dataset.row_count_at_run} rows, sha256 ${lineage.dataset.content_sha256_at_run ?? '—'})` : 'inline cases'],
      ['model version', `${r.model_name} v${r.model_version} (stage ${lineage.model.stage_at_queue ?? '—'} when queued, ${lineage.model.stage_now ?? '—'} now)`],
      ['started by', lineage.run.started_by],
      ['queued at', lineage.run.queued_at],
      ['completed at', lineage.run.completed_at],
      ['correlation id', lineage.run.correlation_id],
      ['cases sha256', lineage.run.cases_sha256],
      ['predictions sha256', lineage.run.predictions_sha256],
    ]),
  };
  // escape-html rather than mustache's own escaper, which also rewrites `/`, `=` and backticks.
  return Mustache.render(REPORT_TEMPLATE, view, { table: REPORT_TABLE_PARTIAL }, { escape: escapeHtml });
}
