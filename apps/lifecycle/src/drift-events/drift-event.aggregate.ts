import { defineAggregate } from '@mlops/event-sourcing';
import { driftDecider, driftStreamId } from './drift-event.decider';
import { driftEventsProjection } from './drift-events.projection';

/** One recorded drift event: stream `drift:<id>`, read from the drift events read model. */
export const driftEventAggregate = defineAggregate({
  decider: driftDecider,
  streamId: driftStreamId,
  projection: driftEventsProjection,
  describe: (id) => `Drift event ${id}`,
});
