import { defineAggregate } from '@mlops/event-sourcing';
import { modelDecider, modelStreamId } from './model.decider';
import { modelsProjection } from './models.projection';

/** A registered model with its versions: stream `model:<name>` (its key; a rename keeps it), read from the models read model. */
export const modelAggregate = defineAggregate({
  decider: modelDecider,
  streamId: modelStreamId,
  projection: modelsProjection,
  describe: (name) => `Model ${name}`,
});
