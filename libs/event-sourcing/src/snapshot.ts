import { isDeepStrictEqual } from 'node:util';
import { mongo } from 'mongoose';
import { Decider, DomainEvent, foldEvents } from './decider';

/**
 * A cache of one stream's folded state at `version`, under its decider's snapshot `schema`. The
 * state is a JSON string, so user-supplied strings in it never become document keys.
 */
export interface SnapshotDocument {
  _id: string;
  version: number;
  schema: string;
  state_json: string;
  taken_at: Date;
}

export const SNAPSHOTS_COLLECTION = 'snapshots';
const DUPLICATE_KEY = 11000;

/** True when `value` survives JSON.stringify → JSON.parse unchanged (undefined properties aside). */
export function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => item !== undefined && isPlainJson(item));
  if (typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  // An undefined property reads the same whether it is there or not; JSON.stringify drops it.
  return Object.values(value).every((item) => item === undefined || isPlainJson(item));
}

/** The state as a snapshot stores it, or null when it is not plain JSON (then it is never snapshotted). */
export function serializeState(state: unknown): string | null {
  return isPlainJson(state) ? JSON.stringify(state) : null;
}

export function deserializeState<State>(json: string): State {
  return JSON.parse(json) as State;
}

/**
 * The state as a snapshot gives it back: undefined properties dropped and -0 read as 0 (no decider
 * can tell the difference); null when it is not plain JSON, so it is never snapshotted.
 */
export function roundTripState<State>(state: State): State | null {
  const json = serializeState(state);
  return json === null ? null : deserializeState<State>(json);
}

/**
 * What a load yields when a snapshot was taken after the first `at` events: the prefix folded,
 * stored and read back, then the rest folded on top (null when the prefix state is not plain JSON).
 * Property tests compare it with the fold of the whole stream.
 */
export function foldThroughSnapshot<Command, Event extends DomainEvent, State>(
  decider: Decider<Command, Event, State>,
  events: readonly Event[],
  at: number,
): State | null {
  const snapshot = roundTripState(foldEvents(decider, events.slice(0, at)));
  return snapshot === null ? null : foldEvents(decider, events.slice(at), snapshot);
}

export class SnapshotStore {
  constructor(private readonly snapshots: mongo.Collection<SnapshotDocument>) {}

  get collection(): mongo.Collection<SnapshotDocument> {
    return this.snapshots;
  }

  /** The stream's snapshot, one read by `_id` (the caller ignores one taken under another schema). */
  load(streamId: string): Promise<SnapshotDocument | null> {
    return this.snapshots.findOne({ _id: streamId });
  }

  /**
   * Stores the state at `version` unless a snapshot at that version or a newer one exists (a
   * racing writer's E11000 on the upsert means exactly that). Returns whether it was written.
   */
  async save(streamId: string, schema: string, version: number, stateJson: string): Promise<boolean> {
    try {
      const result = await this.snapshots.updateOne(
        { _id: streamId, version: { $lt: version } },
        { $set: { version, schema, state_json: stateJson, taken_at: new Date() } },
        { upsert: true },
      );
      return result.modifiedCount + result.upsertedCount > 0;
    } catch (error) {
      if ((error as mongo.MongoServerError)?.code === DUPLICATE_KEY) return false;
      throw error;
    }
  }
}

/**
 * Where a load from a snapshot taken after the first `at` events would give another state than
 * folding the whole stream: the positions `at` (empty when snapshots are sound for this stream;
 * every position when the state is not plain JSON). Property tests assert it is empty.
 */
export function snapshotDivergences<Command, Event extends DomainEvent, State>(
  decider: Decider<Command, Event, State>,
  events: readonly Event[],
): number[] {
  const whole = roundTripState(foldEvents(decider, events));
  const positions = Array.from({ length: events.length + 1 }, (_, at) => at);
  if (whole === null) return positions;
  return positions.filter((at) => !isDeepStrictEqual(roundTripState(foldThroughSnapshot(decider, events, at)), whole));
}
