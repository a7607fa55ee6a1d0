import { type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useDataset, useDatasets, useRefreshDataset, useRegisterDataset } from '@mlops/client';
import { ChangedElsewhere, formatNumber, formatTime, ListPage, ProblemView, Section, Table, useFilteredList } from '../components';
import { commaList, FilterBar, SelectField, StackedForm, TextField, useFormState } from '../forms';
import { SmallBar } from '../visuals';

/** Bytes as a person reads them (KiB, MiB, …). */
export function formatBytes(bytes: number) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

const cell = (value: unknown) => (value === null || value === undefined ? '—' : typeof value === 'number' ? formatNumber(value) : String(value));

export function DatasetsPage() {
  const { filter, set, query, items: datasets } = useFilteredList(useDatasets);
  return (
    <ListPage
      title="Datasets"
      actions={<Link to="/features">Features</Link>}
      filters={<FilterBar filter={filter} set={set} fields={[{ key: 'source_type', label: 'Source', choices: ['csv', 'parquet', 'duckdb_table'] }, { key: 'tag', label: 'Tag' }]} />}
      query={query}
      items={datasets}
      empty="No datasets match."
      className="datasets"
      columns={['Dataset', 'Source', 'Rows', 'Size', 'Columns', 'Tags', 'Profiled']}
      row={(d) => (
        <tr key={d.id} data-dataset={d.id}>
          <td className="long">
            <Link to={`/datasets/${encodeURIComponent(d.id)}`}>{d.id}</Link>
          </td>
          <td className="long">
            {d.source_type} {d.table_name ?? d.path}
          </td>
          <td className="num">{d.row_count}</td>
          <td className="num">{formatBytes(d.size_bytes)}</td>
          <td className="num">{d.schema.length}</td>
          <td className="long">{d.tags.join(', ') || '—'}</td>
          <td>{formatTime(d.profiled_at)}</td>
        </tr>
      )}
    >
      <RegisterDataset />
    </ListPage>
  );
}

/** Register a file under the data root or a DuckDB table; the Feature Store profiles it with DuckDB. */
function RegisterDataset() {
  const navigate = useNavigate();
  const register = useRegisterDataset();
  const { form, field } = useFormState({ name: '', source_type: 'csv', path: '', table_name: '', description: '', tags: '' });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    register.mutate(
      {
        name: form.name.trim(),
        source_type: form.source_type as 'csv' | 'parquet' | 'duckdb_table',
        ...(form.path.trim() ? { path: form.path.trim() } : {}),
        ...(form.table_name.trim() ? { table_name: form.table_name.trim() } : {}),
        ...(form.description.trim() ? { description: form.description.trim() } : {}),
        ...(form.tags.trim() ? { tags: commaList(form.tags) } : {}),
      },
      { onSuccess: () => navigate(`/datasets/${encodeURIComponent(form.name.trim())}`) },
    );
  };
  return (
    <StackedForm summary="Register a dataset" label="register dataset" onSubmit={submit} action={register} submit="Register" disabled={!form.name.trim()}>
      <TextField label="Name (the dataset id)" aria-label="dataset name" {...field('name')} />
      <SelectField
        label="Source"
        aria-label="source type"
        choices={[
          ['csv', 'CSV file'],
          ['parquet', 'Parquet file'],
          ['duckdb_table', 'DuckDB table'],
        ]}
        {...field('source_type')}
      />
      <TextField label="Path under the data root" aria-label="dataset path" {...field('path')} />
      {form.source_type === 'duckdb_table' && <TextField label="Table" aria-label="table name" {...field('table_name')} />}
      <TextField label="Description" aria-label="dataset description" {...field('description')} />
      <TextField label="Tags (comma-separated)" aria-label="dataset tags" {...field('tags')} />
    </StackedForm>
  );
}

export function DatasetPage() {
  const id = useParams().id!;
  const query = useDataset(id);
  const refresh = useRefreshDataset(id);
  if (query.isPending) return <p className="loading">Loading…</p>;
  if (query.error) return <ProblemView error={query.error} />;
  const d = query.data.data;
  const change = d.last_schema_change;
  return (
    <>
      <Section
        title={`Dataset ${d.id}`}
        actions={
          <button disabled={refresh.isPending} onClick={() => refresh.mutate()}>
            {refresh.isPending ? 'Refreshing…' : 'Refresh profile'}
          </button>
        }
      >
        {refresh.changedElsewhere ? <ChangedElsewhere onReload={refresh.reload} /> : refresh.error && <ProblemView error={refresh.error} />}
        <div className="facts" data-testid="dataset-facts">
          {d.description && <p className="long">{d.description}</p>}
          <div className="long">
            {d.source_type} · {d.path}
            {d.table_name ? ` · table ${d.table_name}` : ''}
          </div>
          <div className="metrics-cards">
            <div className="card" data-fact="rows">
              <strong>{d.row_count}</strong> rows
            </div>
            <div className="card" data-fact="size">
              <strong>{formatBytes(d.size_bytes)}</strong> ({d.size_bytes} bytes)
            </div>
            <div className="card long" data-fact="sha256">
              sha256 <code>{d.content_sha256 ?? '— (a table)'}</code>
            </div>
          </div>
          <div>
            profiled {formatTime(d.profiled_at)} · registered {formatTime(d.created_at)} by {d.created_by} · tags {d.tags.join(', ') || '—'}
          </div>
        </div>
      </Section>
      <Section title="Schema and profile">
        <Table className="profile" columns={['Column', 'Type', 'Nulls', 'Distinct (approx.)', 'Min', 'Max', 'Mean', 'Std dev']}>
          {d.schema.map((column) => {
            const p = d.profile.find((x) => x.column === column.column);
            return (
              <tr key={column.column} data-column={column.column}>
                <td>{column.column}</td>
                <td>
                  <code>{column.type}</code>
                </td>
                <td>{p ? <SmallBar value={p.null_count} max={d.row_count} /> : '—'}</td>
                <td>{p ? <SmallBar value={p.approx_distinct} max={d.row_count} /> : '—'}</td>
                <td className="num">{cell(p?.min)}</td>
                <td className="num">{cell(p?.max)}</td>
                <td className="num">{cell(p?.mean)}</td>
                <td className="num">{cell(p?.stddev)}</td>
              </tr>
            );
          })}
        </Table>
      </Section>
      <Section title="Last schema change">
        {!change ? (
          <p className="empty">The schema has not changed since registration.</p>
        ) : (
          <div data-testid="schema-change">
            <p>{formatTime(change.changed_at)}</p>
            <ul>
              {change.added.map((c) => (
                <li key={`+${c.column}`}>
                  added <code>{c.column}</code> {c.type}
                </li>
              ))}
              {change.removed.map((c) => (
                <li key={`-${c.column}`}>
                  removed <code>{c.column}</code> {c.type}
                </li>
              ))}
              {change.retyped.map((c) => (
                <li key={`~${c.column}`}>
                  retyped <code>{c.column}</code> {c.from} → {c.to}
                </li>
              ))}
            </ul>
          </div>
        )}
      </Section>
    </>
  );
}
