import { DriftDetectedData, DriftEvent } from '@mlops/events';
import { DriftCommand, driftDecider, timeOrderedId } from './drift-event.decider';
import { DeciderSpecification } from '@mlops/testing';

const drift: DriftDetectedData = {
  drift_event_id: '0190a1b2-0000-7000-8000-000000000001',
  model_name: 'churn',
  model_version: 2,
  feature: 'age',
  metric: 'psi',
  value: 0.3,
  threshold: 0.2,
  severity: 'high',
  detected_at: '2026-01-01T00:00:00.000Z',
};
const detected: DriftEvent = { type: 'DriftDetected', data: drift };

const { given } = DeciderSpecification.for(driftDecider);
const record = (model_version_exists: boolean): DriftCommand => ({ type: 'RecordDrift', data: { ...drift, model_version_exists } });

describe('drift event decider', () => {
  it('records a drift on an existing model version', () => {
    given().when(record(true)).then([detected]);
  });

  it('refuses an unknown model version (not found) and a second record with the same id (conflict)', () => {
    given().when(record(false)).thenThrows('not_found');
    given(detected).when(record(true)).thenThrows('conflict');
  });

  it('makes version-7 UUIDs that sort by time', () => {
    const earlier = timeOrderedId(new Date('2026-01-01T00:00:00.000Z'));
    const later = timeOrderedId(new Date('2026-01-01T00:00:00.001Z'));
    expect(earlier).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(earlier < later).toBe(true);
  });
});
