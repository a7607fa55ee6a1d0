import { Consumer, ConsumerConfig, ConsumerRunConfig, Kafka } from 'kafkajs';
import { Counter, Gauge } from 'prom-client';
import { CONSUMER_FETCH, CONSUMER_SESSION, LogSink } from './kafka';

/**
 * `running`: joined its group and its last batch (if any) went through; `failing`: a batch or
 * reaction is failing and being retried; `restarting`: crashed, a restart is scheduled; `starting`:
 * joining (first start or a restart); `stopped`: stopped on purpose, or not started yet.
 */
export type ConsumerState = 'starting' | 'running' | 'failing' | 'restarting' | 'stopped';

export interface ConsumerStatus {
  /** What it is: `projection:<name>`, `reactor:<name>`, `outbox-relay`. */
  consumer: string;
  group: string;
  state: ConsumerState;
  restarts: number;
  lastError?: string;
}

/** Anything readiness and /metrics report on: projections, reactors, the outbox relay. */
export interface SupervisedWorker {
  status(): ConsumerStatus;
}

export const consumerState = new Gauge({
  name: 'mlops_consumer_state',
  help: 'Each consumer: 1 running, 0 stopped, starting, restarting or failing',
  labelNames: ['consumer', 'group'],
});

export const consumerRestarts = new Counter({
  name: 'mlops_consumer_restarts_total',
  help: 'Consumer restarts after a crash (by KafkaJS itself or by the supervisor)',
  labelNames: ['consumer', 'group'],
});

export const consumerFailures = new Counter({
  name: 'mlops_consumer_failures_total',
  help: 'Failed batches, reactions or relay passes (retried until they go through)',
  labelNames: ['consumer', 'group'],
});

/** Reports a worker's state to the gauge; shared by the Kafka consumers and the outbox relay. */
export class WorkerStatus implements SupervisedWorker {
  private current: ConsumerStatus;

  constructor(consumer: string, group: string) {
    this.current = { consumer, group, state: 'stopped', restarts: 0 };
    this.set('stopped');
  }

  status(): ConsumerStatus {
    return { ...this.current };
  }

  get state(): ConsumerState {
    return this.current.state;
  }

  set(state: ConsumerState, error?: unknown): void {
    this.current.state = state;
    if (error !== undefined) this.current.lastError = error instanceof Error ? error.message : String(error);
    else if (state === 'running') delete this.current.lastError;
    consumerState.set(this.labels(), state === 'running' ? 1 : 0);
  }

  /** A failed batch, reaction or pass (retried): `failing` until one goes through. */
  failed(error: unknown): void {
    consumerFailures.inc(this.labels());
    if (this.current.state === 'running' || this.current.state === 'failing') this.set('failing', error);
  }

  restarted(): void {
    this.current.restarts++;
    consumerRestarts.inc(this.labels());
  }

  /** A consumer that is gone for good (a superseded generation) leaves no series behind. */
  retire(): void {
    consumerState.remove(this.labels());
    consumerRestarts.remove(this.labels());
    consumerFailures.remove(this.labels());
  }

  private labels() {
    return { consumer: this.current.consumer, group: this.current.group };
  }
}

export interface SupervisedConsumerOptions {
  consumer: string;
  groupId: string;
  topic: string;
  fromBeginning?: boolean;
  /** Consumer settings beyond the group id; the session and fetch wait default to CONSUMER_SESSION and CONSUMER_FETCH. */
  config?: Omit<ConsumerConfig, 'groupId'>;
  /** The run configuration, built for each consumer instance (a restart makes a new one). */
  run(consumer: Consumer): ConsumerRunConfig;
  /** Backoff of the supervisor's own restarts (what KafkaJS does not restart itself). */
  restartInitialMs?: number;
  restartMaxMs?: number;
  /** How often processed offsets are committed at most (`commit`); default COMMIT_INTERVAL_MS. */
  commitIntervalMs?: number;
}

/**
 * Every offset commit is a request to the broker and a write to its offsets topic, and every
 * consumer of a topic sees every message: committed per batch, one event costs each consumer a
 * commit. Committed at most this often instead, a restart redelivers at most this much, which
 * handlers skip as already applied.
 */
