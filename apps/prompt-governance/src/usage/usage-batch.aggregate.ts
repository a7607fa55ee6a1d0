import { defineAggregate } from '@mlops/event-sourcing';
import { usageDecider, usageStreamId } from './usage.decider';
import { usageProjection } from './usage.projection';

export interface UsageBatchId {
  templateId: string;
  version: number;
  batchId: string;
}

/** One logged batch of usage records, its own stream so batches never contend with each other or the template. */
export const usageBatchAggregate = defineAggregate({
  decider: usageDecider,
  streamId: ({ templateId, version, batchId }: UsageBatchId) => usageStreamId(templateId, version, batchId),
  projection: usageProjection,
  describe: ({ templateId, version, batchId }) => `Usage batch ${batchId} of template ${templateId} version ${version}`,
});
