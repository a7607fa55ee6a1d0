import { defineAggregate } from '@mlops/event-sourcing';
import { scenarioDecider, scenarioStreamId } from './scenario.decider';
import { scenariosProjection } from './scenarios.projection';

/** A scenario and its versions: stream `scenario:<name>`, read from the scenarios read model. */
export const scenarioAggregate = defineAggregate({
  decider: scenarioDecider,
  streamId: scenarioStreamId,
  projection: scenariosProjection,
  describe: (name) => `Scenario ${name}`,
});
