import { foldEvents } from '@mlops/event-sourcing';
import { DeploymentEvent, DriftDetectedData, ModelStage } from '@mlops/events';
import { DeploymentCommand, deploymentDecider } from './deployment.decider';

const ID = '7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10';
const NOW = '2026-01-02T00:00:00.000Z';
const config = { replicas: 2, resources: { cpu: '500m' }, traffic_percent: 20 };

const created: DeploymentEvent = {
  type: 'DeploymentCreated',
  data: { deployment_id: ID, model_name: 'churn', model_version: 3, environment: 'production', config },
};
const moved = (from: string, to: string): DeploymentEvent => ({ type: 'DeploymentStatusChanged', data: { deployment_id: ID, from, to } as never });
const activated = [created, moved('pending', 'validating'), moved('validating', 'deploying'), moved('deploying', 'active')];
const terminated: DeploymentEvent = { type: 'DeploymentTerminated', data: { deployment_id: ID, from: 'active', terminated_at: NOW } };
const drift: DriftDetectedData = {
  drift_event_id: '11111111-1111-4111-8111-111111111111',
  model_name: 'churn',
  model_version: 3,
  feature: 'age',
  metric: 'psi',
  value: 0.4,
  threshold: 0.2,
  severity: 'critical',
  detected_at: NOW,
};

/** given these past events, when this command, then these events (or this error). */
function given(...past: DeploymentEvent[]) {
  const state = foldEvents(deploymentDecider, past);
  return { when: (command: DeploymentCommand) => () => deploymentDecider.decide(command, state) };
}

const create = (model_stage: ModelStage | null, overrides: Partial<Extract<DeploymentCommand, { type: 'CreateDeployment' }>['data']> = {}): DeploymentCommand => ({
  type: 'CreateDeployment',
  data: { deployment_id: ID, model_name: 'churn', model_version: 3, model_stage, environment: 'production', config, live_traffic_percent: 80, ...overrides },
});
const update = (data: Omit<Extract<DeploymentCommand, { type: 'UpdateDeployment' }>['data'], 'deployment_id' | 'now'>): DeploymentCommand => ({
  type: 'UpdateDeployment',
  data: { deployment_id: ID, now: NOW, ...data },
});

describe('deployment decider', () => {
  it('creates a pending deployment of a production version when the traffic fits', () => {
    expect(given().when(create('production'))()).toEqual([created]);
  });

  it('refuses an unknown version (not found), an archived one and a non-production one in production (invalid state)', () => {
    expect(given().when(create(null))).toThrow(expect.objectContaining({ kind: 'not_found' }));
    expect(given().when(create('archived', { environment: 'staging' }))).toThrow(expect.objectContaining({ kind: 'invalid_state' }));
    expect(given().when(create('staging'))).toThrow(expect.objectContaining({ kind: 'invalid_state', message: expect.stringContaining('production') }));
    expect(given().when(create('none', { environment: 'development' }))()).toHaveLength(1);
  });

  it('refuses traffic beyond 100% across live deployments (conflict)', () => {
    expect(given().when(create('production', { live_traffic_percent: 81 }))).toThrow(expect.objectContaining({ kind: 'conflict' }));
  });

  it('walks pending → validating → deploying → active', () => {
    expect(given(created).when(update({ status: 'validating' }))()).toEqual([moved('pending', 'validating')]);
    expect(given(...activated.slice(0, 3)).when(update({ status: 'active' }))()).toEqual([moved('deploying', 'active')]);
  });

  it('refuses skipping states and leaving failed (invalid state)', () => {
    expect(given(created).when(update({ status: 'active' }))).toThrow(expect.objectContaining({ kind: 'invalid_state' }));
    expect(given(created, moved('pending', 'failed')).when(update({ status: 'validating' }))).toThrow(expect.objectContaining({ kind: 'invalid_state' }));
  });

  it('reports health and metrics of a live deployment, not of an ended one', () => {
    expect(given(...activated).when(update({ health: 'healthy', metrics: { rps: 10 } }))()).toEqual([
      { type: 'DeploymentHealthReported', data: { deployment_id: ID, reported_at: NOW, health: 'healthy', metrics: { rps: 10 } } },
    ]);
    expect(given(...activated, terminated).when(update({ health: 'healthy' }))).toThrow(expect.objectContaining({ kind: 'invalid_state' }));
  });

  it('promotes an active canary to 100%, not a pending one nor one already at 100%', () => {
    const promote: DeploymentCommand = { type: 'PromoteDeployment', data: { deployment_id: ID } };
    expect(given(...activated).when(promote)()).toEqual([{ type: 'DeploymentPromoted', data: { deployment_id: ID, from_traffic_percent: 20, to_traffic_percent: 100 } }]);
    expect(given(created).when(promote)).toThrow(expect.objectContaining({ kind: 'invalid_state' }));
    expect(given(...activated, { type: 'DeploymentPromoted', data: { deployment_id: ID, from_traffic_percent: 20, to_traffic_percent: 100 } }).when(promote)).toThrow(/already/);
  });

  it('rolls back only an active deployment', () => {
    const rollback: DeploymentCommand = { type: 'RollBackDeployment', data: { deployment_id: ID, reason: 'errors' } };
    expect(given(...activated).when(rollback)()).toEqual([{ type: 'DeploymentRolledBack', data: { deployment_id: ID, from: 'active', reason: 'errors' } }]);
    expect(given(created).when(rollback)).toThrow(expect.objectContaining({ kind: 'invalid_state' }));
  });

  it('terminates any live deployment once', () => {
    const terminate: DeploymentCommand = { type: 'TerminateDeployment', data: { deployment_id: ID, now: NOW } };
    expect(given(...activated).when(terminate)()).toEqual([terminated]);
    expect(given(created).when(terminate)()).toEqual([{ type: 'DeploymentTerminated', data: { deployment_id: ID, from: 'pending', terminated_at: NOW } }]);
    expect(given(...activated, terminated).when(terminate)).toThrow(expect.objectContaining({ kind: 'invalid_state' }));
  });

  it('alerts drift on a live deployment and stays silent on an ended one', () => {
    const alert: DeploymentCommand = { type: 'AlertDrift', data: { deployment_id: ID, drift } };
    expect(given(...activated).when(alert)()).toEqual([{ type: 'DeploymentDriftAlerted', data: { ...drift, deployment_id: ID } }]);
    expect(given(...activated, terminated).when(alert)()).toEqual([]);
  });

  it('refuses commands on an unknown deployment (not found)', () => {
    expect(given().when(update({ status: 'validating' }))).toThrow(expect.objectContaining({ kind: 'not_found' }));
  });
});
