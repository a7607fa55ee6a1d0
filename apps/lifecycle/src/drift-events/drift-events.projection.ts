import { CloudEvent, DriftSeverity, lifecycleCatalog, Topics } from '@mlops/events';
import { Projection, ReadModelDocument, readModelSchema } from '@mlops/event-sourcing';
import { SEVERITIES } from './drift-event.decider';

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

export const driftEventsSchema = readModelSchema('drift_events', {
  drift_event_id: String,
  model_name: String,
  model_version: Number,
  feature: String,
  metric: String,
  value: Number,
  threshold: Number,
  severity: { type: String, enum: SEVERITIES },
  detected_at: String,
  recorded_at: String,
  recorded_by: String,
});
driftEventsSchema.index({ model_name: 1, _id: 1 }, { name: 'model_name_id' });
driftEventsSchema.index({ severity: 1, _id: 1 }, { name: 'severity_id' });
driftEventsSchema.index({ detected_at: 1 }, { name: 'detected_at' });

/** Drift events read model: one immutable document per drift stream. */
export const driftEventsProjection: Projection<DriftEventDocument> = {
  name: 'drift_events',
  topic: Topics.lifecycle,
  streamType: 'drift',
  schema: driftEventsSchema,
  evolve(current, event: CloudEvent<any>) {
    if (lifecycleCatalog.nameOf(event.type) !== 'DriftDetected') return { ...current! };
    return { ...event.data, recorded_at: event.time, recorded_by: event.actor };
  },
};
