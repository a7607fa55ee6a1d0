import { type FormEvent, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import {
  findingSpans,
  flatten,
  templateText,
  type TemplateDetail,
  type TemplateVersion,
  useAddTemplateVersion,
  useEvaluateVersion,
  useLabelHistory,
  useMoveLabel,
  useRenderTemplate,
  useSubmitVersion,
  useTemplate,
} from '@mlops/client';
import { Badge, ChangedElsewhere, formatTime, ListState, LoadMore, ProblemView, Section, Table } from '../components';
import { commaList, StackedForm, TextAreaField, TextField, useReadSubmit } from '../forms';
import { MarkedText, TextDiff } from '../visuals';
import { ReviewControls } from './prompt-review';

export function TemplatePage() {
  const id = useParams().id!;
  const [search, setSearch] = useSearchParams();
  const query = useTemplate(id);
  if (query.isPending) return <p className="loading">Loading…</p>;
  if (query.error) return <ProblemView error={query.error} />;
  const template = query.data.data;
  const shown = Number(search.get('version')) || template.latest_version;
  const version = template.versions.find((v) => v.version === shown) ?? template.versions[template.versions.length - 1];
  return (
    <>
      <Section title={`Template ${template.id}`}>
        <div className="facts">
          <div>
            {template.name} · {template.type} · owner {template.owner} · created {formatTime(template.created_at)} by {template.created_by}
          </div>
          {template.description && <p className="long">{template.description}</p>}
          <div>
            tags {template.tags.join(', ') || '—'} · approval {template.policy.require_passing_evaluation ? 'needs a passing evaluation' : 'needs a reviewer'}
          </div>
        </div>
      </Section>
      <Versions template={template} selected={version.version} onSelect={(v) => setSearch({ version: String(v) })} />
      <VersionDetail template={template} version={version} />
      <VersionDiff key={template.latest_version} template={template} />
      <NewVersion template={template} />
      <Labels key={template.latest_version} template={template} />
      <RenderPlayground template={template} />
    </>
  );
}

function Versions({ template, selected, onSelect }: { template: TemplateDetail; selected: number; onSelect: (version: number) => void }) {
  const submit = useSubmitVersion(template.id);
  return (
    <Section title="Versions">
      {submit.changedElsewhere ? <ChangedElsewhere onReload={submit.reload} /> : submit.error && <ProblemView error={submit.error} />}
      <table className="versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Status</th>
            <th>Author</th>
            <th>Created</th>
            <th>Labels</th>
            <th>Evaluation</th>
            <th>Message</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {[...template.versions].reverse().map((v) => (
            <tr key={v.version} data-version={v.version} className={v.version === selected ? 'selected' : undefined}>
              <td>
                <button className="link-button" onClick={() => onSelect(v.version)}>
                  v{v.version}
                </button>
              </td>
              <td>
                <Badge kind="status" value={v.status} />
              </td>
              <td>{v.author}</td>
              <td>{formatTime(v.created_at)}</td>
              <td>{v.labels.join(', ') || '—'}</td>
              <td>{v.evaluation ? `${v.evaluation.score}/100 ${v.evaluation.passed ? 'pass' : 'fail'}` : '—'}</td>
              <td className="long">{v.commit_message || '—'}</td>
              <td>
                {v.status === 'draft' && (
                  <button disabled={submit.isPending} onClick={() => submit.mutate(v.version)}>
                    Submit v{v.version} for review
                  </button>
                )}{' '}
                <Link to={`/prompts/${encodeURIComponent(template.id)}/${v.version}/usage`}>usage</Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

function VersionDetail({ template, version }: { template: TemplateDetail; version: TemplateVersion }) {
  const evaluate = useEvaluateVersion(template.id);
  const findings = version.evaluation?.findings ?? [];
  const spansOf = (message: number | null) =>
    findingSpans(findings, message).map((s) => ({ start: s.start, end: s.end, title: `${s.finding.check}: ${s.finding.message}`, severity: s.finding.severity }));
  return (
    <Section
      title={`v${version.version}`}
      actions={
        <button disabled={evaluate.isPending} onClick={() => evaluate.mutate({ version: version.version })}>
          Evaluate v{version.version}
        </button>
      }
    >
      <div className="facts">
        <div>
          <Badge kind="status" value={version.status} /> by {version.author} at {formatTime(version.created_at)}
          {version.submitted_by && ` · submitted by ${version.submitted_by} at ${formatTime(version.submitted_at)}`}
          {version.reviewed_by && ` · reviewed by ${version.reviewed_by} at ${formatTime(version.reviewed_at)}`}
        </div>
        {version.review_comment && (
          <div className="long" data-testid="review-comment">
            {version.status === 'rejected' ? 'Rejected: ' : 'Comment: '}
            {version.review_comment}
          </div>
        )}
        <div>
          variables {version.variables.map((v) => `{{${v}}}`).join(', ') || 'none'}
          {version.declared_variables && ` · declared ${version.declared_variables.join(', ')}`}
        </div>
        <div className="long">config {JSON.stringify(version.config)}</div>
      </div>
      <div data-testid="template-text">
        {typeof version.template === 'string' ? (
          <MarkedText text={version.template} spans={spansOf(null)} />
        ) : (
          version.template.map((m, i) => (
            <div key={i}>
              <h3>{m.role}</h3>
              <MarkedText text={m.content} spans={spansOf(i)} />
            </div>
          ))
        )}
      </div>
      {evaluate.error && <ProblemView error={evaluate.error} />}
      {version.evaluation && (
        <div className="evaluation" data-testid="evaluation">
          <h3>
            Evaluation: {version.evaluation.score}/100, {version.evaluation.passed ? 'passed' : 'failed'} (pass at {version.evaluation.pass_score}) ·{' '}
            ~{version.evaluation.approx_tokens} tokens · test cases {version.evaluation.test_cases.passed}/{version.evaluation.test_cases.total}
          </h3>
          {findings.length === 0 ? (
            <p className="empty">No findings.</p>
          ) : (
            <ul className="findings">
              {findings.map((f, i) => (
                <li key={i} data-check={f.check}>
                  <span className={`finding-severity-${f.severity}`}>{f.severity}</span> <code>{f.check}</code> {f.message}
                  {f.location.start !== null && ` (characters ${f.location.start}–${f.location.end})`}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {version.status === 'pending_review' && <ReviewControls templateId={template.id} version={version.version} />}
    </Section>
  );
}

function VersionDiff({ template }: { template: TemplateDetail }) {
  const numbers = template.versions.map((v) => v.version);
  const [from, setFrom] = useState(numbers.length > 1 ? numbers[numbers.length - 2] : numbers[0]);
  const [to, setTo] = useState(numbers[numbers.length - 1]);
  const text = (n: number) => {
    const v = template.versions.find((x) => x.version === n);
    return v ? templateText(v.template) : '';
  };
  const pick = (value: number, set: (n: number) => void, label: string) => (
    <label>
      {label}
      <select aria-label={`diff ${label}`} value={value} onChange={(e) => set(Number(e.target.value))}>
        {numbers.map((n) => (
          <option key={n} value={n}>
            v{n}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <Section title="Compare versions">
      <div className="filters">
        {pick(from, setFrom, 'from')}
        {pick(to, setTo, 'to')}
      </div>
      <TextDiff from={text(from)} to={text(to)} />
    </Section>
  );
}

function NewVersion({ template }: { template: TemplateDetail }) {
  const latest = template.versions[template.versions.length - 1];
  const add = useAddTemplateVersion(template.id);
  const initial = typeof latest.template === 'string' ? latest.template : JSON.stringify(latest.template, null, 2);
  const [text, setText] = useState(initial);
  const [variables, setVariables] = useState((latest.declared_variables ?? []).join(', '));
  const [config, setConfig] = useState(JSON.stringify(latest.config));
  const [message, setMessage] = useState('');
  const { invalid, submit } = useReadSubmit(
    () => {
      try {
        return {
          template: template.type === 'chat' ? JSON.parse(text) : text,
          ...(variables.trim() ? { variables: commaList(variables) } : {}),
          config: config.trim() ? JSON.parse(config) : {},
          ...(message.trim() ? { commit_message: message.trim() } : {}),
        };
      } catch (error) {
        throw new Error(`Not valid JSON: ${(error as Error).message}`);
      }
    },
    (body) => add.mutate(body, { onSuccess: () => setMessage('') }),
  );
  return (
    <Section title="New version">
      <StackedForm label="new version" onSubmit={submit} action={add} invalid={invalid} submit={`Create version ${template.latest_version + 1}`}>
        <TextAreaField label={template.type === 'chat' ? 'Messages (JSON)' : 'Template'} aria-label="template text" value={text} onChange={(e) => setText(e.target.value)} />
        <TextField label="Declared variables (comma-separated)" value={variables} onChange={(e) => setVariables(e.target.value)} />
        <TextField label="Model settings (JSON)" aria-label="model settings" value={config} onChange={(e) => setConfig(e.target.value)} />
        <TextField label="Commit message" aria-label="commit message" value={message} onChange={(e) => setMessage(e.target.value)} />
      </StackedForm>
    </Section>
  );
}

function Labels({ template }: { template: TemplateDetail }) {
  const move = useMoveLabel(template.id);
  const history = useLabelHistory(template.id);
  const moves = flatten(history.data);
  const [label, setLabel] = useState('production');
  const [version, setVersion] = useState(template.latest_version);
  return (
    <Section title="Labels">
      <Table className="labels" columns={['Label', 'Version', 'Moved by', 'When']}>
        {template.labels.map((l) => (
          <tr key={l.label} data-label={l.label}>
            <td>{l.label}</td>
            <td>v{l.version}</td>
            <td>{l.moved_by}</td>
            <td>{formatTime(l.moved_at)}</td>
          </tr>
        ))}
      </Table>
      <form
        className="inline-form"
        aria-label="move label"
        onSubmit={(e) => {
          e.preventDefault();
          move.mutate({ label: label.trim(), version });
        }}
      >
        <label>
          Label <input aria-label="label name" value={label} onChange={(e) => setLabel(e.target.value)} />
        </label>
        <label>
          to
          <select aria-label="label version" value={version} onChange={(e) => setVersion(Number(e.target.value))}>
            {template.versions.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version} ({v.status})
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={move.isPending || !label.trim()}>
          Point label
        </button>
        <span className="hint">production only points at an approved version</span>
      </form>
      {move.changedElsewhere ? <ChangedElsewhere onReload={move.reload} /> : move.error && <ProblemView error={move.error} />}
      <h3>History</h3>
      <ListState query={history} empty="No label has moved yet." count={moves.length} />
      {moves.length > 0 && (
        <Table className="label-history" columns={['Label', 'From', 'To', 'By', 'When']}>
          {moves.map((m, i) => (
            <tr key={i} data-move={`${m.label}:${m.from_version ?? ''}->${m.to_version}`}>
              <td>{m.label}</td>
              <td>{m.from_version === null ? '—' : `v${m.from_version}`}</td>
              <td>v{m.to_version}</td>
              <td>{m.automatic ? 'automatic' : m.moved_by}</td>
              <td>{formatTime(m.moved_at)}</td>
            </tr>
          ))}
        </Table>
      )}
      <LoadMore query={history} />
    </Section>
  );
}

function RenderPlayground({ template }: { template: TemplateDetail }) {
  const render = useRenderTemplate(template.id);
  const [by, setBy] = useState<string>(template.labels.some((l) => l.label === 'production') ? 'label:production' : 'label:latest');
  const [values, setValues] = useState<Record<string, string>>({});
  const chosen = by.startsWith('label:')
    ? template.versions.find((v) => v.version === template.labels.find((l) => `label:${l.label}` === by)?.version)
    : template.versions.find((v) => `version:${v.version}` === by);
  const variables = chosen?.variables ?? [];
  const run = (event: FormEvent) => {
    event.preventDefault();
    const filled = Object.fromEntries(variables.filter((v) => values[v] !== undefined && values[v] !== '').map((v) => [v, values[v]]));
    const target = by.startsWith('label:') ? { label: by.slice('label:'.length) } : { version: Number(by.slice('version:'.length)) };
    render.mutate({ ...target, variables: filled });
  };
  const output = render.data?.data;
  return (
    <Section title="Render playground">
      <form className="stacked" onSubmit={run} aria-label="render">
        <label>
          Render
          <select aria-label="render target" value={by} onChange={(e) => setBy(e.target.value)}>
            {template.labels.map((l) => (
              <option key={l.label} value={`label:${l.label}`}>
                label {l.label} (v{l.version})
              </option>
            ))}
            {template.versions.map((v) => (
              <option key={v.version} value={`version:${v.version}`}>
                version {v.version}
              </option>
            ))}
          </select>
        </label>
        {variables.map((name) => (
          <label key={name}>
            {name}
            <input aria-label={`variable ${name}`} value={values[name] ?? ''} onChange={(e) => setValues((s) => ({ ...s, [name]: e.target.value }))} />
          </label>
        ))}
        <div>
          <button type="submit" disabled={render.isPending}>
            Render
          </button>
        </div>
      </form>
      {render.error && <ProblemView error={render.error} />}
      {output && !render.error && (
        <div data-testid="rendered">
          <p className="hint">
            v{output.version}
            {output.label ? ` by label ${output.label}` : ''} · settings {JSON.stringify(output.config)}
          </p>
          <pre className="prompt">{typeof output.prompt === 'string' ? output.prompt : output.prompt.map((m) => `[${m.role}]\n${m.content}`).join('\n\n')}</pre>
        </div>
      )}
    </Section>
  );
}
