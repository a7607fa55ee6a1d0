import { defineAggregate } from '@mlops/event-sourcing';
import { evaluationRunDecider, runStreamId } from './run.decider';
import { runsProjection } from './runs.projection';

/** One evaluation run of a scenario against a model version, read from the evaluation runs read model. */
export const evaluationRunAggregate = defineAggregate({
  decider: evaluationRunDecider,
  streamId: runStreamId,
  projection: runsProjection,
  describe: (runId) => `Evaluation run ${runId}`,
});
