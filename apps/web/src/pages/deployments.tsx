import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { type DeploymentFilter, flatten, useDeployments } from '@mlops/client';
import { Badge, formatTime, ListPage } from '../components';

export function DeploymentsPage() {
  const [search] = useSearchParams();
  // A model version page links here with its model as the filter.
  const [filter, setFilter] = useState<DeploymentFilter>(() => (search.get('model_name') ? { model_name: search.get('model_name')! } : {}));
  const query = useDeployments(filter);
  const deployments = flatten(query.data);
  return (
    <ListPage
      title="Deployments"
      filters={
        <>
          <label>
            Environment
            <select
              value={filter.environment ?? ''}
              onChange={(e) => setFilter((f) => ({ ...f, environment: (e.target.value || undefined) as DeploymentFilter['environment'] }))}
            >
              <option value="">any</option>
              {['development', 'staging', 'production'].map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label>
            Status
            <select value={filter.status ?? ''} onChange={(e) => setFilter((f) => ({ ...f, status: (e.target.value || undefined) as DeploymentFilter['status'] }))}>
              <option value="">any</option>
              {['pending', 'validating', 'deploying', 'active', 'failed', 'rollback', 'terminated'].map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
        </>
      }
      query={query}
      items={deployments}
      empty="No deployments match."
      className="deployments"
      head={
        <>
          <th>Deployment</th>
          <th>Model</th>
          <th>Environment</th>
          <th>Status</th>
          <th>Traffic</th>
          <th>Health</th>
          <th>Drift alerts</th>
          <th>Updated</th>
        </>
      }
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
