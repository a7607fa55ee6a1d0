import { Injectable, Logger } from '@nestjs/common';
import { DeploymentEnvironment } from '@mlops/events';
import { CommandMetadata, EventSourcing } from '@mlops/event-sourcing';
import { deploymentDecider, DeploymentState, deploymentStreamId } from '../deployments/deployment.decider';
import { TrafficAllocationCommand, trafficAllocationDecider, TrafficAllocationState, trafficAllocationStreamId } from './traffic-allocation.decider';

/**
 * Enough for twenty creates racing on one model and environment: each lost race is decided again
 * on the fresh shares, so the ones that fit get through and the rest are refused by the cap (409).
 */
const RACE_RETRIES = 40;

/** What the allocation must do so it matches the deployment as it stands: idempotent by construction. */
export function allocationFollowing(deployment: DeploymentState): TrafficAllocationCommand | null {
  if (!deployment.exists) return null;
  const { model_name, environment, deployment_id } = deployment;
  switch (deployment.status) {
    case 'terminated':
      return { type: 'ReleaseTraffic', data: { model_name, environment, deployment_id, reason: 'terminated' } };
    case 'failed':
      return { type: 'ReleaseTraffic', data: { model_name, environment, deployment_id, reason: 'failed' } };
    case 'rollback':
      // The previous version serves again: the rolled-back deployment holds no share.
      return { type: 'ReleaseTraffic', data: { model_name, environment, deployment_id, reason: 'rolled_back' } };
    case 'active':
      // Only a promotion makes an active deployment hold 100% while others still hold shares.
      return deployment.traffic_percent === 100 ? { type: 'PromoteTraffic', data: { model_name, environment, deployment_id } } : null;
    default:
      return null;
  }
}

/**
 * The traffic-allocation streams: a create allocates its share before the deployment stream is
 * written; a deployment that ends, rolls back or is promoted has its allocation follow (`follow`).
 */
@Injectable()
export class TrafficAllocations {
  private readonly logger = new Logger('TrafficAllocations');

  constructor(private readonly eventSourcing: EventSourcing) {}

  async allocate(
    share: { model_name: string; environment: DeploymentEnvironment; deployment_id: string; traffic_percent: number },
    metadata: CommandMetadata,
  ): Promise<void> {
    await this.eventSourcing.commands.handle(
      trafficAllocationDecider,
      trafficAllocationStreamId(share.model_name, share.environment),
      { type: 'AllocateTraffic', data: share },
      metadata,
      { retries: RACE_RETRIES },
    );
  }

  /** Brings the deployment's allocation in line with its current state; a repeat decides nothing. */
  async follow(deploymentId: string, metadata: CommandMetadata): Promise<void> {
    const { state } = await this.eventSourcing.eventStore.aggregate(deploymentStreamId(deploymentId), deploymentDecider);
    const command = allocationFollowing(state);
    if (!command || !state.exists) return;
    await this.eventSourcing.commands.handle(trafficAllocationDecider, trafficAllocationStreamId(state.model_name, state.environment), command, metadata, {
      retries: RACE_RETRIES,
    });
  }

  /**
   * `follow` within a request: the freed share is usable once the 2xx answers. A failure here
   * leaves it to the traffic-allocation reactor, which follows every such deployment event too.
   */
  async followNow(deploymentId: string, metadata: CommandMetadata): Promise<void> {
    await this.follow(deploymentId, metadata).catch((error) =>
      this.logger.warn(`allocation of deployment ${deploymentId} left to the reactor: ${(error as Error).message}`),
    );
  }

  async shares(modelName: string, environment: DeploymentEnvironment): Promise<TrafficAllocationState['shares']> {
    const { state } = await this.eventSourcing.eventStore.aggregate(trafficAllocationStreamId(modelName, environment), trafficAllocationDecider);
    return state.shares;
  }
}
