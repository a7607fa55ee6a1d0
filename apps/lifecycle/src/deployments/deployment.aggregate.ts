import { defineAggregate } from '@mlops/event-sourcing';
import { deploymentDecider, deploymentStreamId } from './deployment.decider';
import { deploymentsProjection } from './deployments.projection';

/** A deployment of a model version to an environment: stream `deployment:<id>`, read from the deployments read model. */
export const deploymentAggregate = defineAggregate({
  decider: deploymentDecider,
  streamId: deploymentStreamId,
  projection: deploymentsProjection,
  describe: (id) => `Deployment ${id}`,
});
