import { defineAggregate } from '@mlops/event-sourcing';
import { runDecider, runStreamId } from './run.decider';
import { runsProjection } from './runs.projection';

/** A training run of an experiment (not an evaluation run): stream `run:<id>`, read from the runs read model. */
export const trainingRunAggregate = defineAggregate({
  decider: runDecider,
  streamId: runStreamId,
  projection: runsProjection,
  describe: (id) => `Run ${id}`,
});
