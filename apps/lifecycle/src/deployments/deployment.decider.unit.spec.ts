import { DeploymentEvent, DriftDetectedData, ModelStage } from '@mlops/events';
import { DeciderSpecification } from '@mlops/testing';
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

const spec = DeciderSpecification.for(deploymentDecider);
const given = spec.given.bind(spec);

const create = (model_stage: ModelStage | null, overrides: Partial<Extract<DeploymentCommand, { type: 'CreateDeployment' }>['data']> = {}): DeploymentCommand => ({
  type: 'CreateDeployment',
  data: { deployment_id: ID, model_name: 'churn', model_version: 3, model_stage, environment: 'production', config, ...overrides },
});
const update = (data: Omit<Extract<DeploymentCommand, { type: 'UpdateDeployment' }>['data'], 'deployment_id' | 'now'>): DeploymentCommand => ({
  type: 'UpdateDeployment',
  data: { deployment_id: ID, now: NOW, ...data },
});
const promoted: DeploymentEvent = { type: 'DeploymentPromoted', data: { deployment_id: ID, from_traffic_percent: 20, to_traffic_percent: 100 } };

describe('deployment decider', () => {
  it('creates a pending deployment of a production version (the traffic share is allocated by its own owner first)', () => {
    given().when(create('production')).then([created]);
  });

  it('refuses an unknown version (not found), an archived one and a non-production one in production (invalid state)', () => {
    given().when(create(null)).thenThrows('not_found');
    given().when(create('archived', { environment: 'staging' })).thenThrows('invalid_state');
    given().when(create('staging')).thenThrows('invalid_state', 'production');
    expect(given().when(create('none', { environment: 'development' })).events()).toHaveLength(1);
  });

  it('refuses a second create on the same stream (conflict)', () => {
    given(created).when(create('production')).thenThrows('conflict', /already exists/);
  });

  it('walks pending → validating → deploying → active', () => {
    given(created).when(update({ status: 'validating' })).then([moved('pending', 'validating')]);
    given(...activated.slice(0, 3)).when(update({ status: 'active' })).then([moved('deploying', 'active')]);
  });

  it('refuses skipping states and leaving failed (invalid state)', () => {
    given(created).when(update({ status: 'active' })).thenThrows('invalid_state');
    given(created, moved('pending', 'failed')).when(update({ status: 'validating' })).thenThrows('invalid_state');
  });

  it('reports health and metrics of a live deployment, not of an ended one', () => {
    given(...activated)
      .when(update({ health: 'healthy', metrics: { rps: 10 } }))
      .then([{ type: 'DeploymentHealthReported', data: { deployment_id: ID, reported_at: NOW, health: 'healthy', metrics: { rps: 10 } } }]);
    given(...activated, terminated).when(update({ health: 'healthy' })).thenThrows('invalid_state');
  });

  it('promotes an active canary to 100%, not a pending one nor one already at 100%', () => {
    const promote: DeploymentCommand = { type: 'PromoteDeployment', data: { deployment_id: ID } };
    given(...activated).when(promote).then([promoted]);
    given(created).when(promote).thenThrows('invalid_state');
    given(...activated, promoted).when(promote).thenThrows('invalid_state', /already/);
  });

  it('rolls back only an active deployment', () => {
    const rollback: DeploymentCommand = { type: 'RollBackDeployment', data: { deployment_id: ID, reason: 'errors' } };
    given(...activated).when(rollback).then([{ type: 'DeploymentRolledBack', data: { deployment_id: ID, from: 'active', reason: 'errors' } }]);
    given(created).when(rollback).thenThrows('invalid_state');
  });

  it('terminates any live deployment once', () => {
    const terminate: DeploymentCommand = { type: 'TerminateDeployment', data: { deployment_id: ID, now: NOW } };
    given(...activated).when(terminate).then([terminated]);
    given(created).when(terminate).then([{ type: 'DeploymentTerminated', data: { deployment_id: ID, from: 'pending', terminated_at: NOW } }]);
    given(...activated, terminated).when(terminate).thenThrows('invalid_state');
  });

  it('alerts drift on a live deployment and stays silent on an ended one', () => {
    const alert: DeploymentCommand = { type: 'AlertDrift', data: { deployment_id: ID, drift } };
    given(...activated).when(alert).then([{ type: 'DeploymentDriftAlerted', data: { ...drift, deployment_id: ID } }]);
    given(...activated, terminated).when(alert).thenNothing();
  });

  it('alerts each drift event once: a redelivered drift decides nothing, another drift pages again', () => {
    const alerted: DeploymentEvent = { type: 'DeploymentDriftAlerted', data: { ...drift, deployment_id: ID } };
    given(...activated, alerted).when({ type: 'AlertDrift', data: { deployment_id: ID, drift } }).thenNothing();
    const next = { ...drift, drift_event_id: '22222222-2222-4222-8222-222222222222' };
    given(...activated, alerted).when({ type: 'AlertDrift', data: { deployment_id: ID, drift: next } }).then([{ type: 'DeploymentDriftAlerted', data: { ...next, deployment_id: ID } }]);
    const { state } = given(...activated, alerted);
    expect(state.exists && state.alerted_drift_event_ids).toEqual([drift.drift_event_id]);
  });

  it('refuses commands on an unknown deployment (not found)', () => {
    given().when(update({ status: 'validating' })).thenThrows('not_found');
  });
});
