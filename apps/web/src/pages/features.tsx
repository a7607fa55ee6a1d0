import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import {
  type FeatureFilter,
  type FeatureValueType,
  type FeatureVersion,
  featureVersionDiff,
  flatten,
  parseLabels,
  useCreateFeature,
  useCreateFeatureVersion,
  useDatasets,
  useDeprecateFeature,
  useFeature,
  useFeatures,
  useFeatureVersions,
} from '@mlops/client';
import { Badge, ChangedElsewhere, formatTime, ListPage, ListState, ProblemView, Section, useListFilter } from '../components';

export function FeaturesPage() {
  const [filter, set] = useListFilter<FeatureFilter>();
  const query = useFeatures(filter);
  const features = flatten(query.data);
  return (
    <ListPage
      title="Features"
      actions={<Link to="/datasets">Datasets</Link>}
      filters={
        <>
          {(['entity', 'owner', 'tag'] as const).map((key) => (
            <label key={key}>
              {key[0].toUpperCase() + key.slice(1)}
              <input value={filter[key] ?? ''} onChange={(e) => set({ [key]: e.target.value })} />
            </label>
          ))}
          <label>
            Status
            <select value={filter.status ?? ''} onChange={(e) => set({ status: (e.target.value || undefined) as FeatureFilter['status'] })}>
              <option value="">any</option>
              <option>active</option>
              <option>deprecated</option>
            </select>
          </label>
        </>
      }
      query={query}
      items={features}
      empty="No features match."
      className="features"
      head={
        <>
          <th>Feature</th>
          <th>Status</th>
          <th>Entity</th>
          <th>Type</th>
          <th>Version</th>
          <th>Source</th>
          <th>Owner</th>
          <th>Tags</th>
          <th>Updated</th>
        </>
      }
      row={(f) => (
        <tr key={f.name} data-feature={f.name}>
          <td className="long">
            <Link to={`/features/${encodeURIComponent(f.name)}`}>{f.name}</Link>
          </td>
          <td>
            <Badge kind="status" value={f.status} />
          </td>
          <td>{f.entity}</td>
          <td>{f.latest_version.value_type}</td>
          <td>v{f.latest_version.version}</td>
          <td className="long">
            <Link to={`/datasets/${encodeURIComponent(f.latest_version.source.dataset_id)}`}>{f.latest_version.source.dataset_id}</Link>
            {' · '}
            {f.latest_version.source.column ?? f.latest_version.source.expression}
          </td>
          <td>{f.owner}</td>
          <td className="long">{f.tags.join(', ') || '—'}</td>
          <td>{formatTime(f.updated_at)}</td>
        </tr>
      )}
    >
      <DefineFeature />
    </ListPage>
  );
}

const VALUE_TYPES: FeatureValueType[] = ['bool', 'int32', 'int64', 'float', 'double', 'string', 'bytes', 'timestamp'];

/** Define a feature over a registered dataset's column or a DuckDB expression: its version 1. */
function DefineFeature() {
  const navigate = useNavigate();
  const create = useCreateFeature();
  const datasets = flatten(useDatasets({}).data);
  const [form, setForm] = useState({ name: '', entity: '', value_type: 'double', kind: 'column', dataset_id: '', source: '', description: '', tags: '' });
  const field = (key: keyof typeof form) => ({ value: form[key], onChange: (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value })) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const kind = form.kind as 'column' | 'sql';
    create.mutate(
      {
        name: form.name.trim(),
        entity: form.entity.trim(),
        value_type: form.value_type as FeatureValueType,
        source: { kind, dataset_id: form.dataset_id, ...(kind === 'column' ? { column: form.source.trim() } : { expression: form.source.trim() }) },
        changelog: 'Initial version',
        ...(form.description.trim() ? { description: form.description.trim() } : {}),
        ...(form.tags.trim() ? { tags: form.tags.split(',').map((t) => t.trim()).filter(Boolean) } : {}),
      },
      { onSuccess: () => navigate(`/features/${encodeURIComponent(form.name.trim())}`) },
    );
  };
  return (
    <details className="register">
      <summary>Define a feature</summary>
      <form className="stacked" onSubmit={submit} aria-label="define feature">
        <label>
          Name
          <input aria-label="feature name" {...field('name')} />
        </label>
        <label>
          Entity (join key)
          <input aria-label="feature entity" {...field('entity')} />
        </label>
        <label>
          Value type
          <select aria-label="value type" {...field('value_type')}>
            {VALUE_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Dataset
          <select aria-label="source dataset" {...field('dataset_id')}>
            <option value="">choose…</option>
            {datasets.map((d) => (
              <option key={d.id}>{d.id}</option>
            ))}
          </select>
        </label>
        <label>
          Source
          <select aria-label="source kind" {...field('kind')}>
            <option value="column">a column</option>
            <option value="sql">a DuckDB expression</option>
          </select>
        </label>
        <label>
          {form.kind === 'column' ? 'Column' : 'Expression'}
          <input aria-label="source column or expression" {...field('source')} />
        </label>
        <label>
          Description
          <input aria-label="feature description" {...field('description')} />
        </label>
        <label>
          Tags (comma-separated)
          <input aria-label="feature tags" {...field('tags')} />
        </label>
        {create.error && <ProblemView error={create.error} />}
        <div>
          <button type="submit" disabled={create.isPending || !form.name.trim() || !form.dataset_id}>
            Define feature
          </button>
        </div>
      </form>
    </details>
  );
}

