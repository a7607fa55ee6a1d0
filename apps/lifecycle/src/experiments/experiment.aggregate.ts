import { defineAggregate } from '@mlops/event-sourcing';
import { experimentDecider, experimentStreamId } from './experiment.decider';
import { experimentsProjection } from './experiments.projection';

/** An experiment: stream `experiment:<name>` (its key; a rename keeps it), read from the experiments read model. */
export const experimentAggregate = defineAggregate({
  decider: experimentDecider,
  streamId: experimentStreamId,
  projection: experimentsProjection,
  describe: (name) => `Experiment ${name}`,
});
