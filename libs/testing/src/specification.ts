import { expect } from '@jest/globals';
import type { CloudEvent, EventCatalog } from '@mlops/events';
/*
 * The shapes of @mlops/event-sourcing's Decider and Projection, restated: that library's own suites
 * import this one, so importing it back would make a cycle. Its values fit these structurally.
 */
type DomainEvent = { type: string; data: unknown };
interface Decider<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}
interface ReadModelDocument {
  _id: string;
  version: number;
}
/** A derived write: documents (upserted or inserted once), appends or tallies, by collection. */
type DerivedWrite = { collection: string; documents?: { _id: string; [field: string]: unknown }[] };
interface Projection<Doc extends ReadModelDocument> {
  streamType: string;
  evolve(current: Doc | null, event: CloudEvent): Omit<Doc, '_id' | 'version'>;
  derive?(event: CloudEvent, next: Doc, payloads: any): DerivedWrite[] | Promise<DerivedWrite[]>;
}
/** The DomainError kinds (libs/event-sourcing/src/errors.ts) a decider refuses with. */
type DomainErrorKind = 'invalid_input' | 'not_found' | 'conflict' | 'precondition_failed' | 'invalid_state' | 'forbidden';

/**
 * Decider tests as given / when / then (Emmett's DeciderSpecification): given these past events,
 * when this command, then these events — or this error, by its kind (the HTTP status it maps to).
 *
 *   const spec = DeciderSpecification.for(deploymentDecider);
 *   spec.given(created, activated).when(promote).then([promoted]);
 *   spec.given().when(promote).thenThrows('not_found');
 */
export class DeciderSpecification<Command, Event extends DomainEvent, State> {
  private constructor(private readonly decider: Decider<Command, Event, State>) {}

  static for<Command, Event extends DomainEvent, State>(decider: Decider<Command, Event, State>) {
    return new DeciderSpecification(decider);
  }

  /** An arrow, so specs may take it apart: `const { given } = DeciderSpecification.for(decider)`. */
  readonly given = (...past: Event[]) => {
    const state = past.reduce((folded, event) => this.decider.evolve(folded, event), this.decider.initialState());
    return {
      /** The state the past events fold into (for checks of `evolve` itself). */
      state,
      when: (command: Command) => new DecisionSpecification(() => this.decider.decide(command, state)),
    };
  };
}

export class DecisionSpecification<Event> {
  constructor(private readonly decide: () => Event[]) {}

  /** Exactly these events, in order. */
  then(expected: Event[]): void {
    expect(this.decide()).toEqual(expected);
  }

  /** A repeat or a no-op: the command is accepted and decides nothing. */
  thenNothing(): void {
    this.then([]);
  }

  /**
   * Refused with a domain error of this kind (and, when given, a message matching `message`);
   * or, given a pattern alone, with an error whose message matches it.
   */
  thenThrows(kind: DomainErrorKind | RegExp, message?: RegExp | string): void {
    let thrown: unknown;
    try {
      this.decide();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    if (kind instanceof RegExp) {
      expect((thrown as Error).message).toMatch(kind);
      return;
    }
    // A DomainError, recognised by its kind (the HTTP status it maps to).
    expect((thrown as { kind?: unknown }).kind).toBe(kind);
    if (message !== undefined) expect((thrown as Error).message).toMatch(message);
  }

  /** The decided events, for assertions on part of them. */
  events(): Event[] {
    return this.decide();
  }
}

type Domain = { type: string; data: unknown };

/** One event as a projection receives it; `at` / `by` fill the envelope's time and actor. */
export interface GivenEvent {
  stream: string;
  event: Domain;
  at?: string;
  by?: string;
}

const DEFAULT_TIME = Date.parse('2026-01-01T00:00:00.000Z');

/**
 * Projection tests: given these events (as CloudEvents off the topic, built from domain events
 * with the catalog), then this read-model document — applied in memory as the runner applies them
 * (a document per stream, each event only at `version + 1`). Every `then` also checks that
 * redelivering every event (in order and in reverse) and replaying from scratch give the same
 * documents, so idempotence and rebuildability are proved for each projection.
 */
export class ProjectionSpecification<Doc extends ReadModelDocument> {
  private constructor(
    private readonly projection: Projection<Doc>,
    private readonly catalog: EventCatalog,
    private readonly payloads?: unknown,
  ) {}

