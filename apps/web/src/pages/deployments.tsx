import { Link, useSearchParams } from 'react-router-dom';
import { type DeploymentFilter, useDeployments } from '@mlops/client';
import { Badge, formatTime, ListPage, useFilteredList } from '../components';
import { FilterBar } from '../forms';

export function DeploymentsPage() {
  const [search] = useSearchParams();
  // A model version page links here with its model as the filter.
  const { filter, set, query, items: deployments } = useFilteredList(useDeployments, (): DeploymentFilter => (search.get('model_name') ? { model_name: search.get('model_name')! } : {}));
  return (
    <ListPage
      title="Deployments"
      filters={
        <FilterBar
          filter={filter}
          set={set}
          fields={[
            { key: 'environment', label: 'Environment', choices: ['development', 'staging', 'production'] },
            { key: 'status', label: 'Status', choices: ['pending', 'validating', 'deploying', 'active', 'failed', 'rollback', 'terminated'] },
          ]}
        />
      }
      query={query}
      items={deployments}
      empty="No deployments match."
      className="deployments"
      columns={['Deployment', 'Model', 'Environment', 'Status', 'Traffic', 'Health', 'Drift alerts', 'Updated']}
      row={(d) => (
        <tr key={d.deployment_id}>
          <td>
            <Link to={`/deployments/${d.deployment_id}`}>{d.deployment_id.slice(0, 8)}</Link>
          </td>
          <td>
            {d.model_name} v{d.model_version}
          </td>
          <td>{d.environment}</td>
          <td>
            <Badge kind="deployment" value={d.status} />
          </td>
          <td className="num">{d.config.traffic_percent}%</td>
          <td>
            <Badge kind="health" value={d.health} />
          </td>
          <td className="num">{d.drift_alerts.length}</td>
          <td>{formatTime(d.updated_at)}</td>
        </tr>
      )}
    />
  );
}
