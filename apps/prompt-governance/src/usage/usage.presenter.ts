import { templateLocation } from '../templates/templates.presenter';
import type { UsageLoggedDto, UsageLogItemDto } from './usage.dto';
import type { UsageBatchDocument, UsageRecordDocument } from './usage.projection';

export const usageLocation = (templateId: string, version: number) => `${templateLocation(templateId)}/${version}/usage`;

export const presentBatch = (doc: UsageBatchDocument): UsageLoggedDto => ({
  template_id: doc.template_id,
  version: doc.version_number,
  batch_id: doc.batch_id,
  count: doc.count,
  error_count: doc.error_count,
  input_tokens: doc.input_tokens,
  output_tokens: doc.output_tokens,
  cost: doc.cost,
  logged_at: doc.logged_at,
});

export const presentRecord = ({ batch_id, caller, environment, input_tokens, output_tokens, latency_ms, cost, outcome, timestamp }: UsageRecordDocument): UsageLogItemDto => ({
  batch_id,
  caller,
  environment,
  input_tokens,
  output_tokens,
  latency_ms,
  cost,
  outcome,
  timestamp,
});
