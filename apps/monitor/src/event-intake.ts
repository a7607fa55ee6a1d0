import type { ValidateFunction } from 'ajv';
import { LRUCache } from 'lru-cache';
import { IntakeCounts } from './monitor-metrics';
import { applyEvent, emptyState, MonitoredEvent, PlatformState } from './platform-state';

export type IntakeOutcome = 'applied' | 'duplicate' | 'rejected';

/**
 * Takes raw Kafka values: refuses what is not a valid event of the contract (counted, never
 * thrown, so one bad message cannot stop the consumer), skips redeliveries, applies the rest.
 * Delivery is at-least-once, so a duplicate is recognised two ways: its CloudEvent id was seen
 * recently, or its stream already reached that version (exact whatever the window).
 */
export class EventIntake {
  readonly state: PlatformState = emptyState();
  readonly counts: IntakeCounts = { consumed: new Map(), rejected: new Map(), duplicates: new Map() };
  private readonly recentIds = new LRUCache<string, true>({ max: 100_000 });
  private readonly streamVersions = new Map<string, number>();

  constructor(
    private readonly validators: Map<string, ValidateFunction>,
    private readonly onRejected: (topic: string, reason: string, detail: string) => void = () => undefined,
  ) {}

  take(topic: string, value: unknown): IntakeOutcome {
    const event = typeof value === 'string' || Buffer.isBuffer(value) ? parseJson(String(value)) : value;
    if (!isEnvelope(event)) return this.reject(topic, 'unknown', 'not_cloudevent', 'the value is not a CloudEvent JSON object');
    const validate = this.validators.get(event.type);
    if (!validate) return this.reject(topic, event.type, 'unknown_type', `no schema for ${event.type} in the AsyncAPI document`);
    const valid = validate(event) as boolean; // not a type guard here: an invalid event keeps its envelope
    if (!valid) return this.reject(topic, event.type, 'schema_invalid', (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; '));
    if (this.recentIds.has(event.id) || (this.streamVersions.get(event.subject) ?? 0) >= event.streamversion) {
      bump(this.counts.duplicates, topic, { topic });
      return 'duplicate';
    }
    this.recentIds.set(event.id, true);
    this.streamVersions.set(event.subject, event.streamversion);
    applyEvent(this.state, event);
    bump(this.counts.consumed, `${topic}\u0000${event.type}`, { topic, type: event.type });
    return 'applied';
  }

  private reject(topic: string, type: string, reason: string, detail: string): IntakeOutcome {
    bump(this.counts.rejected, `${topic}\u0000${type}\u0000${reason}`, { topic, type, reason });
    this.onRejected(topic, reason, detail);
    return 'rejected';
  }
}

function bump<T extends { count: number }>(map: Map<string, T>, id: string, init: Omit<T, 'count'>): void {
  const row = map.get(id) ?? ({ ...init, count: 0 } as T);
  row.count += 1;
  map.set(id, row);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isEnvelope(value: unknown): value is MonitoredEvent {
  const e = value as MonitoredEvent;
  return typeof e === 'object' && e !== null && typeof e.type === 'string' && typeof e.id === 'string' && typeof e.subject === 'string' && Number.isInteger(e.streamversion);
}
