import { defineAggregate } from '@mlops/event-sourcing';
import { datasetDecider, datasetStreamId } from './dataset.decider';
import { datasetsProjection } from './datasets.projection';

/** A registered dataset: stream `dataset:<id>`, read from the datasets read model. */
export const datasetAggregate = defineAggregate({
  decider: datasetDecider,
  streamId: datasetStreamId,
  projection: datasetsProjection,
  describe: (id) => `Dataset ${id}`,
});