export function FeaturePage() {
  const name = useParams().name!;
  const query = useFeature(name);
  const history = useFeatureVersions(name);
  const deprecate = useDeprecateFeature(name);
  const [reason, setReason] = useState('');
  const [pair, setPair] = useState<[number, number] | null>(null);
  if (query.isPending) return <p className="loading">Loading…</p>;
  if (query.error) return <ProblemView error={query.error} />;
  const feature = query.data.data;
  const versions = history.data ?? [];
  const latest = feature.latest_version.version;
  const [from, to] = pair ?? [Math.max(1, latest - 1), latest];
  const a = versions.find((v) => v.version === from);
  const b = versions.find((v) => v.version === to);
  const changes = a && b ? featureVersionDiff(a, b) : [];
  const pick = (value: number, index: 0 | 1, label: string) => (
    <label>
      {label}
      <select aria-label={`diff ${label}`} value={value} onChange={(e) => setPair(index === 0 ? [Number(e.target.value), to] : [from, Number(e.target.value)])}>
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            v{v.version}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <>
      <Section title={`Feature ${feature.name}`}>
        <div className="facts">
          <div>
            <Badge kind="status" value={feature.status} /> entity {feature.entity} · owner {feature.owner} · {feature.latest_version.value_type} · latest v{latest}
          </div>
          {feature.description && <p className="long">{feature.description}</p>}
          <div>
            source <Link to={`/datasets/${encodeURIComponent(feature.latest_version.source.dataset_id)}`}>{feature.latest_version.source.dataset_id}</Link> ·{' '}
            {feature.latest_version.source.kind} {feature.latest_version.source.column ?? feature.latest_version.source.expression}
          </div>
          {feature.status === 'deprecated' && (
            <div className="problem">
              Deprecated {formatTime(feature.deprecated_at)}
              {feature.deprecation_reason ? `: ${feature.deprecation_reason}` : ''}
            </div>
          )}
        </div>
        {deprecate.changedElsewhere ? <ChangedElsewhere onReload={deprecate.reload} /> : deprecate.error && <ProblemView error={deprecate.error} />}
        {feature.status === 'active' && (
          <div className="inline-form">
            <input aria-label="deprecation reason" placeholder="why (optional)" value={reason} onChange={(e) => setReason(e.target.value)} />
            <button className="danger" disabled={deprecate.isPending} onClick={() => deprecate.mutate(reason.trim() || undefined)}>
              Deprecate
            </button>
          </div>
        )}
      </Section>
      {feature.status === 'active' && (
        <Section title="New version">
          <NewFeatureVersion key={latest} name={feature.name} latest={feature.latest_version} />
        </Section>
      )}
      <Section title="Version history">
        <ListState query={history} empty="No versions." count={versions.length} />
        {versions.length > 0 && (
          <table className="feature-versions">
            <thead>
              <tr>
                <th>Version</th>
                <th>Type</th>
                <th>Changelog</th>
                <th>Compatibility</th>
                <th>By</th>
                <th>When</th>
              </tr>
            </thead>
            <tbody>
              {[...versions].reverse().map((v) => (
                <tr key={v.version} data-version={v.version}>
                  <td>v{v.version}</td>
                  <td>{v.value_type}</td>
                  <td className="long">{v.changelog}</td>
                  <td>
                    {v.backward_compatible ? (
                      <span className="badge result-pass">compatible</span>
                    ) : (
                      <span className="breaking" data-breaking={v.breaking_changes.length}>
                        <span className="badge result-fail">breaking</span> {v.breaking_changes.join('; ')}
                      </span>
                    )}
                  </td>
                  <td>{v.created_by}</td>
                  <td>{formatTime(v.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      {versions.length > 1 && (
        <Section title="Compare versions">
          <div className="filters">
            {pick(from, 0, 'from')}
            {pick(to, 1, 'to')}
          </div>
          {changes.length === 0 ? (
            <p className="empty">No differences in type, schema or source.</p>
          ) : (
            <table className="feature-diff">
              <thead>
                <tr>
                  <th>Field</th>
                  <th>v{from}</th>
                  <th>v{to}</th>
                </tr>
              </thead>
              <tbody>
                {changes.map((c) => (
                  <tr key={c.field} data-field={c.field}>
                    <th>{c.field}</th>
                    <td>
                      <del>{c.from}</del>
                    </td>
                    <td>
                      <ins>{c.to}</ins>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      )}
    </>
  );
}

const ALL_VALUE_TYPES: FeatureValueType[] = [...VALUE_TYPES, ...VALUE_TYPES.map((t) => `list<${t}>` as FeatureValueType)];

/**
 * A new, immutable version: value type, schema constraints and source start from the latest
 * version's; the schema is sent whole (it replaces the previous one), type and source when changed.
 */
function NewFeatureVersion({ name, latest }: { name: string; latest: FeatureVersion }) {
  const create = useCreateFeatureVersion(name);
  const datasets = flatten(useDatasets({}).data);
  const [form, setForm] = useState({
    value_type: latest.value_type as string,
    nullable: latest.schema.nullable,
    min: latest.schema.min === null ? '' : String(latest.schema.min),
    max: latest.schema.max === null ? '' : String(latest.schema.max),
    allowed_values: latest.schema.allowed_values?.map(String).join(', ') ?? '',
    kind: latest.source.kind as string,
    dataset_id: latest.source.dataset_id,
    source: latest.source.column ?? latest.source.expression ?? '',
    changelog: '',
  });
  const field = (key: 'value_type' | 'min' | 'max' | 'allowed_values' | 'kind' | 'dataset_id' | 'source' | 'changelog') => ({
    value: form[key],
    onChange: (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value })),
  });
  const [invalid, setInvalid] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const bound = (text: string, which: string) => {
      if (!text.trim()) return null;
      const value = Number(text);
      if (!Number.isFinite(value)) throw new Error(`${which}: ${text} is not a number`);
      return value;
    };
    let min: number | null;
    let max: number | null;
    try {
      min = bound(form.min, 'min');
      max = bound(form.max, 'max');
    } catch (error) {
      return setInvalid((error as Error).message);
    }
    setInvalid(null);
    const kind = form.kind as 'column' | 'sql';
    const source = { kind, dataset_id: form.dataset_id, ...(kind === 'column' ? { column: form.source.trim() } : { expression: form.source.trim() }) };
    const sameSource = kind === latest.source.kind && form.dataset_id === latest.source.dataset_id && form.source.trim() === (latest.source.column ?? latest.source.expression);
    create.mutate({
      changelog: form.changelog.trim(),
      schema: {
        nullable: form.nullable,
        ...(min !== null ? { min } : {}),
        ...(max !== null ? { max } : {}),
        ...(form.allowed_values.trim() ? { allowed_values: form.value_type === 'string' ? form.allowed_values.split(',').map((v) => v.trim()).filter(Boolean) : parseLabels(form.allowed_values) } : {}),
      },
      ...(form.value_type !== latest.value_type ? { value_type: form.value_type as FeatureValueType } : {}),
      ...(sameSource ? {} : { source }),
    });
  };
  return (
    <form className="stacked" onSubmit={submit} aria-label="new feature version">
      <p className="hint">Starts from v{latest.version}. A narrower type, a tighter schema or another source is flagged as breaking.</p>
      <label>
        Value type
        <select aria-label="version value type" {...field('value_type')}>
          {ALL_VALUE_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
      <label>
        <span>
          <input type="checkbox" aria-label="version nullable" checked={form.nullable} onChange={(e) => setForm((f) => ({ ...f, nullable: e.target.checked }))} /> nullable
        </span>
      </label>
      <label>
        Minimum (numeric types)
        <input aria-label="version min" {...field('min')} />
      </label>
      <label>
        Maximum (numeric types)
        <input aria-label="version max" {...field('max')} />
      </label>
      <label>
        Allowed values (comma-separated)
        <input aria-label="version allowed values" {...field('allowed_values')} />
      </label>
      <label>
        Dataset
        <select aria-label="version source dataset" {...field('dataset_id')}>
          {!datasets.some((d) => d.id === form.dataset_id) && <option>{form.dataset_id}</option>}
          {datasets.map((d) => (
            <option key={d.id}>{d.id}</option>
          ))}
        </select>
      </label>
      <label>
        Source
        <select aria-label="version source kind" {...field('kind')}>
          <option value="column">a column</option>
          <option value="sql">a DuckDB expression</option>
        </select>
      </label>
      <label>
        {form.kind === 'column' ? 'Column' : 'Expression'}
        <input aria-label="version source column or expression" {...field('source')} />
      </label>
      <label>
        Changelog
        <input aria-label="version changelog" placeholder="what changed and why (required)" {...field('changelog')} />
      </label>
      {invalid && (
        <p className="problem" role="alert">
          {invalid}
        </p>
      )}
      {create.error && <ProblemView error={create.error} />}
      <div>
        <button type="submit" disabled={create.isPending || !form.changelog.trim()}>
          Create version {latest.version + 1}
        </button>
      </div>
    </form>
  );
}
