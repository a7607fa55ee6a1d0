import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import {
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
import { Badge, ChangedElsewhere, formatTime, ListPage, ListState, ProblemView, Section, Table, useFilteredList } from '../components';
import { commaList, FilterBar, SelectField, StackedForm, TextField, useFormState, useReadSubmit } from '../forms';

export function FeaturesPage() {
  const { filter, set, query, items: features } = useFilteredList(useFeatures);
  return (
    <ListPage
      title="Features"
      actions={<Link to="/datasets">Datasets</Link>}
      filters={
        <FilterBar
          filter={filter}
          set={set}
          fields={[
            { key: 'entity', label: 'Entity' },
            { key: 'owner', label: 'Owner' },
            { key: 'tag', label: 'Tag' },
            { key: 'status', label: 'Status', choices: ['active', 'deprecated'] },
          ]}
        />
      }
      query={query}
      items={features}
      empty="No features match."
      className="features"
      columns={['Feature', 'Status', 'Entity', 'Type', 'Version', 'Source', 'Owner', 'Tags', 'Updated']}
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

const SOURCE_KINDS = [
  ['column', 'a column'],
  ['sql', 'a DuckDB expression'],
] as const;

/** A feature's source as the API takes it: a dataset's column, or a DuckDB expression over it. */
const featureSource = (form: { kind: string; dataset_id: string; source: string }) => {
  const kind = form.kind as 'column' | 'sql';
  return { kind, dataset_id: form.dataset_id, ...(kind === 'column' ? { column: form.source.trim() } : { expression: form.source.trim() }) };
};

/** Where a feature's values come from: the dataset (`keep` one not in the list), the kind, the column or expression. */
function SourceFields({ prefix, keep, field, kind }: { prefix: string; keep?: string; field: (key: 'dataset_id' | 'kind' | 'source') => { value: string; onChange: (e: { target: { value: string } }) => void }; kind: string }) {
  const datasets = flatten(useDatasets({}).data);
  return (
    <>
      <SelectField label="Dataset" aria-label={`${prefix}source dataset`} choices={datasets.map((d) => d.id)} {...field('dataset_id')}>
        {keep === undefined ? <option value="">choose…</option> : !datasets.some((d) => d.id === keep) && <option>{keep}</option>}
      </SelectField>
      <SelectField label="Source" aria-label={`${prefix}source kind`} choices={SOURCE_KINDS} {...field('kind')} />
      <TextField label={kind === 'column' ? 'Column' : 'Expression'} aria-label={`${prefix}source column or expression`} {...field('source')} />
    </>
  );
}

/** Define a feature over a registered dataset's column or a DuckDB expression: its version 1. */
function DefineFeature() {
  const navigate = useNavigate();
  const create = useCreateFeature();
  const { form, field } = useFormState({ name: '', entity: '', value_type: 'double', kind: 'column', dataset_id: '', source: '', description: '', tags: '' });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      {
        name: form.name.trim(),
        entity: form.entity.trim(),
        value_type: form.value_type as FeatureValueType,
        source: featureSource(form),
        changelog: 'Initial version',
        ...(form.description.trim() ? { description: form.description.trim() } : {}),
        ...(form.tags.trim() ? { tags: commaList(form.tags) } : {}),
      },
      { onSuccess: () => navigate(`/features/${encodeURIComponent(form.name.trim())}`) },
    );
  };
  return (
    <StackedForm summary="Define a feature" label="define feature" onSubmit={submit} action={create} submit="Define feature" disabled={!form.name.trim() || !form.dataset_id}>
      <TextField label="Name" aria-label="feature name" {...field('name')} />
      <TextField label="Entity (join key)" aria-label="feature entity" {...field('entity')} />
      <SelectField label="Value type" aria-label="value type" choices={VALUE_TYPES} {...field('value_type')} />
      <SourceFields prefix="" field={field} kind={form.kind} />
      <TextField label="Description" aria-label="feature description" {...field('description')} />
      <TextField label="Tags (comma-separated)" aria-label="feature tags" {...field('tags')} />
    </StackedForm>
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
          <Table className="feature-versions" columns={['Version', 'Type', 'Changelog', 'Compatibility', 'By', 'When']}>
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
          </Table>
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
            <Table className="feature-diff" columns={['Field', `v${from}`, `v${to}`]}>
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
            </Table>
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
  const { form, set, field } = useFormState({
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
  const bound = (text: string, which: string) => {
    if (!text.trim()) return null;
    const value = Number(text);
    if (!Number.isFinite(value)) throw new Error(`${which}: ${text} is not a number`);
    return value;
  };
  const { invalid, submit } = useReadSubmit(
    () => ({ min: bound(form.min, 'min'), max: bound(form.max, 'max') }),
    ({ min, max }) => {
      const source = featureSource(form);
      const sameSource = source.kind === latest.source.kind && form.dataset_id === latest.source.dataset_id && form.source.trim() === (latest.source.column ?? latest.source.expression);
      create.mutate({
        changelog: form.changelog.trim(),
        schema: {
          nullable: form.nullable,
          ...(min !== null ? { min } : {}),
          ...(max !== null ? { max } : {}),
          ...(form.allowed_values.trim() ? { allowed_values: form.value_type === 'string' ? commaList(form.allowed_values) : parseLabels(form.allowed_values) } : {}),
        },
        ...(form.value_type !== latest.value_type ? { value_type: form.value_type as FeatureValueType } : {}),
        ...(sameSource ? {} : { source }),
      });
    },
  );
  return (
    <StackedForm
      label="new feature version"
      hint={`Starts from v${latest.version}. A narrower type, a tighter schema or another source is flagged as breaking.`}
      onSubmit={submit}
      action={create}
      invalid={invalid}
      submit={`Create version ${latest.version + 1}`}
      disabled={!form.changelog.trim()}
    >
      <SelectField label="Value type" aria-label="version value type" choices={ALL_VALUE_TYPES} {...field('value_type')} />
      <label>
        <span>
          <input type="checkbox" aria-label="version nullable" checked={form.nullable} onChange={(e) => set({ nullable: e.target.checked })} /> nullable
        </span>
      </label>
      <TextField label="Minimum (numeric types)" aria-label="version min" {...field('min')} />
      <TextField label="Maximum (numeric types)" aria-label="version max" {...field('max')} />
      <TextField label="Allowed values (comma-separated)" aria-label="version allowed values" {...field('allowed_values')} />
      <SourceFields prefix="version " keep={form.dataset_id} field={field} kind={form.kind} />
      <TextField label="Changelog" aria-label="version changelog" placeholder="what changed and why (required)" {...field('changelog')} />
    </StackedForm>
  );
}
