import { Link, useParams } from 'react-router-dom';
import { type EvaluationReport, isSettled, useEvaluationReport, useEvaluationRun } from '@mlops/client';
import { Badge, formatNumber, formatTime, ProblemView, Section, Table } from '../components';
import { ConfusionHeatmap, RocChart, SmallBar } from '../visuals';

export function EvaluationReportPage() {
  const runId = useParams().runId!;
  const run = useEvaluationRun(runId);
  const status = run.data?.data.status;
  const report = useEvaluationReport(runId, status === 'completed');
  if (run.isPending) return <p className="loading">Loading…</p>;
  if (run.error) return <ProblemView error={run.error} />;
  const r = run.data.data;
  return (
    <>
      <Section title={`Evaluation run ${r.run_id.slice(0, 8)}`}>
        <div className="facts">
          <div data-testid="run-status">
            <Badge kind="run" value={r.status} /> {r.scenario_name} v{r.scenario_version} on {r.model_name} v{r.model_version} · {r.case_count} cases · queued{' '}
            {formatTime(r.queued_at)} by {r.queued_by}
            {r.completed_at && ` · completed ${formatTime(r.completed_at)}`}
          </div>
          {!isSettled(r.status) && <p className="loading">The run is {r.status}; this page follows it.</p>}
          {r.failure_reason && <p className="problem">{r.failure_reason}</p>}
        </div>
      </Section>
      {report.error && <ProblemView error={report.error} />}
      {status === 'completed' && report.isPending && <p className="loading">Loading the report…</p>}
      {report.data && <Report report={report.data} />}
    </>
  );
}

