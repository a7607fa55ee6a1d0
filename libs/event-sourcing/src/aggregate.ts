import { Connection, mongo } from 'mongoose';
import { CommandOutcome } from './command-handler';
import { CommandMetadata, Decider, DomainEvent } from './decider';
import { notFound } from './errors';
import { LoadedStream } from './event-store';
import { DerivedDocument, Projection, ReadModelDocument } from './projection';
import { ProjectionRunner } from './projection-runner';
import { Page, PageQuery, pageOf, readModelOf, ReadModelModel } from './read-model-query';

export interface CommandResult<Doc> {
  /** Stream version after the command. */
  version: number;
  /** The read model once it shows the command (read-your-writes), or null when the wait ran out. */
  doc: Doc | null;
}

/** A command's result with what the command appended, for handlers that answer with an id or number it created. */
export interface ExecutedCommand<Event extends DomainEvent, Doc> extends CommandResult<Doc> {
  streamId: string;
  events: Event[];
}

/** Who issued the command, and whether the caller waits for the read model (not with `Prefer: respond-async`). */
export interface CommandContext {
  metadata: CommandMetadata;
  awaitReadModel: boolean;
}

export interface ExecuteOptions {
  /** Applies the command to exactly this stream version (412 otherwise). */
  ifMatch?: number;
  /** Without `ifMatch`, how often a lost race is decided again on the fresh state. */
  retries?: number;
  /** When the caller already took the metadata (its actor or clock went into the command). */
  metadata?: CommandMetadata;
  /** `false`: return once appended, without the read-your-writes wait (a reactor that reads nothing back). */
  awaitReadModel?: false;
}

/** One aggregate, declared once: how its stream is named, decided, projected and named in a 404. */
export interface AggregateDefinition<Command, Event extends DomainEvent, State, Doc extends ReadModelDocument, Id = string> {
  decider: Decider<Command, Event, State>;
  streamId: (id: Id) => string;
  projection: Projection<Doc>;
  /** The resource as a 404 names it: `Feature churn_rate` (then "does not exist"). */
  describe: (id: Id) => string;
}

/** What a bound aggregate needs of the running machinery (EventSourcing provides it). */
export interface AggregateMachinery {
  handle<Command, Event extends DomainEvent, State>(
    decider: Decider<Command, Event, State>,
    streamId: string,
    command: Command,
    metadata: CommandMetadata,
    options: { ifMatch?: number; retries?: number },
  ): Promise<CommandOutcome<Event>>;
  load<Command, Event extends DomainEvent, State>(streamId: string, decider: Decider<Command, Event, State>): Promise<LoadedStream<State>>;
  commandContext(): CommandContext;
  waitFor<Doc extends ReadModelDocument>(runner: ProjectionRunner<Doc>, streamId: string, version: number): Promise<Doc | null>;
}

/**
 * A collection of read documents keyed by a string `_id`: the by-id read and the one list query
 * every endpoint pages through go through its mongoose Model (plain objects, `lean`); `collection`
 * is the driver's, for the queries a service shapes itself.
 */
export class ReadModelCollection<Doc extends { _id: string }> {
  constructor(
    private readonly open: () => mongo.Collection<Doc>,
    private readonly compile: () => ReadModelModel,
  ) {}

  get collection(): mongo.Collection<Doc> {
    return this.open();
  }

  get model(): ReadModelModel {
    return this.compile();
  }

  async findById(id: string): Promise<Doc | null> {
    return (await this.model.findOne({ _id: id }).lean().exec()) as Doc | null;
  }

  page(filter: mongo.Filter<Doc> | Record<string, unknown>, query: PageQuery): Promise<Page<Doc>> {
    return pageOf<Doc>(this.model, filter as Record<string, unknown>, query);
  }
}

/** A projection's read model, found by the projection itself (typed), with its derived collections. */
export class ReadModel<Doc extends ReadModelDocument> extends ReadModelCollection<Doc> {
  constructor(
    readonly runner: () => ProjectionRunner<Doc>,
    private readonly connection: Connection,
  ) {
    super(
      () => runner().readModel,
      () => readModelOf(connection, runner().projection),
    );
  }

  derived<Derived extends DerivedDocument & { _id: string }>(collection: string): ReadModelCollection<Derived> {
    return new ReadModelCollection(
      () => this.runner().derivedReadModel<Derived>(collection),
      () => readModelOf(this.connection, this.runner().projection, collection),
    );
  }
}

/**
 * An aggregate bound to the running machinery: commands are decided and appended on its stream,
 * then wait (bounded) for its read model; reads come from that read model.
 */
export class Aggregate<Command, Event extends DomainEvent, State, Doc extends ReadModelDocument, Id = string> {
  constructor(
    readonly definition: AggregateDefinition<Command, Event, State, Doc, Id>,
    readonly readModel: ReadModel<Doc>,
    private readonly machinery: AggregateMachinery,
  ) {}

  streamId(id: Id): string {
    return this.definition.streamId(id);
  }

  /** load → decide → append → read-your-writes wait (skipped with `Prefer: respond-async`: `doc` is then null). */
  async execute(id: Id, command: Command, options: ExecuteOptions = {}): Promise<ExecutedCommand<Event, Doc>> {
    const context = this.machinery.commandContext();
    const outcome = await this.machinery.handle(this.definition.decider, this.streamId(id), command, options.metadata ?? context.metadata, {
      ifMatch: options.ifMatch,
      retries: options.retries,
    });
    const doc = context.awaitReadModel && options.awaitReadModel !== false ? await this.machinery.waitFor(this.readModel.runner(), outcome.streamId, outcome.version) : null;
    return { ...outcome, doc };
  }

  /** The write side's state (from the event store), for checks a command needs before it is decided. */
  load(id: Id): Promise<LoadedStream<State>> {
    return this.machinery.load(this.streamId(id), this.definition.decider);
  }

  find(id: Id): Promise<Doc | null> {
    return this.readModel.findById(this.streamId(id));
  }

  /** The read document, or a 404 problem naming the resource. */
  async get(id: Id): Promise<Doc> {
    const doc = await this.find(id);
    if (!doc) throw notFound(`${this.definition.describe(id)} does not exist`);
    return doc;
  }

  page(filter: mongo.Filter<Doc> | Record<string, unknown>, query: PageQuery): Promise<Page<Doc>> {
    return this.readModel.page(filter, query);
  }
}

/** Declares an aggregate with its types inferred from the decider and the projection. */
export const defineAggregate = <Command, Event extends DomainEvent, State, Doc extends ReadModelDocument, Id = string>(
  definition: AggregateDefinition<Command, Event, State, Doc, Id>,
): AggregateDefinition<Command, Event, State, Doc, Id> => definition;
