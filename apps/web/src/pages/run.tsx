import { Link, useParams } from 'react-router-dom';
import { type Run, useMetricHistory, useRun } from '@mlops/client';
import { Badge, formatNumber, formatTime, MetricChart, ProblemView, KeyValues, Section, Table } from '../components';
import { useMemo } from 'react';

function MetricHistoryChart({ run, metric }: { run: Run; metric: string }) {
  const history = useMetricHistory(run.run_id, metric);
  const series = useMemo(() => (history.data ? [{ label: run.name, points: history.data }] : []), [history.data, run.name]);
  if (history.isPending) return <p className="loading">Loading {metric}…</p>;
  if (history.error) return <ProblemView error={history.error} />;
  return <MetricChart title={metric} series={series} />;
}

export function RunPage() {
  const runId = useParams().runId!;
  const query = useRun(runId);
  if (query.isPending) return <p className="loading">Loading…</p>;
  if (query.error) return <ProblemView error={query.error} />;
  const run = query.data.data;
  return (
    <>
      <Section title={`Run ${run.name}`}>
        <div className="facts">
          <div>
            <Badge kind="run" value={run.status} /> in <Link to={`/experiments/${encodeURIComponent(run.experiment_name)}`}>{run.experiment_name}</Link>
          </div>
          <div>
            started {formatTime(run.start_time)} · ended {formatTime(run.end_time)} · last change {formatTime(run.updated_at)} by {run.updated_by}
          </div>
          {run.tags.length > 0 && <div className="tags">tags: {run.tags.join(', ')}</div>}
        </div>
      </Section>
      <Section title="Params">
        {run.params.length === 0 ? (
          <p className="empty">No params.</p>
        ) : (
          <KeyValues className="params" valueClassName="long" entries={run.params.map((p) => ({ key: p.key, value: String(p.value) }))} />
        )}
      </Section>
      <Section title="Metrics">
        {run.metrics.length === 0 ? (
          <p className="empty">No metrics logged.</p>
        ) : (
          <>
            <Table className="latest" columns={['Metric', 'Latest', 'Step']}>
              {run.metrics.map((m) => (
                <tr key={m.key}>
                  <td>{m.key}</td>
                  <td className="num">{formatNumber(m.value)}</td>
                  <td className="num">{m.step}</td>
                </tr>
              ))}
            </Table>
            <div className="charts">
              {run.metrics.map((m) => (
                <MetricHistoryChart key={m.key} run={run} metric={m.key} />
              ))}
            </div>
          </>
        )}
      </Section>
    </>
  );
}
