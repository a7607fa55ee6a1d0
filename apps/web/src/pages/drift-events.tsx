import { useState } from 'react';
import { type DriftEventFilter, type DriftSeverity, flatten, useDriftEvents } from '@mlops/client';
import { FeatureLink } from '../cross-links';
import { Badge, formatNumber, formatTime, ListPage } from '../components';

export function DriftEventsPage() {
  const [severity, setSeverity] = useState<DriftSeverity>();
  const [model, setModel] = useState('');
  const filter: DriftEventFilter = { ...(severity ? { severity } : {}), ...(model ? { model_name: model } : {}) };
  const query = useDriftEvents(filter);
  const events = flatten(query.data);
  return (
    <ListPage
      title="Drift events"
      filters={
        <>
          <label>
            Severity
            <select value={severity ?? ''} onChange={(e) => setSeverity((e.target.value || undefined) as DriftSeverity)}>
              <option value="">any</option>
              {['low', 'medium', 'high', 'critical'].map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label>
            Model
            <input value={model} onChange={(e) => setModel(e.target.value)} />
          </label>
        </>
      }
      query={query}
      items={events}
      empty="No drift events match."
      className="drift-events"
      head={
        <>
          <th>Detected</th>
          <th>Model</th>
          <th>Feature</th>
          <th>Metric</th>
          <th>Value / threshold</th>
          <th>Severity</th>
          <th>Recorded by</th>
        </>
      }
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