  static for<Doc extends ReadModelDocument>(projection: Projection<Doc>, catalog: EventCatalog, options: { payloads?: unknown } = {}) {
    return new ProjectionSpecification(projection, catalog, options.payloads);
  }

  /** Events of one stream (versions 1, 2, …), one minute apart, by `ana` unless told. */
  givenStream(stream: string, ...events: (Domain | Omit<GivenEvent, 'stream'>)[]) {
    return this.given(...events.map((e) => ('event' in e ? { ...e, stream } : { stream, event: e })));
  }

  given(...events: GivenEvent[]) {
    const versions = new Map<string, number>();
    const cloudEvents = events.map(({ stream, event, at, by }, index): CloudEvent => {
      const version = (versions.get(stream) ?? 0) + 1;
      versions.set(stream, version);
      return {
        specversion: '1.0',
        id: `${stream}#${version}`,
        source: this.catalog.source,
        type: this.catalog.typeOf(event.type),
        subject: stream,
        time: at ?? new Date(DEFAULT_TIME + index * 60_000).toISOString(),
        datacontenttype: 'application/json',
        data: event.data as CloudEvent['data'],
        streamversion: version,
        actor: by ?? 'ana',
        correlationid: 'spec',
      };
    });
    return new ProjectedSpecification(this.projection, cloudEvents, this.payloads);
  }
}

export interface Projected<Doc> {
  documents: Map<string, Doc>;
  /** Every derived write of every applied event, in order. */
  derived: DerivedWrite[];
}

export class ProjectedSpecification<Doc extends ReadModelDocument> {
  constructor(
    private readonly projection: Projection<Doc>,
    readonly events: CloudEvent[],
    private readonly payloads?: unknown,
  ) {}

  /** Applies events as the runner does: only `version + 1` of a stream's document, older ones skipped. */
  async apply(events: CloudEvent[], into: Projected<Doc> = { documents: new Map(), derived: [] }): Promise<Projected<Doc>> {
    for (const event of events) {
      if (!event.subject.startsWith(`${this.projection.streamType}:`)) continue;
      const current = into.documents.get(event.subject) ?? null;
      const version = current?.version ?? 0;
      if (event.streamversion <= version) continue; // redelivered: already applied
      if (event.streamversion !== version + 1) throw new Error(`${event.subject}: version ${event.streamversion} arrived before ${version + 1}`);
      const next = { ...this.projection.evolve(current, event), _id: event.subject, version: event.streamversion } as Doc;
      if (this.projection.derive) into.derived.push(...(await this.projection.derive(event, next, this.payloads)));
      into.documents.set(event.subject, next);
    }
    return into;
  }

  /** The documents, each checked to stay the same under redelivery (in order and reversed) and replay. */
  async documents(): Promise<Map<string, Doc>> {
    const projected = await this.apply(this.events);
    const snapshot = structuredClone([...projected.documents.entries()]);
    await this.apply(this.events, projected);
    await this.apply([...this.events].reverse(), projected);
    expect([...projected.documents.entries()]).toEqual(snapshot);
    const replayed = await this.apply(this.events);
    expect([...replayed.documents.entries()]).toEqual(snapshot);
    return new Map(snapshot);
  }

  /** The document of `stream` (the last event's stream by default) equals `expected`. */
  async then(expected: Omit<Doc, '_id'> & { _id?: string }, stream = this.events[this.events.length - 1]?.subject): Promise<void> {
    const doc = (await this.documents()).get(stream);
    expect(doc).toEqual({ _id: stream, ...expected });
  }

  /** The document of `stream` (the last event's stream by default) has at least these fields. */
  async thenMatches(expected: Partial<Doc> | Record<string, unknown>, stream = this.events[this.events.length - 1]?.subject): Promise<void> {
    const doc = (await this.documents()).get(stream);
    expect(doc).toMatchObject(expected);
  }

  /** The derived writes of a single pass, identical on a replay (deterministic ids: re-deriving overwrites). */
  async derived(): Promise<DerivedWrite[]> {
    const once = await this.apply(this.events);
    const again = await this.apply(this.events);
    expect(again.derived).toEqual(once.derived);
    return once.derived;
  }
}
