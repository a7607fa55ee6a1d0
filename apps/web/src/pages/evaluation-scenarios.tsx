import { type ChangeEvent, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import {
  type components,
  flatten,
  parseLabels,
  parsePredictions,
  parseThresholds,
  type Scenario,
  type ScenarioVersion,
  thresholdsText,
  useCreateScenario,
  useDatasets,
  useModelVersions,
  useQueueEvaluationRun,
  useScenario,
  useScenarios,
  useScenarioVersion,
  useUpdateScenario,
} from '@mlops/client';
import { formatTime, ListPage, ProblemView, Section, Table, useFilteredList } from '../components';
import { FilterBar, SelectField, StackedForm, TextAreaField, TextField, useFormState, useReadSubmit } from '../forms';

const TASKS = ['binary_classification', 'multiclass_classification', 'regression', 'text'] as const;
const thresholdText = (t: Scenario['thresholds'][number]) =>
  `${t.metric}${t.min !== null ? ` ≥ ${t.min}` : ''}${t.min !== null && t.max !== null ? ',' : ''}${t.max !== null ? ` ≤ ${t.max}` : ''}`;
const caseSummary = (cases: Scenario['cases']) =>
  typeof cases.dataset_id === 'string' ? `dataset ${cases.dataset_id}` : typeof cases.case_count === 'number' ? `${cases.case_count} inline cases` : 'cases';

export function ScenariosPage() {
  const { filter, set, query, items: scenarios } = useFilteredList(useScenarios);
  return (
    <ListPage
      title="Evaluation scenarios"
      actions={<Link to="/evaluation/runs">Runs</Link>}
      filters={<FilterBar filter={filter} set={set} fields={[{ key: 'task_type', label: 'Task', choices: TASKS }, { key: 'tag', label: 'Tag' }]} />}
      query={query}
      items={scenarios}
      empty="No scenarios match."
      className="scenarios"
      columns={['Scenario', 'Task', 'Version', 'Cases', 'Metrics', 'Gate', 'Updated']}
      row={(s) => (
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
      )}
    >
      <CreateScenario />
    </ListPage>
  );
}

type ScenarioChange = components['schemas']['UpdateScenarioDto'];

/** What a scenario form holds, as text; `cases` empty with no dataset keeps a version's cases. */
interface ScenarioForm {
  description: string;
  tags: string;
  source: 'inline' | 'dataset';
  cases: string;
  dataset_id: string;
  label_column: string;
  input_columns: string;
  slice_columns: string;
  metrics: string;
  thresholds: string;
  labels: string;
  positive_label: string;
  assertions: string;
}

const EMPTY_FORM: ScenarioForm = {
  description: '', tags: '', source: 'inline', cases: '', dataset_id: '', label_column: '', input_columns: '', slice_columns: '', metrics: '', thresholds: '', labels: '', positive_label: '', assertions: '',
};

const list = (text: string) => text.split(',').map((t) => t.trim()).filter(Boolean);
const sameList = (a: unknown[], b: unknown[]) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The request body of a form: every filled field (a new version: only what differs from `base`).
 * Throws with the field's name when a JSON field or the gate cannot be read.
 */
function scenarioChange(form: ScenarioForm, base?: ScenarioVersion): ScenarioChange {
  const change: ScenarioChange = {};
  const json = (field: 'cases' | 'assertions') => {
    try {
      return JSON.parse(form[field]) as never[];
    } catch (error) {
      throw new Error(`${field}: not JSON (${(error as Error).message})`);
    }
  };
  if (form.description.trim() !== (base?.description ?? '')) change.description = form.description.trim();
  if (!sameList(list(form.tags), base?.tags ?? [])) change.tags = list(form.tags);
  if (form.source === 'inline' && form.cases.trim()) change.cases = json('cases');
  if (form.source === 'dataset' && form.dataset_id) {
    change.dataset = {
      dataset_id: form.dataset_id,
      label_column: form.label_column.trim(),
      ...(list(form.input_columns).length ? { input_columns: list(form.input_columns) } : {}),
      ...(list(form.slice_columns).length ? { slice_columns: list(form.slice_columns) } : {}),
    };
  }
  if (form.metrics.trim() && !sameList(list(form.metrics), base?.metrics ?? [])) change.metrics = list(form.metrics);
  const gate = parseThresholds(form.thresholds);
  if (base ? form.thresholds.trim() !== thresholdsText(base.thresholds) : Object.keys(gate).length > 0) change.thresholds = gate;
  if (form.labels.trim() && !sameList(parseLabels(form.labels), base?.labels ?? [])) change.labels = parseLabels(form.labels);
  const positive = parseLabels(form.positive_label)[0];
  if (positive !== undefined && positive !== base?.positive_label) change.positive_label = positive;
  if (form.assertions.trim() && !(base && form.assertions.trim() === JSON.stringify(base.assertions))) change.assertions = json('assertions');
  return change;
}

/** The fields both forms share; each input is labelled for assistive technology (and the browser suite). */
function ScenarioFields({ form, set, task }: { form: ScenarioForm; set: (change: Partial<ScenarioForm>) => void; task: string }) {
  const datasets = flatten(useDatasets({}).data);
  const text = (key: keyof ScenarioForm, label: string, hint?: string) => (
    <TextField label={label} aria-label={`scenario ${key.replace(/_/g, ' ')}`} placeholder={hint} value={form[key]} onChange={(e) => set({ [key]: e.target.value })} />
  );
  const classification = task.endsWith('classification');
  return (
    <>
      {text('description', 'Description')}
      {text('tags', 'Tags (comma-separated)')}
      <SelectField
        label="Cases from"
        aria-label="scenario cases source"
        value={form.source}
        onChange={(e) => set({ source: e.target.value as ScenarioForm['source'] })}
        choices={[
          ['inline', 'inline JSON'],
          ['dataset', 'a registered dataset'],
        ]}
      />
      {form.source === 'inline' ? (
        <TextAreaField
          label="Cases (JSON array)"
          aria-label="scenario cases"
          value={form.cases}
          onChange={(e) => set({ cases: e.target.value })}
          placeholder='[{"id": "c1", "input": {"tenure": 3}, "expected": 1, "slices": {"country": "DE"}}]'
        />
      ) : (
        <>
          <SelectField label="Dataset" aria-label="scenario dataset" value={form.dataset_id} onChange={(e) => set({ dataset_id: e.target.value })} choices={datasets.map((d) => d.id)}>
            <option value="">choose…</option>
          </SelectField>
          {text('label_column', 'Label column (expected values)')}
          {text('input_columns', 'Input columns (comma-separated, default: the others)')}
          {text('slice_columns', 'Slice columns (comma-separated)')}
        </>
      )}
      {text('metrics', 'Metrics (comma-separated; default: the task’s standard set)', 'accuracy, f1, roc_auc')}
      {text('thresholds', 'Gate', 'f1 >= 0.8, log_loss <= 0.5')}
      {classification && text('labels', 'Classes beyond those the cases expect (comma-separated)')}
      {task === 'binary_classification' && text('positive_label', 'Positive class (default: the greater label)')}
      {task === 'text' && (
        <TextAreaField
          label="Assertions (JSON array)"
          aria-label="scenario assertions"
          value={form.assertions}
          onChange={(e) => set({ assertions: e.target.value })}
          placeholder='[{"type": "icontains", "value": "refund"}]'
        />
      )}
    </>
  );
}

/** Create a scenario: its name, task type and version 1; problem+json errors are shown in the form. */
function CreateScenario() {
  const navigate = useNavigate();
  const create = useCreateScenario();
  const [name, setName] = useState('');
  const [task, setTask] = useState<(typeof TASKS)[number]>('binary_classification');
  const { form, set } = useFormState(EMPTY_FORM);
  const { invalid, submit } = useReadSubmit(
    () => scenarioChange(form),
    (change) => create.mutate({ name: name.trim(), task_type: task, ...change }, { onSuccess: () => navigate(`/evaluation/scenarios/${encodeURIComponent(name.trim())}`) }),
  );
  return (
    <StackedForm summary="Create a scenario" label="create scenario" onSubmit={submit} action={create} invalid={invalid} submit="Create scenario" disabled={!name.trim()}>
      <TextField label="Name" aria-label="scenario name" value={name} onChange={(e) => setName(e.target.value)} />
      <SelectField label="Task type" aria-label="scenario task type" value={task} onChange={(e) => setTask(e.target.value as (typeof TASKS)[number])} choices={TASKS} />
      <ScenarioFields form={form} set={set} task={task} />
    </StackedForm>
  );
}

/** A new version of the scenario: the latest version's definition to edit; cases stay unless new ones are given. */
function NewScenarioVersion({ scenario, latest }: { scenario: Scenario; latest: ScenarioVersion }) {
  const update = useUpdateScenario(scenario.name);
  const { form, set } = useFormState(
    (): ScenarioForm => ({
      ...EMPTY_FORM,
      description: latest.description,
      tags: latest.tags.join(', '),
      metrics: latest.metrics.join(', '),
      thresholds: thresholdsText(latest.thresholds),
      labels: latest.labels.map(String).join(', '),
      positive_label: latest.positive_label === null ? '' : String(latest.positive_label),
      assertions: latest.assertions.length ? JSON.stringify(latest.assertions) : '',
    }),
  );
  const { invalid, submit } = useReadSubmit(
    () => {
      const change = scenarioChange(form, latest);
      if (Object.keys(change).length === 0) throw new Error('Nothing differs from the latest version');
      return change;
    },
    (change) => update.mutate(change),
  );
  return (
    <StackedForm
      summary={`New version (v${scenario.version + 1})`}
      label="new scenario version"
      hint={`Starts from v${latest.version}. Leave the cases empty to keep its ${caseSummary(latest.cases)}; past runs keep the version they ran against.`}
      onSubmit={submit}
      action={update}
      invalid={invalid}
      submit={`Create version ${scenario.version + 1}`}
    >
      <ScenarioFields form={form} set={set} task={scenario.task_type} />
    </StackedForm>
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
        <Table className="scenario-versions" columns={['Version', 'Changed', 'By', 'When']}>
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
        </Table>
      </Section>
      <ScenarioVersionView name={name} version={shown} />
      <LatestVersionForm scenario={scenario} />
      <StartRun scenario={scenario} />
    </>
  );
}

/** The new-version form, once the latest version's definition is loaded (it starts from it; a new latest version resets it). */
function LatestVersionForm({ scenario }: { scenario: Scenario }) {
  const latest = useScenarioVersion(scenario.name, scenario.version);
  if (!latest.data) return latest.error ? <ProblemView error={latest.error} /> : null;
  return (
    <Section title="Change the scenario">
      <NewScenarioVersion key={scenario.version} scenario={scenario} latest={latest.data.data} />
    </Section>
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
  const upload = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    setFormat(/\.csv$/i.test(file.name) ? 'csv' : 'json');
    setText(await file.text());
  };
  const { invalid, submit } = useReadSubmit(
    () => {
      const chosen = versions.find((v) => `${v.model_name}/${v.version}` === model);
      if (!chosen) throw new Error('Choose a model version');
      try {
        return { chosen, predictions: parsePredictions(text, format) };
      } catch (error) {
        throw new Error(`Predictions: ${(error as Error).message}`);
      }
    },
    ({ chosen, predictions }) =>
      queue.mutate(
        { scenario_name: scenario.name, scenario_version: scenarioVersion, model_name: chosen.model_name, model_version: chosen.version, predictions: predictions as never[] },
        { onSuccess: (answer) => navigate(`/evaluation/runs/${(answer.data as { run_id: string }).run_id}`) },
      ),
  );
  return (
    <Section title="Start a run">
      <StackedForm label="start run" onSubmit={submit} action={queue} invalid={invalid} submit="Queue run">
        <SelectField
          label="Scenario version"
          aria-label="scenario version"
          value={scenarioVersion}
          onChange={(e) => setScenarioVersion(Number(e.target.value))}
          choices={scenario.versions.map((v) => [String(v.version), `v${v.version}`] as const)}
        />
        <SelectField
          label="Model version"
          aria-label="model version"
          value={model}
          onChange={(e) => setModel(e.target.value)}
          choices={versions.map((v) => [`${v.model_name}/${v.version}`, `${v.model_name} v${v.version} (${v.stage})`] as const)}
        >
          <option value="">choose…</option>
        </SelectField>
        <TextField label="Predictions file (.json or .csv)" aria-label="predictions file" type="file" accept=".json,.csv,application/json,text/csv" onChange={upload} />
        <SelectField
          label="Format"
          aria-label="predictions format"
          value={format}
          onChange={(e) => setFormat(e.target.value as 'json' | 'csv')}
          choices={[
            ['json', 'JSON array'],
            ['csv', 'CSV with a header row'],
          ]}
        />
        <TextAreaField label="Predictions" aria-label="predictions" value={text} onChange={(e) => setText(e.target.value)} placeholder='[{"id": "c1", "label": 1, "score": 0.91}]' />
      </StackedForm>
    </Section>
  );
}
