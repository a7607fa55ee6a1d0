import { PayloadReference, PromptVersionStatus, UsageEvent, UsageRecord } from '@mlops/events';
import { conflict, Decider, invalidState, notFound } from '@mlops/event-sourcing';

export const PRODUCTION_ENVIRONMENT = 'production';
export const MAX_BATCH = 1000;

/** A usage batch is its own stream with one event, so logging never contends with the template. */
export interface UsageBatchState {
  logged: boolean;
}

export type UsageCommand = {
  type: 'LogUsage';
  data: {
    template_id: string;
    version: number;
    batch_id: string;
    /** The version's status as the template read model shows it; null when the template or version does not exist. */
    version_status: PromptVersionStatus | null;
    records: UsageRecord[];
    /** Where the records are stored (the payload store): the event carries this, not the records. */
    records_ref: PayloadReference;
  };
};

export const USAGE_STREAM_PREFIX = 'usage:';
export const usageStreamId = (templateId: string, version: number, batchId: string) => `${USAGE_STREAM_PREFIX}${templateId}:${version}:${batchId}`;

export function decide(command: UsageCommand, state: UsageBatchState): UsageEvent[] {
  const { template_id, version, batch_id, version_status, records, records_ref } = command.data;
  if (version_status === null) throw notFound(`Template ${template_id} has no version ${version}`);
  if (state.logged) throw conflict(`Usage batch ${batch_id} is already logged`);
  const production = records.filter((r) => r.environment === PRODUCTION_ENVIRONMENT).length;
  if (production && version_status !== 'approved') {
    throw invalidState(
      `Version ${version} of ${template_id} is ${version_status}; only an approved version may be used in ${PRODUCTION_ENVIRONMENT} (${production} record(s))`,
    );
  }
  return [
    {
      type: 'UsageLogged',
      data: {
        template_id,
        version,
        batch_id,
        records_ref,
        count: records.length,
        error_count: records.filter((r) => r.outcome === 'error').length,
        input_tokens: records.reduce((n, r) => n + r.input_tokens, 0),
        output_tokens: records.reduce((n, r) => n + r.output_tokens, 0),
        cost: records.reduce((n, r) => n + r.cost, 0),
        latency_ms_sum: records.reduce((n, r) => n + r.latency_ms, 0),
      },
    },
  ];
}

export const evolve = (_state: UsageBatchState, _event: UsageEvent): UsageBatchState => ({ logged: true });
export const initialState = (): UsageBatchState => ({ logged: false });

// No snapshot: a usage batch stream holds one commit, so a load is already bounded.
export const usageDecider: Decider<UsageCommand, UsageEvent, UsageBatchState> = { decide, evolve, initialState };
