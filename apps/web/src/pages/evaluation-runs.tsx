import { Link, useSearchParams } from 'react-router-dom';
import { type EvaluationRunFilter, flatten, useEvaluationRuns } from '@mlops/client';
import { Badge, formatNumber, formatTime, ListPage } from '../components';
import { FilterBar } from '../forms';

const FILTERS = ['scenario_name', 'status', 'model_name', 'model_version'] as const;

/** Evaluation runs; the filters live in the URL so a model version can link to its runs. */
export function EvaluationRunsPage() {
  const [search, setSearch] = useSearchParams();
  const filter = Object.fromEntries(
    FILTERS.filter((k) => search.get(k)).map((k) => [k, k === 'model_version' ? Number(search.get(k)) : search.get(k)]),
  ) as EvaluationRunFilter;
  const query = useEvaluationRuns(filter);
  const runs = flatten(query.data);
  const set = (change: Partial<EvaluationRunFilter>) => {
    const next = new URLSearchParams(search);
    for (const [key, value] of Object.entries(change)) {
      if (value) next.set(key, String(value));
      else next.delete(key);
    }
    setSearch(next, { replace: true });
  };
  return (
    <ListPage
      title="Evaluation runs"
      actions={<Link to="/evaluation/scenarios">Scenarios</Link>}
      filters={
        <>
          <FilterBar
            filter={filter}
            set={set}
            fields={[
              { key: 'scenario_name', label: 'Scenario' },
              { key: 'status', label: 'Status', choices: ['queued', 'running', 'completed', 'failed'] },
              { key: 'model_name', label: 'Model' },
              { key: 'model_version', label: 'Model version', type: 'number', min: 1 },
            ]}
          />
          <span className="hint">Queued and running runs update by themselves.</span>
        </>
      }
      query={query}
      items={runs}
      empty="No evaluation runs match."
      className="evaluation-runs"
      columns={['Run', 'Status', 'Scenario', 'Model version', 'Cases', 'Gate', 'Metrics', 'Queued']}
      row={(run) => (
        <tr key={run.run_id} data-run={run.run_id} data-status={run.status}>
          <td>
            <Link to={`/evaluation/runs/${run.run_id}`}>{run.run_id.slice(0, 8)}</Link>
          </td>
          <td>
            <Badge kind="run" value={run.status} />
          </td>
          <td>
            <Link to={`/evaluation/scenarios/${encodeURIComponent(run.scenario_name)}?version=${run.scenario_version}`}>
              {run.scenario_name} v{run.scenario_version}
            </Link>
          </td>
          <td>
            <Link to={`/models/${encodeURIComponent(run.model_name)}/${run.model_version}`}>
              {run.model_name} v{run.model_version}
            </Link>
          </td>
          <td className="num">{run.case_count}</td>
          <td>{run.gate ? <Badge kind="gate" value={run.gate.status} /> : '—'}</td>
          <td className="long">
            {run.metrics
              .slice(0, 4)
              .map((m) => `${m.key} ${formatNumber(m.value)}`)
              .join(' · ')}
          </td>
          <td>{formatTime(run.queued_at)}</td>
        </tr>
      )}
    />
  );
}
