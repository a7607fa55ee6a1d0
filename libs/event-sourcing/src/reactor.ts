import { EachBatchPayload, Kafka } from 'kafkajs';
import { Counter, Gauge } from 'prom-client';
import { CloudEvent } from '@mlops/events';
import { ConsumerStatus, SupervisedConsumer, SupervisedWorker } from './consumer-supervisor';
import { BACKGROUND_FETCH, LogSink } from './kafka';

/**
 * A process manager: reacts to events of chosen types (from any domain's topic) by issuing
 * commands. Delivery is at-least-once, so `react` must be idempotent — the commands it issues are
 * decided against the current stream, where a repeat is a no-op.
 */
export interface ReactionHandler {
  react(event: CloudEvent): Promise<void>;
}

export interface Reactor {
  /** Part of the consumer group id: `<prefix><service>.reactor.<name>`. */
  name: string;
  topic: string;
  /** CloudEvent types it reacts to; every other message is passed over (and its offset committed). */
  eventTypes: string[];
  /** How many partitions are handled at once (default 1: events in order across the topic's partitions, one at a time). */
  partitionsConsumedConcurrently?: number;
}

export interface ReactorRunnerOptions {
  topicPrefix: string;
  groupPrefix: string;
  /** Backoff bounds between retries of a failed reaction. */
  retryInitialMs?: number;
  retryMaxMs?: number;
}

export const reactorEventsHandled = new Counter({
  name: 'mlops_reactor_events_handled_total',
  help: 'Events a reactor handled successfully',
  labelNames: ['reactor'],
});

export const reactorFailures = new Counter({
  name: 'mlops_reactor_failures_total',
  help: 'Failed reaction attempts (retried until they succeed)',
  labelNames: ['reactor'],
});

export const reactorLag = new Gauge({
  name: 'mlops_reactor_lag_messages',
  help: 'Messages behind the partition end, per reactor (last batch)',
  labelNames: ['reactor', 'partition'],
});

/**
 * Runs one reactor as a Kafka consumer group: a message's offset is committed only after its
 * reaction succeeded, so a crash redelivers it. A failing reaction is retried with backoff, holding
 * its partition (per-stream order is kept), until it succeeds or the runner stops; the consumer
 * itself is supervised (see SupervisedConsumer), so broker and store outages only delay it.
 */
export class ReactorRunner implements SupervisedWorker {
  private readonly consumer: SupervisedConsumer;
  private readonly types: Set<string>;

  constructor(
    kafka: Kafka,
    readonly reactor: Reactor,
    private readonly handler: ReactionHandler,
    private readonly options: ReactorRunnerOptions,
    private readonly logger: LogSink,
  ) {
    this.types = new Set(reactor.eventTypes);
    this.consumer = new SupervisedConsumer(
      kafka,
      {
        consumer: `reactor:${reactor.name}`,
        groupId: this.groupId,
        topic: options.topicPrefix + reactor.topic,
        config: BACKGROUND_FETCH,
        run: () => ({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: reactor.partitionsConsumedConcurrently ?? 1,
          eachBatch: (payload) => this.handleBatch(payload),
        }),
      },
      logger,
    );
  }

  get groupId(): string {
    return `${this.options.groupPrefix}reactor.${this.reactor.name}`;
  }

  /** Resolves after the first attempt to join its group (a failed one is retried in the background). */
  async start(): Promise<void> {
    await this.consumer.start();
  }

  status(): ConsumerStatus {
    return this.consumer.status();
  }

  /** Lets the in-flight reaction finish and commit (kafkajs waits for the batch), then leaves the group. */
  async stop(): Promise<void> {
    await this.consumer.stop();
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const labels = { reactor: this.reactor.name };
    let uncommitted: string | undefined;
    const commit = async (now: boolean) => {
      if (uncommitted === undefined) return;
      await this.consumer.commit(batch.partition, uncommitted, now || !isRunning());
      uncommitted = undefined;
    };
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      const type = message.headers?.ce_type?.toString();
      const event = type === undefined || this.types.has(type) ? (JSON.parse(message.value!.toString()) as CloudEvent) : undefined;
      if (event && this.types.has(event.type)) {
        const handled = await this.reactWithRetries(event, heartbeat, () => isRunning() && !isStale());
        if (!handled) break; // stopping: this offset stays uncommitted and the event is redelivered
        reactorEventsHandled.inc(labels);
        this.logger.debug?.(
          { correlation_id: event.correlationid, subject: event.subject, streamversion: event.streamversion, reactor: this.reactor.name },
          `reacted to ${event.type}`,
        );
        resolveOffset(message.offset);
        uncommitted = message.offset;
        // Committed right after the reaction: a crash before this line redelivers the event.
        await commit(true);
      } else {
        resolveOffset(message.offset);
        uncommitted = message.offset;
      }
      await heartbeat();
    }
    // Events it has no reaction to: committed with the next commit, a redelivery costs nothing.
    await commit(false);
    reactorLag.set({ reactor: this.reactor.name, partition: String(batch.partition) }, Number(batch.offsetLag()));
  }

  private async reactWithRetries(event: CloudEvent, heartbeat: () => Promise<void>, running: () => boolean): Promise<boolean> {
    let delay = this.options.retryInitialMs ?? 200;
    for (;;) {
      try {
        await this.handler.react(event);
        this.consumer.recovered();
        return true;
      } catch (error) {
        reactorFailures.inc({ reactor: this.reactor.name });
        this.consumer.failing(error);
        this.logger.error(
          { err: error, reactor: this.reactor.name, subject: event.subject, type: event.type, correlation_id: event.correlationid },
          'reaction failed; retrying',
        );
        if (!running()) return false;
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, this.options.retryMaxMs ?? 5_000);
        await heartbeat().catch(() => undefined);
        if (!running()) return false;
      }
    }
  }
}
