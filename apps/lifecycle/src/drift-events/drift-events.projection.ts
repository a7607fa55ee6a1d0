import { CloudEvent, DriftSeverity, lifecycleCatalog, Topics } from '@mlops/events';
import { Projection, ReadModelDocument } from '@mlops/event-sourcing';

export interface DriftEventDocument extends ReadModelDocument {
  drift_event_id: string;
  model_name: string;
  model_version: number;
  feature: string;
  metric: string;
  value: number;
  threshold: number;
  severity: DriftSeverity;
  detected_at: string;
  recorded_at: string;
  recorded_by: string;
}

/** Drift events read model: one immutable document per drift stream. */
export const driftEventsProjection: Projection<DriftEventDocument> = {
  name: 'drift_events',
  topic: Topics.lifecycle,
  streamType: 'drift',
  indexes: [
    { collection: 'drift_events', key: { model_name: 1, _id: 1 }, name: 'model_name_id' },
    { collection: 'drift_events', key: { severity: 1, _id: 1 }, name: 'severity_id' },
    { collection: 'drift_events', key: { detected_at: 1 }, name: 'detected_at' },
  ],
  evolve(current, event: CloudEvent<any>) {
    if (lifecycleCatalog.nameOf(event.type) !== 'DriftDetected') return { ...current! };
    return { ...event.data, recorded_at: event.time, recorded_by: event.actor };
  },
};
