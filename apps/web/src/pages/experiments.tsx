import { Link } from 'react-router-dom';
import { type ExperimentFilter, flatten, useExperiments } from '@mlops/client';
import { Badge, formatTime, ListPage, useListFilter } from '../components';

export function ExperimentsPage() {
  const [filter, set] = useListFilter<ExperimentFilter>();
  const query = useExperiments(filter);
  const experiments = flatten(query.data);
  return (
    <ListPage
      title="Experiments"
      filters={
        <>
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
        </>
      }
      query={query}
      items={experiments}
      empty="No experiments match."
      className="experiments"
      head={
        <>
          <th>Name</th>
          <th>Status</th>
          <th>Owner</th>
          <th>Tags</th>
          <th>Description</th>
          <th>Created</th>
        </>
      }
      row={(experiment) => (
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
      )}
    />
  );
}
