/** Who, when and why — passed in with every command so deciders stay free of clocks and context. */
export interface CommandMetadata {
  actor: string;
  correlationId: string;
  causationId?: string;
  now: Date;
}

export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

/** Two pure functions and a start state per aggregate (the Emmett decider shape). */
export interface Decider<Command, Event extends DomainEvent, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
  /**
   * Opts the aggregate into snapshots, so loading its stream reads a bounded number of documents.
   * The state must be plain JSON (no Map, Set, Date, class instance, NaN). Change `schema` whenever
   * the state's shape or `evolve` changes: snapshots under another tag are ignored.
   */
  snapshot?: SnapshotPolicy;
}

export interface SnapshotPolicy {
  schema: string;
}

export function foldEvents<Command, Event extends DomainEvent, State>(
  decider: Decider<Command, Event, State>,
  events: readonly Event[],
  from: State = decider.initialState(),
): State {
  return events.reduce((state, event) => decider.evolve(state, event), from);
}
