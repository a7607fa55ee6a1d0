import { Injectable } from '@nestjs/common';
import type { mongo } from 'mongoose';
import { CloudEvent, DriftDetectedData, lifecycleCatalog, Topics } from '@mlops/events';
import { BoundAggregate, DomainError, InjectAggregate, ReactionHandler, ReactorRegistration } from '@mlops/event-sourcing';
import { deploymentAggregate } from '../deployments/deployment.aggregate';
import { LIVE_STATUSES } from '../deployments/deployment.decider';
import { DeploymentDocument } from '../deployments/deployments.projection';

/** Enough to land beside concurrent health reports on the same deployment. */
const RETRIES = 10;

/** The deployments a critical drift pages: the live production ones serving that model version. */
export const servingInProduction = (drift: Pick<DriftDetectedData, 'model_name' | 'model_version'>): mongo.Filter<DeploymentDocument> => ({
  model_name: drift.model_name,
  model_version: drift.model_version,
  environment: 'production',
  status: { $in: LIVE_STATUSES },
});

/**
 * A critical drift pages every live production deployment serving the model version: an alert
 * event on each deployment's stream, so monitoring pages from the one lifecycle topic. Driven by
 * the drift event, so a crash after the drift's commit still pages after restart; each
 * deployment records the drift ids it was alerted for, so a redelivery pages nobody twice.
 */
@Injectable()
export class DriftAlertReaction implements ReactionHandler {
  constructor(@InjectAggregate(deploymentAggregate) private readonly deployments: BoundAggregate<typeof deploymentAggregate>) {}

  async react(event: CloudEvent): Promise<void> {
    const drift = event.data as unknown as DriftDetectedData;
    if (drift.severity !== 'critical') return;
    const serving = await this.deployments.readModel.collection.find(servingInProduction(drift)).toArray();
    const metadata = { actor: event.actor, correlationId: event.correlationid, causationId: event.id, now: new Date() };
    for (const { deployment_id } of serving) {
      try {
        await this.deployments.execute(deployment_id, { type: 'AlertDrift', data: { deployment_id, drift } }, { metadata, retries: RETRIES, awaitReadModel: false });
      } catch (error) {
        if (!(error instanceof DomainError && error.kind === 'not_found')) throw error;
      }
    }
  }
}

export const driftAlertReactor: ReactorRegistration = {
  name: 'drift-alert',
  topic: Topics.lifecycle,
  eventTypes: [lifecycleCatalog.typeOf('DriftDetected')],
  handler: DriftAlertReaction,
};
