import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { flatten, type RunFilter, sortRuns, useExperiment, useRuns } from '@mlops/client';
import { Badge, formatNumber, formatTime, ListState, LoadMore, ProblemView, Section } from '../components';

type Column = { kind: 'metric' | 'param'; key: string };

export function ExperimentPage() {
  const name = useParams().name!;
  const navigate = useNavigate();
  const [status, setStatus] = useState<RunFilter['status']>();
  const [sort, setSort] = useState<{ column: Column; direction: 'asc' | 'desc' } | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const best = sort?.column.kind === 'metric' ? { metric: sort.column.key, mode: sort.direction === 'desc' ? ('max' as const) : ('min' as const) } : undefined;
  const experiment = useExperiment(name, best);
  // A metric sorts server-side, page after page (the runs API orders by its latest-value index);
  // a param sorts the pages loaded so far.
  const byMetric = sort?.column.kind === 'metric' ? { sort_metric: sort.column.key, order: sort.direction } : null;
  const runsQuery = useRuns({ experiment_name: name, ...(byMetric ?? (status ? { status } : {})) });
  const runs = flatten(runsQuery.data);
  // The columns stay those of every run, whichever subset the current sort lists.
  const allRuns = flatten(useRuns({ experiment_name: name }).data);
  const metricKeys = useMemo(() => [...new Set(allRuns.flatMap((r) => r.metrics.map((m) => m.key)))].sort(), [allRuns]);
  const paramKeys = useMemo(() => [...new Set(allRuns.flatMap((r) => r.params.map((p) => p.key)))].sort(), [allRuns]);
  const shown = sort && !byMetric ? sortRuns(runs, sort.column, sort.direction) : runs;

  const toggleSort = (column: Column) =>
    setSort((s) =>
      s && s.column.kind === column.kind && s.column.key === column.key
        ? { column, direction: s.direction === 'desc' ? 'asc' : 'desc' }
        : { column, direction: 'desc' },
    );
  const arrow = (column: Column) =>
    sort && sort.column.kind === column.kind && sort.column.key === column.key ? (sort.direction === 'desc' ? ' ▼' : ' ▲') : '';
  const toggle = (runId: string) => setSelected((s) => (s.includes(runId) ? s.filter((id) => id !== runId) : [...s, runId]));

  if (experiment.error) return <ProblemView error={experiment.error} />;
  const detail = experiment.data?.data;
  return (
    <>
      <Section title={`Experiment ${name}`}>
        {!detail ? (
          <p className="loading">Loading…</p>
        ) : (
          <div className="facts">
            <div>
              <Badge kind="status" value={detail.status} /> owner {detail.owner} · created {formatTime(detail.created_at)} by {detail.created_by}
            </div>
            {detail.description && <p className="long">{detail.description}</p>}
            <div className="counts" data-testid="run-counts">
              {(['total', 'running', 'completed', 'failed', 'killed'] as const).map((k) => (
                <span key={k} className="count">
                  <strong>{detail.run_counts[k]}</strong> {k}
                </span>
              ))}
            </div>
            {best && (
              <div className="best-run" data-testid="best-run">
                Best run by {best.metric} ({best.mode}):{' '}
                {detail.best_run ? (
                  <>
                    <Link to={`/runs/${detail.best_run.run_id}`}>{runs.find((r) => r.run_id === detail.best_run!.run_id)?.name ?? detail.best_run.run_id}</Link> ={' '}
                    {formatNumber(detail.best_run.value)}
                  </>
                ) : (
                  'none has it'
                )}
              </div>
            )}
          </div>
        )}
      </Section>
      <Section
        title="Runs"
        actions={
          <button disabled={selected.length < 2} onClick={() => navigate(`/runs/compare?runs=${selected.join(',')}`)}>
            Compare {selected.length || ''} selected
          </button>
        }
      >
        <div className="filters">
          <label>
            Status
            <select disabled={byMetric !== null} value={status ?? ''} onChange={(e) => setStatus((e.target.value || undefined) as RunFilter['status'])}>
              <option value="">any</option>
              {['running', 'completed', 'failed', 'killed'].map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <span className="hint">
            {byMetric
              ? `Sorted by ${byMetric.sort_metric} on the server; runs that never logged it are not listed, and the status filter waits.`
              : 'Click a metric or param heading to sort by it.'}
          </span>
        </div>
        <ListState query={runsQuery} empty="No runs yet." count={runs.length} />
        {runs.length > 0 && (
          <div className="table-scroll">
            <table className="runs">
              <thead>
                <tr>
                  <th />
                  <th>Run</th>
                  <th>Status</th>
                  <th>Started</th>
                  {metricKeys.map((key) => (
                    <th key={`m:${key}`} className="sortable metric" onClick={() => toggleSort({ kind: 'metric', key })}>
                      {key}
                      {arrow({ kind: 'metric', key })}
                    </th>
                  ))}
                  {paramKeys.map((key) => (
                    <th key={`p:${key}`} className="sortable param" onClick={() => toggleSort({ kind: 'param', key })}>
                      {key}
                      {arrow({ kind: 'param', key })}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {shown.map((run) => (
                  <tr key={run.run_id} data-run={run.name}>
                    <td>
                      <input type="checkbox" aria-label={`select ${run.name}`} checked={selected.includes(run.run_id)} onChange={() => toggle(run.run_id)} />
                    </td>
                    <td>
                      <Link to={`/runs/${run.run_id}`}>{run.name}</Link>
                    </td>
                    <td>
                      <Badge kind="run" value={run.status} />
                    </td>
                    <td>{formatTime(run.start_time)}</td>
                    {metricKeys.map((key) => (
                      <td key={`m:${key}`} className="num">
                        {formatNumber(run.metrics.find((m) => m.key === key)?.value)}
                      </td>
                    ))}
                    {paramKeys.map((key) => (
                      <td key={`p:${key}`}>{String(run.params.find((p) => p.key === key)?.value ?? '—')}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <LoadMore query={runsQuery} />
      </Section>
    </>
  );
}
