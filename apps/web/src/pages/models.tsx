import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useModelVersions } from '@mlops/client';
import { Badge, formatTime, ListTable, Section, useFilteredList } from '../components';
import { FilterBar } from '../forms';

export function ModelsPage() {
  const navigate = useNavigate();
  const [selected, setSelected] = useState<{ model: string; versions: number[] }>({ model: '', versions: [] });
  const { filter, set, query, items: versions } = useFilteredList(useModelVersions);
  const toggle = (model: string, version: number) =>
    setSelected((s) =>
      s.model !== model
        ? { model, versions: [version] }
        : { model, versions: s.versions.includes(version) ? s.versions.filter((v) => v !== version) : [...s.versions, version].sort((a, b) => a - b) },
    );
  return (
    <Section
      title="Model registry"
      actions={
        <button
          disabled={selected.versions.length < 2}
          onClick={() => navigate(`/models/${encodeURIComponent(selected.model)}/compare?versions=${selected.versions.join(',')}`)}
        >
          Compare {selected.versions.length >= 2 ? `${selected.model} v${selected.versions.join(', v')}` : 'versions'}
        </button>
      }
    >
      <div className="filters">
        <FilterBar filter={filter} set={set} fields={[{ key: 'model_name', label: 'Model' }, { key: 'stage', label: 'Stage', choices: ['none', 'staging', 'production', 'archived'] }]} />
        <span className="hint">Tick two or more versions of one model to compare them.</span>
      </div>
      <ListTable
        query={query}
        items={versions}
        empty="No model versions registered."
        className="models"
        columns={['', 'Model', 'Version', 'Stage', 'Checklist', 'Run', 'Registered']}
        row={(v) => (
          <tr key={`${v.model_name}/${v.version}`} data-version={`${v.model_name}/${v.version}`}>
            <td>
              <input
                type="checkbox"
                aria-label={`select ${v.model_name} v${v.version}`}
                checked={selected.model === v.model_name && selected.versions.includes(v.version)}
                onChange={() => toggle(v.model_name, v.version)}
              />
            </td>
            <td>{v.model_name}</td>
            <td>
              <Link to={`/models/${encodeURIComponent(v.model_name)}/${v.version}`}>v{v.version}</Link>
            </td>
            <td>
              <Badge kind="stage" value={v.stage} />
            </td>
            <td>
              {v.checklist.filter((c) => c.checked).length}/{v.checklist.length}
            </td>
            <td>
              <Link to={`/runs/${v.run_id}`}>{v.run_id.slice(0, 8)}</Link>
            </td>
            <td>{formatTime(v.created_at)}</td>
          </tr>
        )}
      />
    </Section>
  );
}
