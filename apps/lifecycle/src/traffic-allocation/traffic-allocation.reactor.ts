import { Injectable } from '@nestjs/common';
import { CloudEvent, lifecycleCatalog, Topics } from '@mlops/events';
import { ReactionHandler, ReactorRegistration } from '@mlops/event-sourcing';
import { TrafficAllocations } from './traffic-allocations.service';

/**
 * The at-least-once half of releasing traffic. The request that ends, rolls back or promotes a
 * deployment follows the allocation itself, so the freed share is usable when it answers (a
 * reactor alone would leave a window where a create is refused for a share already given up);
 * but that is a second commit on another stream, and a crash before it would keep the share for
 * good. This reactor follows every such event again, after any crash: the repeat decides nothing.
 */
@Injectable()
export class TrafficAllocationReaction implements ReactionHandler {
  constructor(private readonly allocations: TrafficAllocations) {}

  async react(event: CloudEvent): Promise<void> {
    const { deployment_id } = event.data as { deployment_id: string };
    await this.allocations.follow(deployment_id, { actor: event.actor, correlationId: event.correlationid, causationId: event.id, now: new Date() });
  }
}

export const trafficAllocationReactor: ReactorRegistration = {
  name: 'traffic-allocation',
  topic: Topics.lifecycle,
  eventTypes: ['DeploymentStatusChanged', 'DeploymentRolledBack', 'DeploymentTerminated', 'DeploymentPromoted'].map((name) => lifecycleCatalog.typeOf(name)),
  handler: TrafficAllocationReaction,
};
