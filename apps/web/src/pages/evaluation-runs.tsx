import { Link, useSearchParams } from 'react-router-dom';
import { type EvaluationRunFilter, flatten, useEvaluationRuns } from '@mlops/client';
import { Badge, formatNumber, formatTime, ListPage } from '../components';

const FILTERS = ['scenario_name', 'status', 'model_name', 'model_version'] as const;

/** Evaluation runs; the filters live in the URL so a model version can link to its runs. */
export function EvaluationRunsPage() {
  const [search, setSearch] = useSearchParams();
  const filter = Object.fromEntries(
    FILTERS.filter((k) => search.get(k)).map((k) => [k, k === 'model_version' ? Number(search.get(k)) : search.get(k)]),
  ) as EvaluationRunFilter;
  const query = useEvaluationRuns(filter);
  const runs = flatten(query.data);
  const set = (key: (typeof FILTERS)[number], value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(key, value);
    else next.delete(key);
    setSearch(next, { replace: true });
  };
  return (
    <ListPage
      title="Evaluation runs"
      actions={<Link to="/evaluation/scenarios">Scenarios</Link>}
      filters={
        <>
          <label>
            Scenario
            <input value={filter.scenario_name ?? ''} onChange={(e) => set('scenario_name', e.target.value)} />
          </label>
          <label>
            Status
            <select value={filter.status ?? ''} onChange={(e) => set('status', e.target.value)}>
              <option value="">any</option>
              {['queued', 'running', 'completed', 'failed'].map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label>
            Model
            <input value={filter.model_name ?? ''} onChange={(e) => set('model_name', e.target.value)} />
          </label>
          <label>
            Model version
            <input type="number" min={1} value={filter.model_version ?? ''} onChange={(e) => set('model_version', e.target.value)} />
          </label>
          <span className="hint">Queued and running runs update by themselves.</span>
        </>
      }
      query={query}
      items={runs}
      empty="No evaluation runs match."
      className="evaluation-runs"
      head={
        <>
          <th>Run</th>
          <th>Status</th>
          <th>Scenario</th>
          <th>Model version</th>
          <th>Cases</th>
          <th>Gate</th>
          <th>Metrics</th>
          <th>Queued</th>
        </>
      }
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
