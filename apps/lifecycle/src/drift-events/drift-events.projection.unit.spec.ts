import { DriftDetectedData, lifecycleCatalog } from '@mlops/events';
import { ProjectionSpecification } from '@mlops/testing';
import { driftEventsProjection } from './drift-events.projection';

const drift = (id: string, severity: DriftDetectedData['severity']): DriftDetectedData => ({
  drift_event_id: id,
  model_name: 'churn',
  model_version: 3,
  feature: 'age',
  metric: 'psi',
  value: 0.4,
  threshold: 0.2,
  severity,
  detected_at: '2025-12-31T23:00:00.000Z',
});
const A = '0190a1b2-0000-7000-8000-000000000001';
const B = '0190a1b2-0000-7000-8000-000000000002';
const spec = ProjectionSpecification.for(driftEventsProjection, lifecycleCatalog);

describe('drift events read model', () => {
  it('is the drift as detected, with who recorded it and when from the envelope', async () => {
    await spec
      .givenStream(`drift:${A}`, { event: { type: 'DriftDetected', data: drift(A, 'critical') }, at: '2026-01-01T00:00:05.000Z', by: 'monitor' })
      .then({ version: 1, ...drift(A, 'critical'), recorded_at: '2026-01-01T00:00:05.000Z', recorded_by: 'monitor' });
  });

  it('keeps one immutable document per drift stream, whatever else is on the topic', async () => {
    const docs = await spec
      .given(
        { stream: `drift:${A}`, event: { type: 'DriftDetected', data: drift(A, 'low') } },
        { stream: 'deployment:7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10', event: { type: 'DeploymentDriftAlerted', data: { ...drift(B, 'critical'), deployment_id: '7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10' } } },
        { stream: `drift:${B}`, event: { type: 'DriftDetected', data: drift(B, 'critical') } },
      )
      .documents();
    expect([...docs.keys()]).toEqual([`drift:${A}`, `drift:${B}`]);
    expect(docs.get(`drift:${A}`)).toMatchObject({ severity: 'low', version: 1 });
    expect(docs.get(`drift:${B}`)).toMatchObject({ severity: 'critical', version: 1 });
  });
});
