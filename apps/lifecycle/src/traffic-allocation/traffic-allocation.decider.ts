import { DeploymentEnvironment, TrafficAllocationEvent, TrafficReleaseReason } from '@mlops/events';
import { conflict, Decider } from '@mlops/event-sourcing';

/**
 * The one owner of the 100% cap: a stream per model and environment holding each live
 * deployment's share. Creates racing for the last share append to this one stream, so optimistic
 * concurrency lets exactly the ones that fit through (the rest are decided again and refused).
 */
export type TrafficAllocationCommand =
  | { type: 'AllocateTraffic'; data: { model_name: string; environment: DeploymentEnvironment; deployment_id: string; traffic_percent: number } }
  | { type: 'ReleaseTraffic'; data: { model_name: string; environment: DeploymentEnvironment; deployment_id: string; reason: TrafficReleaseReason } }
  /** The promoted deployment takes 100%: every other share is released in the same commit. */
  | { type: 'PromoteTraffic'; data: { model_name: string; environment: DeploymentEnvironment; deployment_id: string } };

export interface TrafficShare {
  deployment_id: string;
  traffic_percent: number;
}

/** Shares as a list of objects: deployment ids never become document keys. */
export interface TrafficAllocationState {
  shares: TrafficShare[];
}

export const CAP_PERCENT = 100;

export const trafficAllocationStreamId = (modelName: string, environment: DeploymentEnvironment) => `traffic_allocation:${environment}:${modelName}`;

export const allocatedPercent = (state: TrafficAllocationState) => state.shares.reduce((sum, share) => sum + share.traffic_percent, 0);

const shareOf = (state: TrafficAllocationState, deploymentId: string) => state.shares.find((s) => s.deployment_id === deploymentId);

export function decide(command: TrafficAllocationCommand, state: TrafficAllocationState): TrafficAllocationEvent[] {
  switch (command.type) {
    case 'AllocateTraffic': {
      const { model_name, environment, deployment_id, traffic_percent } = command.data;
      const held = shareOf(state, deployment_id);
      if (held?.traffic_percent === traffic_percent) return []; // a repeat of the same allocation
      const others = allocatedPercent(state) - (held?.traffic_percent ?? 0);
      if (others + traffic_percent > CAP_PERCENT) {
        throw conflict(
          `Live deployments of ${model_name} in ${environment} already take ${others}% of the traffic; ${traffic_percent}% more exceeds ${CAP_PERCENT}%`,
        );
      }
      return [{ type: 'TrafficAllocated', data: { model_name, environment, deployment_id, traffic_percent } }];
    }
    case 'ReleaseTraffic': {
      const { model_name, environment, deployment_id, reason } = command.data;
      const held = shareOf(state, deployment_id);
      if (!held) return []; // never held, or released already
      return [{ type: 'TrafficReleased', data: { model_name, environment, deployment_id, traffic_percent: held.traffic_percent, reason } }];
    }
    case 'PromoteTraffic': {
      const { model_name, environment, deployment_id } = command.data;
      const released: TrafficAllocationEvent[] = state.shares
        .filter((s) => s.deployment_id !== deployment_id)
        .map((s) => ({ type: 'TrafficReleased', data: { model_name, environment, deployment_id: s.deployment_id, traffic_percent: s.traffic_percent, reason: 'superseded' } }));
      const promoted: TrafficAllocationEvent[] =
        shareOf(state, deployment_id)?.traffic_percent === CAP_PERCENT ? [] : [{ type: 'TrafficAllocated', data: { model_name, environment, deployment_id, traffic_percent: CAP_PERCENT } }];
      return [...released, ...promoted];
    }
  }
}

export function evolve(state: TrafficAllocationState, event: TrafficAllocationEvent): TrafficAllocationState {
  const { deployment_id } = event.data;
  const shares = state.shares.filter((s) => s.deployment_id !== deployment_id);
  switch (event.type) {
    case 'TrafficAllocated':
      return { shares: [...shares, { deployment_id, traffic_percent: event.data.traffic_percent }] };
    case 'TrafficReleased':
      return { shares };
  }
}

export const initialState = (): TrafficAllocationState => ({ shares: [] });

export const trafficAllocationDecider: Decider<TrafficAllocationCommand, TrafficAllocationEvent, TrafficAllocationState> = {
  decide,
  evolve,
  initialState,
  // Bump when TrafficAllocationState or evolve changes: older snapshots are then ignored.
  snapshot: { schema: 'traffic-allocation.v1' },
};
