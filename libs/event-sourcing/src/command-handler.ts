import { CommandMetadata, Decider, DomainEvent, foldEvents } from './decider';
import { ConcurrencyError, preconditionFailed } from './errors';
import { EventStore } from './event-store';
import { OutboxRelay } from './outbox-relay';

export interface CommandOutcome<Event extends DomainEvent> {
  streamId: string;
  /** Stream version after the command. */
  version: number;
  events: Event[];
}

/**
 * load stream (from its snapshot) → decide → append (atomic, optimistic) → publish the new commit
 * from this process, without waiting for Kafka (the read-your-writes wait follows; a failed publish
 * is left to the outbox sweep and never fails the command). With `ifMatch`, the command
 * applies only to that exact version (412 otherwise, including when another command wins the race).
 */
export class CommandHandler {
  constructor(
    private readonly store: EventStore,
    private readonly relay: OutboxRelay,
  ) {}

  async handle<Command, Event extends DomainEvent, State>(
    decider: Decider<Command, Event, State>,
    streamId: string,
    command: Command,
    metadata: CommandMetadata,
    options: { ifMatch?: number; retries?: number } = {},
  ): Promise<CommandOutcome<Event>> {
    // Without If-Match the caller wants the command applied to whatever is current: a lost race is
    // retried from a fresh load (bounded), so e.g. parallel registrations each get the next number.
    const retries = options.ifMatch === undefined ? (options.retries ?? 0) : 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(decider, streamId, command, metadata, options.ifMatch);
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * (attempt + 1)));
      }
    }
  }

  private async attempt<Command, Event extends DomainEvent, State>(
    decider: Decider<Command, Event, State>,
    streamId: string,
    command: Command,
    metadata: CommandMetadata,
    ifMatch: number | undefined,
  ): Promise<CommandOutcome<Event>> {
    // First on the state this process last saw, without reading the store: the append lands only
    // if the stream is still at that version. A stream it has not seen is taken to be new, so a
    // create reads nothing (its append at version 0 fails if the stream has a first commit). A
    // refusal or a no-op on that state, or a lost race, is decided again on a fresh load, which
    // alone may refuse.
    const recent = this.store.recentState(streamId, decider) ?? { state: decider.initialState(), version: 0 };
    if (ifMatch === undefined || ifMatch === recent.version) {
      const events = decidedOrNone(decider, command, recent.state);
      if (events.length) {
        try {
          return await this.appendDecided(decider, streamId, recent, events, metadata);
        } catch (error) {
          if (!(error instanceof ConcurrencyError)) throw error;
        }
      }
    }
    const loaded = await this.store.aggregate(streamId, decider);
    if (ifMatch !== undefined && ifMatch !== loaded.version) {
      throw preconditionFailed(`${streamId} is at version ${loaded.version}, not ${ifMatch}`);
    }
    try {
      return await this.appendDecided(decider, streamId, loaded, decider.decide(command, loaded.state), metadata);
    } catch (error) {
      if (error instanceof ConcurrencyError && ifMatch !== undefined) {
        throw preconditionFailed(`${streamId} changed after version ${ifMatch}`);
      }
      throw error;
    }
  }

  private async appendDecided<Command, Event extends DomainEvent, State>(
    decider: Decider<Command, Event, State>,
    streamId: string,
    from: { state: State; version: number },
    events: Event[],
    metadata: CommandMetadata,
  ): Promise<CommandOutcome<Event>> {
    const result = await this.store.append(streamId, from.version, events, metadata);
    if (events.length) {
      this.relay.publishAppended(streamId, result.version, { commit: result.commit, expectedVersion: from.version });
      await this.store.rememberAppend(streamId, decider.snapshot, from.version, result.version, foldEvents(decider, events, from.state));
    }
    return { streamId, version: result.version, events };
  }
}

/** The events a decision on a possibly stale state gives; none when that state refuses it (the fresh load decides). */
function decidedOrNone<Command, Event extends DomainEvent, State>(decider: Decider<Command, Event, State>, command: Command, state: State): Event[] {
  try {
    return decider.decide(command, state);
  } catch {
    return [];
  }
}
