import { CloudEvent, EventCatalog } from '@mlops/events';
import { Decider, DomainEvent } from './decider';
import { DomainError } from './errors';
import { Projection, ReadModelDocument } from './projection';

/** One stream's decider and the read model that follows it, for replaying commands in memory. */
export interface ReplayTarget<Command, Event extends DomainEvent, State, Doc extends ReadModelDocument> {
  decider: Decider<Command, Event, State>;
  projection: Projection<Doc>;
  catalog: EventCatalog;
  /** The stream id every event is on (`template:prop`). */
  subject: string;
  /** `time` of every event (deciders take time from the command; this is only the envelope). */
  time?: string;
}

export interface ReplayHooks<Command, Event, State, Doc> {
  /** After a command was accepted, before its events are applied: the state it was decided on. */
  onDecided?(before: State, command: Command, events: Event[]): void;
  /** After each event was applied to the state and to the read model (`doc`). */
  onApplied?(before: State, after: State, event: Event, cloudEvent: CloudEvent, doc: Doc): void;
  /** A command the decider refused (a DomainError): nothing is written. */
  onRejected?(state: State, command: Command, error: DomainError): void;
}

export interface Replayed<Event, State, Doc> {
  state: State;
  doc: Doc | null;
  /** Every event written, in order. */
  log: Event[];
}

/** The envelope an event gets on the wire, at the given stream version. */
export function toCloudEvent(catalog: EventCatalog, subject: string, event: DomainEvent, streamversion: number, time = '2026-01-01T00:00:00.000Z'): CloudEvent {
  return {
    specversion: '1.0',
    id: `e${streamversion}`,
    source: catalog.source,
    type: catalog.typeOf(event.type),
    subject,
    time,
    datacontenttype: 'application/json',
    data: event.data as unknown as Record<string, unknown>,
    streamversion,
    actor: 'replay',
    correlationid: 'replay',
  };
}

/**
 * Runs commands through a decider the way the command handler does — a refused command writes
 * nothing — and folds every accepted event into both the decider state and the projection's read
 * model, so property tests can compare the two.
 */
export function replayCommands<Command, Event extends DomainEvent, State, Doc extends ReadModelDocument>(
  target: ReplayTarget<Command, Event, State, Doc>,
  commands: Command[],
  hooks: ReplayHooks<Command, Event, State, Doc> = {},
): Replayed<Event, State, Doc> {
  let state = target.decider.initialState();
  let doc: Doc | null = null;
  const log: Event[] = [];
  for (const command of commands) {
    let events: Event[];
    try {
      events = target.decider.decide(command, state);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      hooks.onRejected?.(state, command, error);
      continue;
    }
    hooks.onDecided?.(state, command, events);
    for (const event of events) {
      const before = state;
      state = target.decider.evolve(state, event);
      log.push(event);
      const cloudEvent = toCloudEvent(target.catalog, target.subject, event, log.length, target.time);
      const next = { ...target.projection.evolve(doc, cloudEvent), _id: target.subject, version: log.length } as Doc;
      doc = next;
      hooks.onApplied?.(before, state, event, cloudEvent, next);
    }
  }
  return { state, doc, log };
}
