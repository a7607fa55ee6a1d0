import { DeploymentEvent, DriftDetectedData, lifecycleCatalog } from '@mlops/events';
import { ProjectionSpecification } from '@mlops/testing';
import { DeploymentDocument, deploymentsProjection } from './deployments.projection';

const ID = '7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10';
const STREAM = `deployment:${ID}`;
const config = { replicas: 2, resources: { cpu: '500m' }, traffic_percent: 20 };
const at = (minute: number) => `2026-01-01T00:0${minute}:00.000Z`;
const moved = (from: string, to: string, reason?: string): DeploymentEvent => ({ type: 'DeploymentStatusChanged', data: { deployment_id: ID, from, to, ...(reason ? { reason } : {}) } as never });
const drift: DriftDetectedData = {
  drift_event_id: '0190a1b2-0000-7000-8000-000000000001',
  model_name: 'churn',
  model_version: 3,
  feature: 'age',
  metric: 'psi',
  value: 0.4,
  threshold: 0.2,
  severity: 'critical',
  detected_at: at(5),
};

const spec = ProjectionSpecification.for(deploymentsProjection, lifecycleCatalog);
const created: DeploymentEvent = { type: 'DeploymentCreated', data: { deployment_id: ID, model_name: 'churn', model_version: 3, environment: 'production', config } };

const base: Omit<DeploymentDocument, '_id' | 'version'> = {
  deployment_id: ID,
  model_name: 'churn',
  model_version: 3,
  environment: 'production',
  config,
  status: 'pending',
  health: 'unknown',
  metrics: {},
  health_reported_at: null,
  status_history: [{ from: null, to: 'pending', at: at(0), by: 'ana', reason: null }],
  drift_alerts: [],
  terminated_at: null,
  created_at: at(0),
  created_by: 'ana',
  updated_at: at(0),
  updated_by: 'ana',
};

describe('deployments read model', () => {
  it('starts pending, with unknown health and the creator as the first step of the history', async () => {
    await spec.givenStream(STREAM, created).then({ ...base, version: 1 });
  });

  it('follows the status machine step by step, who and when from the envelope, merging health and metrics', async () => {
    await spec
      .givenStream(
        STREAM,
        created,
        { event: moved('pending', 'validating'), by: 'ci' },
        { event: { type: 'DeploymentHealthReported', data: { deployment_id: ID, reported_at: at(2), health: 'healthy', metrics: { rps: 10, error_rate: 0.01 } } }, by: 'probe' },
        { event: { type: 'DeploymentHealthReported', data: { deployment_id: ID, reported_at: at(3), metrics: { rps: 12 } } }, by: 'probe' },
      )
      .then({
        ...base,
        version: 4,
        status: 'validating',
        health: 'healthy',
        metrics: { rps: 12, error_rate: 0.01 },
        health_reported_at: at(3),
        status_history: [...base.status_history, { from: 'pending', to: 'validating', at: at(1), by: 'ci', reason: null }],
        updated_at: at(3),
        updated_by: 'probe',
      });
  });

  it('records a promotion in the config, a rollback and a termination in the history, and each drift alert', async () => {
    await spec
      .givenStream(
        STREAM,
        created,
        moved('pending', 'validating'),
        moved('validating', 'deploying'),
        moved('deploying', 'active'),
        { type: 'DeploymentPromoted', data: { deployment_id: ID, from_traffic_percent: 20, to_traffic_percent: 100 } },
        { type: 'DeploymentDriftAlerted', data: { ...drift, deployment_id: ID } },
        { type: 'DeploymentRolledBack', data: { deployment_id: ID, from: 'active', reason: 'errors' } },
        { event: { type: 'DeploymentTerminated', data: { deployment_id: ID, from: 'rollback', terminated_at: at(8), reason: 'superseded' } }, at: at(8), by: 'ops' },
      )
      .thenMatches({
        version: 8,
        status: 'terminated',
        terminated_at: at(8),
        config: { ...config, traffic_percent: 100 },
        drift_alerts: [{ drift_event_id: drift.drift_event_id, feature: 'age', metric: 'psi', value: 0.4, threshold: 0.2, severity: 'critical', detected_at: at(5) }],
        updated_by: 'ops',
      });
    const doc = (await spec.givenStream(STREAM, created, moved('pending', 'failed', 'image pull')).documents()).get(STREAM)!;
    expect(doc.status_history.map((s) => [s.from, s.to, s.reason])).toEqual([
      [null, 'pending', null],
      ['pending', 'failed', 'image pull'],
    ]);
  });

  it('keeps one document per stream and follows only deployment streams', async () => {
    const other = '00000000-0000-4000-8000-000000000002';
    const docs = await spec
      .given(
        { stream: STREAM, event: created },
        { stream: `deployment:${other}`, event: { ...created, data: { ...created.data, deployment_id: other } } as DeploymentEvent },
        { stream: STREAM, event: moved('pending', 'validating') },
        { stream: 'traffic_allocation:production:churn', event: { type: 'TrafficAllocated', data: { model_name: 'churn', environment: 'production', deployment_id: ID, traffic_percent: 20 } } },
      )
      .documents();
    expect([...docs.keys()].sort()).toEqual([STREAM, `deployment:${other}`].sort());
    expect(docs.get(STREAM)!.version).toBe(2);
  });
});
