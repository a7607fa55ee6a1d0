import {
  DeploymentConfig,
  DeploymentEnvironment,
  DeploymentEvent,
  DeploymentHealth,
  DeploymentMetrics,
  DeploymentStatus,
  DriftDetectedData,
  ModelStage,
} from '@mlops/events';
import { conflict, Decider, invalidState, notFound } from '@mlops/event-sourcing';

export const DEPLOYMENT_STATUSES: DeploymentStatus[] = ['pending', 'validating', 'deploying', 'active', 'failed', 'rollback', 'terminated'];
export const LIVE_STATUSES: DeploymentStatus[] = ['pending', 'validating', 'deploying', 'active', 'rollback'];
export const ENVIRONMENTS: DeploymentEnvironment[] = ['development', 'staging', 'production'];

/**
 * The seven-state machine: pending → validating → deploying → active, any of those → failed,
 * active → rollback, any live state → terminated. failed and terminated are final.
 */
export const TRANSITIONS: Record<DeploymentStatus, DeploymentStatus[]> = {
  pending: ['validating', 'failed', 'terminated'],
  validating: ['deploying', 'failed', 'terminated'],
  deploying: ['active', 'failed', 'terminated'],
  active: ['rollback', 'failed', 'terminated'],
  rollback: ['failed', 'terminated'],
  failed: [],
  terminated: [],
};

export const canTransition = (from: DeploymentStatus, to: DeploymentStatus) => TRANSITIONS[from].includes(to);
export const isLive = (status: DeploymentStatus) => LIVE_STATUSES.includes(status);

/** Status changes PATCH may ask for; rollback and terminated have their own commands. */
export type PatchableStatus = 'validating' | 'deploying' | 'active' | 'failed';
export const PATCHABLE_STATUSES: PatchableStatus[] = ['validating', 'deploying', 'active', 'failed'];

export type DeploymentCommand =
  | {
      type: 'CreateDeployment';
      data: {
        deployment_id: string;
        model_name: string;
        model_version: number;
        /** The model version's stage as the write side knows it: null when the version does not exist. */
        model_stage: ModelStage | null;
        environment: DeploymentEnvironment;
        config: DeploymentConfig;
      };
    }
  | {
      type: 'UpdateDeployment';
      data: { deployment_id: string; now: string; status?: PatchableStatus; reason?: string; health?: DeploymentHealth; metrics?: DeploymentMetrics };
    }
  | { type: 'PromoteDeployment'; data: { deployment_id: string } }
  | { type: 'RollBackDeployment'; data: { deployment_id: string; reason?: string } }
  | { type: 'TerminateDeployment'; data: { deployment_id: string; now: string; reason?: string } }
  | { type: 'AlertDrift'; data: { deployment_id: string; drift: DriftDetectedData } };

export type DeploymentState =
  | { exists: false }
  | {
      exists: true;
      deployment_id: string;
      model_name: string;
      model_version: number;
      environment: DeploymentEnvironment;
      status: DeploymentStatus;
      traffic_percent: number;
      /** Drift events already alerted on this stream: a redelivered drift pages once. */
      alerted_drift_event_ids: string[];
    };

export const deploymentStreamId = (deploymentId: string) => `deployment:${deploymentId}`;

function requireExisting(state: DeploymentState, id: string): Extract<DeploymentState, { exists: true }> {
  if (!state.exists) throw notFound(`Deployment ${id} does not exist`);
  return state;
}

function transition(state: Extract<DeploymentState, { exists: true }>, to: DeploymentStatus) {
  if (!canTransition(state.status, to)) throw invalidState(`Deployment ${state.deployment_id} is ${state.status}; it cannot move to ${to}`);
}

