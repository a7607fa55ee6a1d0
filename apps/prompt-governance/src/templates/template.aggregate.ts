import { defineAggregate } from '@mlops/event-sourcing';
import { templateDecider, templateStreamId } from './template.decider';
import { templatesProjection } from './templates.projection';

/** A prompt template with its versions, reviews and labels: stream `template:<id>`, read from the templates read model. */
export const templateAggregate = defineAggregate({
  decider: templateDecider,
  streamId: templateStreamId,
  projection: templatesProjection,
  describe: (templateId) => `Template ${templateId}`,
});
