import { CommandMetadata, Decider, DomainEvent } from './decider';
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
 * load stream → decide → append (atomic, optimistic) → wake the relay. With `ifMatch`, the command
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
    options: { ifMatch?: number } = {},
  ): Promise<CommandOutcome<Event>> {
    const { state, version } = await this.store.aggregate(streamId, decider);
    if (options.ifMatch !== undefined && options.ifMatch !== version) {
      throw preconditionFailed(`${streamId} is at version ${version}, not ${options.ifMatch}`);
    }
    const events = decider.decide(command, state);
    try {
      const result = await this.store.append(streamId, version, events, metadata);
      if (events.length) this.relay.kick();
      return { streamId, version: result.version, events };
    } catch (error) {
      if (error instanceof ConcurrencyError && options.ifMatch !== undefined) {
        throw preconditionFailed(`${streamId} changed after version ${options.ifMatch}`);
      }
      throw error;
    }
  }
}
