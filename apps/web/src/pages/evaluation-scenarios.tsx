import { type ChangeEvent, type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import {
  flatten,
  parsePredictions,
  type Scenario,
  type ScenarioFilter,
  useModelVersions,
  useQueueEvaluationRun,
  useScenario,
  useScenarios,
  useScenarioVersion,
} from '@mlops/client';
import { formatTime, ListState, LoadMore, ProblemView, Section } from '../components';

const TASKS = ['binary_classification', 'multiclass_classification', 'regression', 'text'] as const;
const thresholdText = (t: Scenario['thresholds'][number]) =>
  `${t.metric}${t.min !== null ? ` ≥ ${t.min}` : ''}${t.min !== null && t.max !== null ? ',' : ''}${t.max !== null ? ` ≤ ${t.max}` : ''}`;
const caseSummary = (cases: Scenario['cases']) =>
  typeof cases.dataset_id === 'string' ? `dataset ${cases.dataset_id}` : typeof cases.case_count === 'number' ? `${cases.case_count} inline cases` : 'cases';

export function ScenariosPage() {
  const [filter, setFilter] = useState<ScenarioFilter>({});
  const query = useScenarios(filter);
  const scenarios = flatten(query.data);
  const set = (change: Partial<ScenarioFilter>) =>
    setFilter((f) => Object.fromEntries(Object.entries({ ...f, ...change }).filter(([, v]) => v !== '' && v !== undefined)));
  return (
    <Section title="Evaluation scenarios" actions={<Link to="/evaluation/runs">Runs</Link>}>
      <div className="filters">
        <label>
          Task
          <select value={filter.task_type ?? ''} onChange={(e) => set({ task_type: (e.target.value || undefined) as ScenarioFilter['task_type'] })}>
            <option value="">any</option>
            {TASKS.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Tag
          <input value={filter.tag ?? ''} onChange={(e) => set({ tag: e.target.value })} />
        </label>
      </div>
      <ListState query={query} empty="No scenarios match." count={scenarios.length} />
      {scenarios.length > 0 && (
        <table className="scenarios">
          <thead>
            <tr>
              <th>Scenario</th>
              <th>Task</th>
              <th>Version</th>
              <th>Cases</th>
              <th>Metrics</th>
              <th>Gate</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {scenarios.map((s) => (
              <tr key={s.name} data-scenario={s.name}>
                <td className="long">
                  <Link to={`/evaluation/scenarios/${encodeURIComponent(s.name)}`}>{s.name}</Link>
                </td>
                <td>{s.task_type}</td>
                <td>v{s.version}</td>
                <td>{caseSummary(s.cases)}</td>
                <td className="long">{s.metrics.join(', ')}</td>
                <td className="long">{s.thresholds.map(thresholdText).join('; ') || 'none'}</td>
                <td>{formatTime(s.updated_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore query={query} />
    </Section>
  );
}

export function ScenarioPage() {
  const name = useParams().name!;
  const [search, setSearch] = useSearchParams();
  const query = useScenario(name);
  if (query.isPending) return <p className="loading">Loading…</p>;
  if (query.error) return <ProblemView error={query.error} />;
  const scenario = query.data.data;
  const shown = Number(search.get('version')) || scenario.version;
  return (
    <>
      <Section title={`Scenario ${scenario.name}`} actions={<Link to={`/evaluation/runs?scenario_name=${encodeURIComponent(name)}`}>its runs</Link>}>
        <div className="facts">
          <div>
            {scenario.task_type} · latest v{scenario.version} · created {formatTime(scenario.created_at)} by {scenario.created_by}
          </div>
          {scenario.description && <p className="long">{scenario.description}</p>}
        </div>
        <table className="scenario-versions">
          <thead>
            <tr>
              <th>Version</th>
              <th>Changed</th>
              <th>By</th>
              <th>When</th>
            </tr>
          </thead>
          <tbody>
            {[...scenario.versions].reverse().map((v) => (
              <tr key={v.version} data-version={v.version} className={v.version === shown ? 'selected' : undefined}>
                <td>
                  <button className="link-button" onClick={() => setSearch({ version: String(v.version) })}>
                    v{v.version}
                  </button>
                </td>
                <td>{v.changed.join(', ') || 'created'}</td>
                <td>{v.created_by}</td>
                <td>{formatTime(v.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <ScenarioVersionView name={name} version={shown} />
      <StartRun scenario={scenario} />
    </>
  );
}

function ScenarioVersionView({ name, version }: { name: string; version: number }) {
  const query = useScenarioVersion(name, version);
  if (query.isPending) return <p className="loading">Loading…</p>;
  if (query.error) return <ProblemView error={query.error} />;
  const v = query.data.data;
  return (
    <Section title={`v${v.version}`}>
      <div className="facts">
        <div>cases: {caseSummary(v.cases)}</div>
        <div>metrics: {v.metrics.join(', ')}</div>
        <div>gate: {v.thresholds.map(thresholdText).join('; ') || 'none'}</div>
        {v.labels.length > 0 && <div>labels: {v.labels.map(String).join(', ')}</div>}
        {typeof v.cases.dataset_id === 'string' && (
          <div>
            dataset <Link to={`/datasets/${encodeURIComponent(v.cases.dataset_id)}`}>{v.cases.dataset_id}</Link>
          </div>
        )}
      </div>
    </Section>
  );
}

/** Queue a run: a scenario version, a registered model version, and its predictions as JSON or CSV. */
function StartRun({ scenario }: { scenario: Scenario }) {
  const navigate = useNavigate();
  const queue = useQueueEvaluationRun();
  const models = useModelVersions({});
  const versions = flatten(models.data);
  const [scenarioVersion, setScenarioVersion] = useState(scenario.version);
  const [model, setModel] = useState('');
  const [format, setFormat] = useState<'json' | 'csv'>('json');
  const [text, setText] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const upload = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    setFormat(/\.csv$/i.test(file.name) ? 'csv' : 'json');
    setText(await file.text());
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const chosen = versions.find((v) => `${v.model_name}/${v.version}` === model);
    if (!chosen) return setInvalid('Choose a model version');
    let predictions: Record<string, unknown>[];
    try {
      predictions = parsePredictions(text, format);
    } catch (error) {
      return setInvalid(`Predictions: ${(error as Error).message}`);
    }
    setInvalid(null);
    queue.mutate(
      { scenario_name: scenario.name, scenario_version: scenarioVersion, model_name: chosen.model_name, model_version: chosen.version, predictions: predictions as never[] },
      { onSuccess: (answer) => navigate(`/evaluation/runs/${(answer.data as { run_id: string }).run_id}`) },
    );
  };
  return (
    <Section title="Start a run">
      <form className="stacked" onSubmit={submit} aria-label="start run">
        <label>
          Scenario version
          <select aria-label="scenario version" value={scenarioVersion} onChange={(e) => setScenarioVersion(Number(e.target.value))}>
            {scenario.versions.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version}
              </option>
            ))}
          </select>
        </label>
        <label>
          Model version
          <select aria-label="model version" value={model} onChange={(e) => setModel(e.target.value)}>
            <option value="">choose…</option>
            {versions.map((v) => (
              <option key={`${v.model_name}/${v.version}`} value={`${v.model_name}/${v.version}`}>
                {v.model_name} v{v.version} ({v.stage})
              </option>
            ))}
          </select>
        </label>
        <label>
          Predictions file (.json or .csv)
          <input aria-label="predictions file" type="file" accept=".json,.csv,application/json,text/csv" onChange={upload} />
        </label>
        <label>
          Format
          <select aria-label="predictions format" value={format} onChange={(e) => setFormat(e.target.value as 'json' | 'csv')}>
            <option value="json">JSON array</option>
            <option value="csv">CSV with a header row</option>
          </select>
        </label>
        <label>
          Predictions
          <textarea aria-label="predictions" value={text} onChange={(e) => setText(e.target.value)} placeholder='[{"id": "c1", "label": 1, "score": 0.91}]' />
        </label>
        {invalid && <p className="problem">{invalid}</p>}
        {queue.error && <ProblemView error={queue.error} />}
        <div>
          <button type="submit" disabled={queue.isPending}>
            Queue run
          </button>
        </div>
      </form>
    </Section>
  );
}
