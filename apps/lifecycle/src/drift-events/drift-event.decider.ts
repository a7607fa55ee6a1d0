import { randomBytes } from 'node:crypto';
import { DriftDetectedData, DriftEvent, DriftSeverity } from '@mlops/events';
import { conflict, Decider, notFound } from '@mlops/event-sourcing';

export const SEVERITIES: DriftSeverity[] = ['low', 'medium', 'high', 'critical'];

export type DriftCommand = {
  type: 'RecordDrift';
  data: DriftDetectedData & {
    /** Whether the model version exists, as the write side knows it. */
    model_version_exists: boolean;
  };
};

export type DriftState = { exists: false } | { exists: true; drift: DriftDetectedData };

export const DRIFT_STREAM_PREFIX = 'drift:';
export const driftStreamId = (driftEventId: string) => `${DRIFT_STREAM_PREFIX}${driftEventId}`;

/** A UUIDv7 (RFC 9562): ids, and so the list's `_id` order, follow the time of recording. */
export function timeOrderedId(now: Date): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now.getTime(), 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function decide(command: DriftCommand, state: DriftState): DriftEvent[] {
  const { model_version_exists, ...drift } = command.data;
  if (state.exists) throw conflict(`Drift event ${drift.drift_event_id} already exists`);
  if (!model_version_exists) throw notFound(`Model ${drift.model_name} has no version ${drift.model_version}`);
  return [{ type: 'DriftDetected', data: drift }];
}

export const evolve = (_state: DriftState, event: DriftEvent): DriftState => ({ exists: true, drift: event.data });

export const initialState = (): DriftState => ({ exists: false });

// No snapshot: a drift event stream holds one commit, so a load is already bounded.
export const driftDecider: Decider<DriftCommand, DriftEvent, DriftState> = { decide, evolve, initialState };