export function decide(command: DeploymentCommand, state: DeploymentState): DeploymentEvent[] {
  switch (command.type) {
    case 'CreateDeployment': {
      // The 100% cap has its own owner (traffic-allocation/): the share is allocated there first.
      const { model_stage, ...deployment } = command.data;
      const label = `${deployment.model_name} version ${deployment.model_version}`;
      if (state.exists) throw conflict(`Deployment ${deployment.deployment_id} already exists`);
      if (model_stage === null) throw notFound(`Model ${deployment.model_name} has no version ${deployment.model_version}`);
      if (model_stage === 'archived') throw invalidState(`${label} is archived; move it back to staging to deploy it`);
      if (deployment.environment === 'production' && model_stage !== 'production') {
        throw invalidState(`${label} is in stage ${model_stage}; only a production-stage version may be deployed to production`);
      }
      return [{ type: 'DeploymentCreated', data: deployment }];
    }
    case 'UpdateDeployment': {
      const { deployment_id, now, status, reason, health, metrics } = command.data;
      const current = requireExisting(state, deployment_id);
      const events: DeploymentEvent[] = [];
      let status_after = current.status;
      if (status !== undefined && status !== current.status) {
        transition(current, status);
        events.push({ type: 'DeploymentStatusChanged', data: { deployment_id, from: current.status, to: status, ...(reason ? { reason } : {}) } });
        status_after = status;
      }
      if (health !== undefined || metrics !== undefined) {
        if (!isLive(status_after)) throw invalidState(`Deployment ${deployment_id} is ${status_after}; it reports no health`);
        events.push({ type: 'DeploymentHealthReported', data: { deployment_id, reported_at: now, ...(health ? { health } : {}), ...(metrics ? { metrics } : {}) } });
      }
      return events;
    }
    case 'PromoteDeployment': {
      const current = requireExisting(state, command.data.deployment_id);
      if (current.status !== 'active') throw invalidState(`Deployment ${current.deployment_id} is ${current.status}; only an active canary can be promoted`);
      if (current.traffic_percent === 100) throw invalidState(`Deployment ${current.deployment_id} already takes 100% of the traffic`);
      return [{ type: 'DeploymentPromoted', data: { deployment_id: current.deployment_id, from_traffic_percent: current.traffic_percent, to_traffic_percent: 100 } }];
    }
    case 'RollBackDeployment': {
      const current = requireExisting(state, command.data.deployment_id);
      transition(current, 'rollback');
      const { reason } = command.data;
      return [{ type: 'DeploymentRolledBack', data: { deployment_id: current.deployment_id, from: 'active', ...(reason ? { reason } : {}) } }];
    }
    case 'TerminateDeployment': {
      const current = requireExisting(state, command.data.deployment_id);
      transition(current, 'terminated');
      const { now, reason } = command.data;
      return [{ type: 'DeploymentTerminated', data: { deployment_id: current.deployment_id, from: current.status, terminated_at: now, ...(reason ? { reason } : {}) } }];
    }
    case 'AlertDrift': {
      const current = requireExisting(state, command.data.deployment_id);
      // A deployment that stopped serving in the meantime needs no page, nor one paged already.
      if (!isLive(current.status) || current.alerted_drift_event_ids.includes(command.data.drift.drift_event_id)) return [];
      return [{ type: 'DeploymentDriftAlerted', data: { ...command.data.drift, deployment_id: current.deployment_id } }];
    }
  }
}

export function evolve(state: DeploymentState, event: DeploymentEvent): DeploymentState {
  if (event.type === 'DeploymentCreated') {
    const { config, ...deployment } = event.data;
    return { exists: true, ...deployment, status: 'pending', traffic_percent: config.traffic_percent, alerted_drift_event_ids: [] };
  }
  if (!state.exists) return state;
  switch (event.type) {
    case 'DeploymentStatusChanged':
      return { ...state, status: event.data.to };
    case 'DeploymentPromoted':
      return { ...state, traffic_percent: event.data.to_traffic_percent };
    case 'DeploymentRolledBack':
      return { ...state, status: 'rollback' };
    case 'DeploymentTerminated':
      return { ...state, status: 'terminated' };
    case 'DeploymentDriftAlerted':
      return { ...state, alerted_drift_event_ids: [...state.alerted_drift_event_ids, event.data.drift_event_id] };
    case 'DeploymentHealthReported':
      return state;
  }
}

export const initialState = (): DeploymentState => ({ exists: false });

export const deploymentDecider: Decider<DeploymentCommand, DeploymentEvent, DeploymentState> = {
  decide,
  evolve,
  initialState,
  // Bump when DeploymentState or evolve changes: older snapshots are then ignored.
  snapshot: { schema: 'deployment.v2' },
};