function Report({ report }: { report: EvaluationReport }) {
  const lineage = report.compliance.lineage;
  const card = report.compliance.model_card;
  const thresholdOf = (metric: string) => report.gate.thresholds.find((t) => t.metric === metric);
  const wrong = report.error_analysis.items;
  const importance = report.explainability.feature_importance;
  const maxImportance = Math.max(0, ...importance.map((f) => f.mean_abs_attribution));
  return (
    <>
      <Section title="Metrics and gate" actions={<Badge kind="gate" value={report.gate.status} />}>
        <Table className="report-metrics" columns={['Metric', 'Value', 'Threshold', 'Result']}>
          {report.metrics.map((m) => {
            const t = thresholdOf(m.key);
            return (
              <tr key={m.key} data-metric={m.key}>
                <td>{m.key}</td>
                <td className="num">{m.value === null ? <span title={m.reason}>undefined</span> : formatNumber(m.value)}</td>
                <td>{t ? [t.min !== null && `≥ ${t.min}`, t.max !== null && `≤ ${t.max}`].filter(Boolean).join(', ') : '—'}</td>
                <td>{t ? <Badge kind="result" value={t.passed ? 'pass' : 'fail'} /> : '—'}</td>
              </tr>
            );
          })}
        </Table>
      </Section>
      {report.confusion_matrix && (
        <Section title="Confusion matrix">
          <p className="hint">Rows: actual class; columns: predicted. Shade: share of the actual class’s cases.</p>
          <ConfusionHeatmap labels={report.confusion_matrix.labels} rows={report.confusion_matrix.rows} />
        </Section>
      )}
      {report.roc_curve && <RocSection roc={report.roc_curve} />}
      {report.slices.items.length > 0 && (
        <Section title={`Slices, worst first${report.slices.ranked_by ? ` by ${report.slices.ranked_by.metric}` : ''}`}>
          <table className="slices">
            <thead>
              <tr>
                <th>Slice</th>
                <th>Cases</th>
                {report.metrics.map((m) => (
                  <th key={m.key}>{m.key}</th>
                ))}
                <th>Gate</th>
              </tr>
            </thead>
            <tbody>
              {report.slices.items.map((s) => (
                <tr key={`${s.key}=${String(s.value)}`} data-slice={`${s.key}=${String(s.value)}`}>
                  <td>
                    {s.key} = {String(s.value)}
                  </td>
                  <td className="num">{s.case_count}</td>
                  {report.metrics.map((m) => (
                    <td key={m.key} className="num">
                      {formatNumber(s.metrics.find((x) => x.key === m.key)?.value)}
                    </td>
                  ))}
                  <td>
                    <Badge kind="gate" value={s.gate.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      )}
      <Section title={`Error analysis: ${report.error_analysis.kind.replace(/_/g, ' ')} (${report.error_analysis.total})`}>
        {wrong.length === 0 ? (
          <p className="empty">None.</p>
        ) : (
          <Table className="errors" columns={['Case', 'Expected', 'Predicted', 'Confidence / error']}>
            {wrong.map((item, i) => (
              <tr key={i} data-case={String(item.id)}>
                <td>{String(item.id)}</td>
                <td>{String(item.expected ?? '—')}</td>
                <td className="long">{String(item.predicted ?? item.output ?? '—')}</td>
                <td className="num">{formatNumber((item.confidence ?? item.error ?? null) as number | null)}</td>
              </tr>
            ))}
          </Table>
        )}
      </Section>
      <Section title="Feature importance">
        {!report.explainability.available ? (
          <p className="empty">{report.explainability.reason ?? 'No attributions were supplied.'}</p>
        ) : (
          <table className="importance">
            <tbody>
              {importance.map((f) => (
                <tr key={f.feature} data-feature={f.feature}>
                  <th>{f.feature}</th>
                  <td>
                    <SmallBar value={f.mean_abs_attribution} max={maxImportance} />
                  </td>
                  <td className="num">mean {formatNumber(f.mean_attribution)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Model card and lineage">
        <ul className="lineage">
          <li>
            model version{' '}
            <Link data-lineage="model" to={`/models/${encodeURIComponent(lineage.model.model_name)}/${lineage.model.version}`}>
              {lineage.model.model_name} v{lineage.model.version}
            </Link>{' '}
            (stage {lineage.model.stage_at_queue ?? '—'} when queued, {lineage.model.stage_now ?? '—'} now)
            {lineage.model.run_id && (
              <>
                {' '}
                · training run <Link to={`/runs/${lineage.model.run_id}`}>{lineage.model.run_id.slice(0, 8)}</Link>
              </>
            )}
          </li>
          <li>
            scenario{' '}
            <Link data-lineage="scenario" to={`/evaluation/scenarios/${encodeURIComponent(lineage.scenario.name)}?version=${lineage.scenario.version}`}>
              {lineage.scenario.name} v{lineage.scenario.version}
            </Link>
          </li>
          <li>
            data{' '}
            {lineage.dataset ? (
              <>
                <Link data-lineage="dataset" to={`/datasets/${encodeURIComponent(lineage.dataset.dataset_id)}`}>
                  {lineage.dataset.dataset_id}
                </Link>{' '}
                ({lineage.dataset.row_count_at_run ?? '—'} rows, sha256 {lineage.dataset.content_sha256_at_run ?? '—'})
              </>
            ) : (
              'inline cases'
            )}
          </li>
          <li className="long">
            cases sha256 {lineage.run.cases_sha256} · predictions sha256 {lineage.run.predictions_sha256}
          </li>
          <li>owners {card.model_details.owners.map((o) => o.name).join(', ') || '—'}</li>
          {card.considerations.limitations.map((l, i) => (
            <li key={i} className="long">
              limitation: {l.description}
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}

/** The ROC curve per class (binary: the positive class), or plainly why there is none. */
function RocSection({ roc }: { roc: NonNullable<EvaluationReport['roc_curve']> }) {
  const capped = roc.curves.filter((c) => c.point_count > c.fpr.length);
  return (
    <Section title="ROC curve">
      {roc.curves.length === 0 ? (
        <p className="empty" data-testid="roc-none">
          No scores: {roc.reason}
        </p>
      ) : (
        <>
          <RocChart curves={roc.curves} />
          {capped.length > 0 && (
            <p className="hint">
              Drawn from {roc.max_points} points spread along each curve ({capped.map((c) => `${String(c.label)}: ${c.point_count}`).join(', ')} in all); the AUC is of the whole curve.
            </p>
          )}
          {roc.curves
            .filter((c) => c.reason)
            .map((c) => (
              <p key={String(c.label)} className="hint">
                {String(c.label)}: {c.reason}
              </p>
            ))}
        </>
      )}
    </Section>
  );
}
