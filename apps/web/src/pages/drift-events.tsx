import { useDriftEvents } from '@mlops/client';
import { FeatureLink } from '../cross-links';
import { Badge, formatNumber, formatTime, ListPage, useFilteredList } from '../components';
import { FilterBar } from '../forms';

export function DriftEventsPage() {
  const { filter, set, query, items: events } = useFilteredList(useDriftEvents);
  return (
    <ListPage
      title="Drift events"
      filters={<FilterBar filter={filter} set={set} fields={[{ key: 'severity', label: 'Severity', choices: ['low', 'medium', 'high', 'critical'] }, { key: 'model_name', label: 'Model' }]} />}
      query={query}
      items={events}
      empty="No drift events match."
      className="drift-events"
      columns={['Detected', 'Model', 'Feature', 'Metric', 'Value / threshold', 'Severity', 'Recorded by']}
      row={(e) => (
        <tr key={e.drift_event_id} data-severity={e.severity}>
          <td>{formatTime(e.detected_at)}</td>
          <td>
            {e.model_name} v{e.model_version}
          </td>
          <td className="long">
            <FeatureLink name={e.feature} />
          </td>
          <td>{e.metric}</td>
          <td className="num">
            {formatNumber(e.value)} / {formatNumber(e.threshold)}
          </td>
          <td>
            <Badge kind="severity" value={e.severity} />
          </td>
          <td>{e.recorded_by}</td>
        </tr>
      )}
    />
  );
}
