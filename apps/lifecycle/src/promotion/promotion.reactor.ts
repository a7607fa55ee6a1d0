import { Injectable } from '@nestjs/common';
import { CloudEvent, DeploymentPromotedData, lifecycleCatalog, Topics } from '@mlops/events';
import { BoundAggregate, DomainError, InjectAggregate, ReactionHandler, ReactorRegistration } from '@mlops/event-sourcing';
import { deploymentAggregate } from '../deployments/deployment.aggregate';
import { LIVE_STATUSES } from '../deployments/deployment.decider';
import { TrafficAllocations } from '../traffic-allocation/traffic-allocations.service';

/** Enough to land beside concurrent changes to a superseded deployment. */
const RETRIES = 10;

export const supersededReason = (promotedId: string) => `superseded by the promotion of ${promotedId}`;

/**
 * Promotion's follow-up: once a canary takes 100%, the other live deployments of the model in
 * that environment are terminated, each its own command (separate streams). Driven by the
 * promoted event, so a crash after the promotion's commit still terminates them after restart.
 * Decided against the promoted deployment as it stands: if it no longer holds 100% (rolled back,
 * ended) a late redelivery terminates nothing; terminating an ended deployment is skipped.
 */
@Injectable()
export class PromotionReaction implements ReactionHandler {
  constructor(
    @InjectAggregate(deploymentAggregate) private readonly deployments: BoundAggregate<typeof deploymentAggregate>,
    private readonly allocations: TrafficAllocations,
  ) {}

  async react(event: CloudEvent): Promise<void> {
    const { deployment_id } = event.data as unknown as DeploymentPromotedData;
    const { state: promoted } = await this.deployments.load(deployment_id);
    if (!promoted.exists || promoted.status !== 'active' || promoted.traffic_percent !== 100) return;
    const metadata = { actor: event.actor, correlationId: event.correlationid, causationId: event.id, now: new Date() };
    // The read model (rolled-back deployments hold no share) and the allocation (creates not projected yet).
    const live = await this.deployments.readModel.collection
      .find({ model_name: promoted.model_name, environment: promoted.environment, status: { $in: LIVE_STATUSES }, deployment_id: { $ne: deployment_id } })
      .toArray();
    const sharing = await this.allocations.shares(promoted.model_name, promoted.environment);
    const others = new Set([...live.map((d) => d.deployment_id), ...sharing.map((s) => s.deployment_id)].filter((id) => id !== deployment_id));
    for (const other of others) {
      const command = { type: 'TerminateDeployment' as const, data: { deployment_id: other, now: metadata.now.toISOString(), reason: supersededReason(deployment_id) } };
      try {
        await this.deployments.execute(other, command, { metadata, retries: RETRIES, awaitReadModel: false });
      } catch (error) {
        // Ended meanwhile (invalid state), or a share whose deployment was never written (not found).
        if (!(error instanceof DomainError && (error.kind === 'invalid_state' || error.kind === 'not_found'))) throw error;
      }
      await this.allocations.follow(other, metadata);
    }
  }
}

export const promotionReactor: ReactorRegistration = {
  name: 'promotion',
  topic: Topics.lifecycle,
  eventTypes: [lifecycleCatalog.typeOf('DeploymentPromoted')],
  handler: PromotionReaction,
};
