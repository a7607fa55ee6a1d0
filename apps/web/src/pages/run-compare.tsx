import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { paramsDiff, type Run, useMetricHistories, useRunsById } from '@mlops/client';
import { MetricChart, ProblemView, Section } from '../components';

function OverlaidChart({ runs, metric }: { runs: Run[]; metric: string }) {
  const withMetric = runs.filter((run) => run.metrics.some((m) => m.key === metric));
  const histories = useMetricHistories(withMetric.map((run) => ({ runId: run.run_id, key: metric })));
  const failed = histories.find((h) => h.error);
  const ready = histories.every((h) => h.data);
  // Redraw only when some history changed, not on every render's new array.
  const stamp = histories.map((h) => h.dataUpdatedAt).join();
  const series = useMemo(
    () => (ready ? withMetric.map((run, i) => ({ label: run.name, points: histories[i].data! })) : []),
    [ready, stamp],
  );
  if (failed) return <ProblemView error={failed.error} />;
  if (!ready) return <p className="loading">Loading {metric}…</p>;
  return <MetricChart title={metric} series={series} />;
}

export function RunComparePage() {
  const [search] = useSearchParams();
  const ids = (search.get('runs') ?? '').split(',').filter(Boolean);
  const queries = useRunsById(ids);
  const failed = queries.find((q) => q.error);
  if (ids.length < 2) return <p className="empty">Select two or more runs on an experiment page to compare them.</p>;
  if (failed) return <ProblemView error={failed.error} />;
  if (queries.some((q) => !q.data)) return <p className="loading">Loading…</p>;
  const runs = queries.map((q) => q.data!.data);
  const metrics = [...new Set(runs.flatMap((r) => r.metrics.map((m) => m.key)))].sort();
  const diff = paramsDiff(runs);
  return (
    <>
      <Section title={`Comparing ${runs.length} runs`}>
        <ul className="inline">
          {runs.map((run) => (
            <li key={run.run_id}>
              <Link to={`/runs/${run.run_id}`}>{run.name}</Link>
            </li>
          ))}
        </ul>
      </Section>
      <Section title="Params that differ">
        {diff.length === 0 ? (
          <p className="empty">The runs have the same params.</p>
        ) : (
          <table className="params-diff">
            <thead>
              <tr>
                <th>Param</th>
                {runs.map((run) => (
                  <th key={run.run_id}>{run.name}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {diff.map((row) => (
                <tr key={row.key}>
                  <th>{row.key}</th>
                  {row.values.map((value, i) => (
                    <td key={i}>{value === null ? '—' : String(value)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Metrics">
        {metrics.length === 0 ? (
          <p className="empty">No metrics logged.</p>
        ) : (
          <div className="charts">
            {metrics.map((metric) => (
              <OverlaidChart key={metric} runs={runs} metric={metric} />
            ))}
          </div>
        )}
      </Section>
    </>
  );
}
