import { Link } from 'react-router-dom';
import { useExperiments } from '@mlops/client';
import { Badge, formatTime, ListPage, useFilteredList } from '../components';
import { FilterBar } from '../forms';

export function ExperimentsPage() {
  const { filter, set, query, items: experiments } = useFilteredList(useExperiments);
  return (
    <ListPage
      title="Experiments"
      filters={<FilterBar filter={filter} set={set} fields={[{ key: 'status', label: 'Status', choices: ['active', 'archived'] }, { key: 'owner', label: 'Owner' }, { key: 'tag', label: 'Tag' }]} />}
      query={query}
      items={experiments}
      empty="No experiments match."
      className="experiments"
      columns={['Name', 'Status', 'Owner', 'Tags', 'Description', 'Created']}
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