export const COMMIT_INTERVAL_MS = 1_000;

/**
 * One Kafka consumer that survives broker and store outages of any length. KafkaJS retries a
 * failing batch and restarts itself after a retriable crash; what it leaves stopped — a crash it
 * deems non-retriable, a failed connect or subscribe — this restarts with backoff, with a fresh
 * consumer, until `stop()`. A failing batch is never committed past (the handler commits only what
 * it applied), so at-least-once holds across every restart.
 */
export class SupervisedConsumer implements SupervisedWorker {
  private consumer?: Consumer;
  private stopping = false;
  private restartTimer?: NodeJS.Timeout;
  private attempt?: Promise<void>;
  private delay: number;
  /** Per partition, the next offset to read once committed: processed, not yet committed. */
  private readonly uncommitted = new Map<number, string>();
  private lastCommitAt = 0;
  private commitTimer?: NodeJS.Timeout;
  readonly health: WorkerStatus;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: SupervisedConsumerOptions,
    private readonly logger: LogSink,
  ) {
    this.health = new WorkerStatus(options.consumer, options.groupId);
    this.delay = this.initialDelay;
  }

  get groupId(): string {
    return this.options.groupId;
  }

  /** The consumer currently running (for committing offsets from inside its batches). */
  get current(): Consumer | undefined {
    return this.consumer;
  }

  status(): ConsumerStatus {
    return this.health.status();
  }

  /** Resolves after the first attempt to join: joined, or failed with a restart scheduled. */
  start(): Promise<void> {
    this.stopping = false;
    this.attempt = this.launch();
    return this.attempt;
  }

  /** Marks a failing batch or reaction (retried): not ready until a batch goes through again. */
  failing(error: unknown): void {
    if (!this.stopping) this.health.failed(error);
  }

  /** A batch or reaction went through after failures. */
  recovered(): void {
    if (!this.stopping && this.health.state === 'failing') this.health.set('running');
  }

  /**
   * Records that everything of `partition` up to `offset` was processed, and commits it — at once
   * when `now` (a side effect that must not be redone, or stopping) or the last commit is older than
   * the interval, else with the next commit, at most an interval later. A failed commit of `now`
   * throws, as a failed batch does (KafkaJS retries it); a deferred one is retried with the next.
   */
  async commit(partition: number, offset: string, now = false): Promise<void> {
    this.uncommitted.set(partition, (BigInt(offset) + 1n).toString());
    if (now || this.stopping || Date.now() - this.lastCommitAt >= this.commitInterval) return this.commitUncommitted();
    if (this.commitTimer) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      this.commitUncommitted().catch((error: unknown) => this.logger.warn({ err: error, group: this.groupId }, 'offset commit failed; retried with the next'));
    }, this.commitInterval);
    this.commitTimer.unref();
  }

  private async commitUncommitted(): Promise<void> {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    const consumer = this.consumer;
    if (!consumer || !this.uncommitted.size) return;
    const offsets = [...this.uncommitted].map(([partition, offset]) => ({ topic: this.options.topic, partition, offset }));
    this.uncommitted.clear();
    this.lastCommitAt = Date.now();
    try {
      await consumer.commitOffsets(offsets);
    } catch (error) {
      // Kept for the next commit unless a later offset of the partition was recorded meanwhile.
      for (const { partition, offset } of offsets) if (!this.uncommitted.has(partition)) this.uncommitted.set(partition, offset);
      throw error;
    }
  }

  private get commitInterval(): number {
    return this.options.commitIntervalMs ?? COMMIT_INTERVAL_MS;
  }

  /** Lets the in-flight batch finish and commit (kafkajs waits for it), then leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    await this.attempt;
    // What earlier batches processed goes in before the group is left (the in-flight batch commits its own).
    await this.commitUncommitted().catch((error: unknown) => this.logger.warn({ err: error, group: this.groupId }, 'offset commit failed'));
    // Still `current` while it drains, so the in-flight batch commits what it applied.
    await this.consumer?.disconnect().catch((error: unknown) => this.logger.warn({ err: error, group: this.groupId }, 'consumer disconnect failed'));
    this.consumer = undefined;
    this.health.set('stopped');
  }

  /** Stops for good and removes the consumer's series (a superseded projection generation). */
  async retire(): Promise<void> {
    await this.stop();
    this.health.retire();
  }

  private get initialDelay(): number {
    return this.options.restartInitialMs ?? 500;
  }

  private async launch(): Promise<void> {
    if (this.stopping) return;
    this.health.set('starting');
    const consumer = this.kafka.consumer({
      ...CONSUMER_SESSION,
      ...CONSUMER_FETCH,
      ...this.options.config,
      groupId: this.options.groupId,
      retry: {
        // Bounded waits between KafkaJS's own retries, so a consumer resumes soon after an outage.
        initialRetryTime: 300,
        maxRetryTime: 5_000,
        retries: 10,
        ...this.options.config?.retry,
        restartOnFailure: async () => !this.stopping,
      },
    });
    this.watch(consumer);
    this.consumer = consumer;
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.options.topic, fromBeginning: this.options.fromBeginning ?? true });
      await consumer.run(this.wrap(this.options.run(consumer)));
    } catch (error) {
      this.logger.error({ err: error, consumer: this.options.consumer, group: this.groupId }, 'consumer failed to start; restarting');
      await consumer.disconnect().catch(() => undefined);
      this.scheduleRestart(consumer, error);
    }
  }

  private watch(consumer: Consumer): void {
    const { GROUP_JOIN, END_BATCH_PROCESS, CRASH } = consumer.events;
    consumer.on(GROUP_JOIN, () => {
      if (this.consumer !== consumer || this.stopping) return;
      // Offsets of the partitions held before the rebalance are no longer ours to commit (their new
      // holder may be past them); what they covered is redelivered and skipped.
      this.uncommitted.clear();
      this.delay = this.initialDelay;
      this.health.set('running');
    });
    consumer.on(END_BATCH_PROCESS, () => this.consumer === consumer && this.recovered());
    consumer.on(CRASH, ({ payload: { error, restart } }) => {
      if (this.consumer !== consumer || this.stopping) return;
      this.logger.error(
        { err: error, consumer: this.options.consumer, group: this.groupId, restart_by: restart ? 'kafkajs' : 'supervisor' },
        'consumer crashed; restarting',
      );
      if (restart) {
        // KafkaJS restarts this very consumer after its retry time; GROUP_JOIN marks it running again.
        this.health.restarted();
        this.health.set('restarting', error);
      } else {
        this.scheduleRestart(consumer, error);
      }
    });
  }

  /** A fresh consumer after a backoff: KafkaJS has disconnected (or never connected) this one. */
  private scheduleRestart(consumer: Consumer, error: unknown): void {
    if (this.stopping || this.consumer !== consumer) return;
    this.health.set('restarting', error);
    const delay = this.delay;
    this.delay = Math.min(this.delay * 2, this.options.restartMaxMs ?? 10_000);
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.health.restarted();
      this.attempt = (async () => {
        await consumer.disconnect().catch(() => undefined);
        await this.launch();
      })();
    }, delay);
    this.restartTimer.unref();
  }

  /** Marks the consumer failing while its handler throws (KafkaJS retries the batch). */
  private wrap(run: ConsumerRunConfig): ConsumerRunConfig {
    const { eachBatch, eachMessage } = run;
    const guard =
      <P>(handler: (payload: P) => Promise<void>) =>
      async (payload: P) => {
        try {
          await handler(payload);
        } catch (error) {
          this.failing(error);
          throw error;
        }
      };
    return { ...run, ...(eachBatch ? { eachBatch: guard(eachBatch) } : {}), ...(eachMessage ? { eachMessage: guard(eachMessage) } : {}) };
  }
}

/** Readiness: every supervised worker running, else an error naming those that are not. */
export function assertWorkersRunning(workers: SupervisedWorker[]): void {
  const down = workers.map((worker) => worker.status()).filter((status) => status.state !== 'running');
  if (!down.length) return;
  throw new Error(
    down.map(({ consumer, state, lastError }) => `${consumer} ${state}${lastError ? ` (${lastError})` : ''}`).join('; '),
  );
}
