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
    const { state, version } = await this.store.aggregate(streamId, decider);
    if (ifMatch !== undefined && ifMatch !== version) {
      throw preconditionFailed(`${streamId} is at version ${version}, not ${ifMatch}`);
    }
    const events = decider.decide(command, state);
    try {
      const result = await this.store.append(streamId, version, events, metadata);
      if (events.length) {
        this.store.rememberAppend(streamId, decider.snapshot, version, result.version, foldEvents(decider, events, state));
        this.relay.publishAppended(streamId, result.version, { commit: result.commit, expectedVersion: version });
      }
      return { streamId, version: result.version, events };
    } catch (error) {
      if (error instanceof ConcurrencyError && ifMatch !== undefined) {
        throw preconditionFailed(`${streamId} changed after version ${ifMatch}`);
      }
      throw error;
    }
  }
}
