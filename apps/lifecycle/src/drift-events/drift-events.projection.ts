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
  evolve(current, event: CloudEvent<any>) {
    if (lifecycleCatalog.nameOf(event.type) !== 'DriftDetected') return { ...current! };
    return { ...event.data, recorded_at: event.time, recorded_by: event.actor };
  },
};
