import { useState } from 'react';
import { Link } from 'react-router-dom';
import { type ExperimentFilter, flatten, useExperiments } from '@mlops/client';
import { Badge, formatTime, ListState, LoadMore, Section } from '../components';

export function ExperimentsPage() {
  const [filter, setFilter] = useState<ExperimentFilter>({});
  const query = useExperiments(filter);
  const experiments = flatten(query.data);
  const set = (change: Partial<ExperimentFilter>) =>
    setFilter((f) => Object.fromEntries(Object.entries({ ...f, ...change }).filter(([, v]) => v !== '' && v !== undefined)));
  return (
    <Section title="Experiments">
      <div className="filters">
        <label>
          Status
          <select value={filter.status ?? ''} onChange={(e) => set({ status: (e.target.value || undefined) as ExperimentFilter['status'] })}>
            <option value="">any</option>
            <option value="active">active</option>
            <option value="archived">archived</option>
          </select>
        </label>
        <label>
          Owner
          <input value={filter.owner ?? ''} onChange={(e) => set({ owner: e.target.value })} />
        </label>
        <label>
          Tag
          <input value={filter.tag ?? ''} onChange={(e) => set({ tag: e.target.value })} />
        </label>
      </div>
      <ListState query={query} empty="No experiments match." count={experiments.length} />
      {experiments.length > 0 && (
        <div className="table-scroll">
          <table className="experiments">
            <thead>
              <tr>
                <th>Name</th>
                <th>Status</th>
                <th>Owner</th>
                <th>Tags</th>
                <th>Description</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {experiments.map((experiment) => (
                <tr key={experiment.name}>
                  <td>
                    <Link to={`/experiments/${encodeURIComponent(experiment.name)}`}>{experiment.name}</Link>
                  </td>
                  <td>
                    <Badge kind="status" value={experiment.status} />
                  </td>
                  <td>{experiment.owner}</td>
                  <td className="tags">{experiment.tags.join(', ')}</td>
                  <td className="long">{experiment.description}</td>
                  <td>{formatTime(experiment.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore query={query} />
    </Section>
  );
}
