import { defineAggregate } from '@mlops/event-sourcing';
import { featureDecider, featureStreamId } from './feature.decider';
import { featuresProjection } from './features.projection';

/** A feature: stream `feature:<name>`, decided by featureDecider, read from the features read model. */
export const featureAggregate = defineAggregate({
  decider: featureDecider,
  streamId: featureStreamId,
  projection: featuresProjection,
  describe: (name) => `Feature ${name}`,
});
