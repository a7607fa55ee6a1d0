import { Producer } from 'kafkajs';
import { mongo } from 'mongoose';
import { CLOUDEVENTS_CONTENT_TYPE } from '@mlops/events';
import { ConsumerStatus, SupervisedWorker, WorkerStatus } from './consumer-supervisor';
import { CommitDocument, eventJson, storedEvents } from './event-store';
import { LogSink } from './kafka';
import { eventsPublished, outboxBacklog, outboxDirectPublishFailures, outboxPublishErrors } from './metrics';

export interface OutboxRelayOptions {
  /** Identifies this process in the lease; one relay per database sweeps at a time. */
  owner: string;
  topicPrefix: string;
  batchSize?: number;
  pollIntervalMs?: number;
  leaseMs?: number;
  /**
   * The sweep leaves a stream's commits younger than this to the process that appended them: long
   * enough that a loaded appender's own publish is rarely duplicated, short enough for crash recovery.
   */
  sweepGraceMs?: number;
}

interface LeaseDocument {
  _id: string;
  owner: string;
  expires_at: Date;
}

const LEASE_ID = 'outbox-relay';
/** How many streams' acknowledged versions a relay remembers. */
const SENT_STREAMS = 10_000;
const DUPLICATE_KEY = 11000;

/**
 * Sends unpublished commits to Kafka in stream order, then marks them published. Two paths:
 *  - direct: the process that appended a commit publishes it right away (`publishAppended`), with
 *    every earlier unpublished commit of the same stream, so a command's latency does not depend on
 *    which replica took it;
 *  - sweep: the holder of a lease polls for whatever is still unpublished (an appender that crashed
 *    or whose direct publish failed) and sends it.
 * A crash between the send and the mark re-sends (at-least-once; projections skip what they have).
 *
 * Why the first occurrence of each stream version reaches its partition in order, although several
 * senders (replicas, the sweep) may send the same stream at once:
 *  1. a commit is marked published only after the send holding it was acknowledged (acks = all),
 *     so a commit read as published is already in the partition;
 *  2. every send holds, for each stream in it, all commits of that stream that were unpublished when
 *     it read them up to the highest version it sends, in version order, in one produce request
 *     (one partition per stream key; the idempotent producer keeps a request's order);
 *  3. when a sender reads version v, every lower version of the stream is already stored (v was
 *     appended on top of it).
 * So when the first send holding v is made, each lower version u either was published (1: already in
 * the partition) or is in the same send before v (2). Later occurrences are duplicates, which
 * projections skip (`version <= doc.version`).
 */
export class OutboxRelay implements SupervisedWorker {
  private running = false;
  /** The sweep's state for readiness and /metrics: `failing` from a failed pass until one succeeds. */
  private readonly health = new WorkerStatus('outbox-relay', LEASE_ID);
  private failedSince?: number;
  private loop?: Promise<void>;
  private wake?: () => void;
  private kicked = false;
  private leaseUntil = 0;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly sweepGraceMs: number;
  /**
   * Streams appended by this process and not yet published: the highest version, and the commits
   * themselves while they are known to be all that is unpublished of the stream (see `sentUpTo`).
   */
  private readonly appended = new Map<string, { version: number; commits?: CommitDocument[] }>();
  private publishing?: Promise<void>;
  /**
   * Per stream, the version up to which a direct send of this process was acknowledged with every
   * lower version sent or published before it: the stream is in its partition up to there. A commit
   * appended right on top of that version (or a stream's first) is then all that is unpublished of
   * the stream below it, and is sent as appended, without reading it back. Bounded, least recent first.
   */
  private readonly sentUpTo = new Map<string, number>();

  constructor(
    private readonly commits: mongo.Collection<CommitDocument>,
    private readonly leases: mongo.Collection<LeaseDocument>,
    private readonly producer: Producer,
    private readonly options: OutboxRelayOptions,
    private readonly logger: LogSink,
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.leaseMs = options.leaseMs ?? 10_000;
    this.sweepGraceMs = options.sweepGraceMs ?? 5_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.health.set('running');
    this.loop = this.run();
  }

  status(): ConsumerStatus {
    return this.health.status();
  }

  /** Wakes the sweep now rather than at the next poll (it still leaves commits younger than the grace). */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /**
   * After an append: publish the stream's unpublished commits up to `version` from this process.
   * Returns at once; appends that arrive while a send is under way go out together in the next one.
   * Never throws: what fails stays unpublished for the sweep.
   */
  publishAppended(streamId: string, version: number, appended: { commit?: CommitDocument; expectedVersion?: number } = {}): void {
    const { commit, expectedVersion } = appended;
    const pending = this.appended.get(streamId);
    const onTop = (from: number) => commit !== undefined && commit._id !== undefined && expectedVersion === from;
    if (pending?.commits && onTop(pending.version)) pending.commits.push(commit!);
    else if (!pending && onTop(this.sentUpTo.get(streamId) ?? 0)) this.appended.set(streamId, { version, commits: [commit!] });
    else this.appended.set(streamId, { version: Math.max(pending?.version ?? 0, version) });
    if (pending) pending.version = Math.max(pending.version, version);
    this.startPublishing();
  }

  private startPublishing(): void {
    if (this.publishing) return;
    this.publishing = this.publishPending().finally(() => {
      this.publishing = undefined;
      if (this.appended.size) this.startPublishing();
    });
  }

  /** Resolves once every direct publish requested so far has finished (sent or left for the sweep). */
  async flush(): Promise<void> {
    while (this.publishing) await this.publishing;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.flush();
    this.health.set('stopped');
    if (this.leaseUntil > Date.now()) {
      await this.leases.deleteOne({ _id: LEASE_ID, owner: this.options.owner }).catch(() => undefined);
    }
  }

  /** Publishes everything unpublished, however recent; returns the number of commits sent. */
  drain(): Promise<number> {
    return this.sweep(0);
  }

  private async publishPending(): Promise<void> {
    while (this.appended.size) {
      const streams = [...this.appended];
      this.appended.clear();
      try {
        const pending = await Promise.all(
          streams.map(([streamId, { version, commits }]) =>
            commits
              ? commits
              : this.commits.find({ published: false, stream_id: streamId, version: { $lte: version } }).sort({ version: 1 }).toArray(),
          ),
        );
        const batch = pending.flat();
        await this.send(batch);
        for (const commit of batch) this.rememberSent(commit.stream_id, commit.last_version);
      } catch (error) {
        outboxDirectPublishFailures.inc();
        this.logger.warn({ err: error, streams: streams.map(([streamId]) => streamId) }, 'direct publish failed; the outbox sweep sends these commits');
      }
    }
  }

  private rememberSent(streamId: string, version: number): void {
    const before = this.sentUpTo.get(streamId) ?? 0;
    this.sentUpTo.delete(streamId); // re-inserted last: the Map's order is the recency order
    this.sentUpTo.set(streamId, Math.max(before, version));
    if (this.sentUpTo.size > SENT_STREAMS) this.sentUpTo.delete(this.sentUpTo.keys().next().value!);
  }

  /**
   * Sends the unpublished commits committed before the grace, stream by stream: of each stream only
   * the oldest ones up to its first recent commit, so a sweep never skips a version it then overtakes.
   */
  private async sweep(graceMs: number): Promise<number> {
    let sent = 0;
    for (;;) {
      const page = await this.commits
        .find({ published: false })
        .sort({ stream_id: 1, version: 1 })
        .limit(this.batchSize)
        .toArray();
      const cutoff = Date.now() - graceMs;
      const recent = new Set<string>();
      const due = page.filter((commit) => {
        if (recent.has(commit.stream_id)) return false;
        if (commit.committed_at.getTime() <= cutoff) return true;
        recent.add(commit.stream_id);
        return false;
      });
      await this.send(due);
      sent += due.length;
      if (page.length < this.batchSize || due.length === 0) return sent;
    }
  }

  /** One produce request per broker for the whole batch, then one update marking them published. */
  private async send(batch: CommitDocument[]): Promise<void> {
    if (batch.length === 0) return;
    const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
    for (const commit of batch) {
      const topic = this.options.topicPrefix + commit.topic;
      const messages = byTopic.get(topic) ?? [];
      const events = storedEvents(commit);
      commit.events.forEach((event, index) => {
        messages.push({
          key: commit.stream_id,
          // As stored, so the direct path and the sweep send the same bytes.
          value: eventJson(event),
          // The type as a header too, so a consumer can pass over events it has no use for unparsed.
          headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE, ce_type: events[index].type },
        });
      });
      byTopic.set(topic, messages);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    for (const [topic, messages] of byTopic) eventsPublished.inc({ topic }, messages.length);
    // One update by `_id`s, the filter every MongoDB-protocol server serves from an index: one
    // round trip and one read for the whole batch.
    await this.commits.updateMany({ _id: { $in: batch.map((commit) => commit._id!) } }, { $set: { published: true, published_at: new Date() } });
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.kicked = false;
      try {
        if (await this.holdLease()) {
          await this.sweep(this.sweepGraceMs);
          // What is still waiting for Kafka after the pass (young commits, a failing broker): the backlog alert's series.
          outboxBacklog.set(await this.commits.countDocuments({ published: false }));
        }
        if (this.failedSince !== undefined) this.logger.info({ failed_ms: Date.now() - this.failedSince }, 'outbox relay recovered');
        this.failedSince = undefined;
        this.health.set('running');
      } catch (error) {
        outboxPublishErrors.inc();
        // Logged once per outage, however long: the pass is retried every second until it succeeds.
        if (this.failedSince === undefined) this.logger.error({ err: error }, 'outbox relay failed; retrying');
        this.failedSince ??= Date.now();
        this.health.failed(error);
        // A lease we could not renew may have passed to another replica meanwhile.
        this.leaseUntil = 0;
        await this.sleep(1000);
        continue;
      }
      if (!this.kicked) await this.sleep(this.pollIntervalMs);
    }
  }

  private async holdLease(): Promise<boolean> {
    const now = Date.now();
    if (this.leaseUntil - now > this.leaseMs / 2) return true;
    try {
      const lease = await this.leases.findOneAndUpdate(
        { _id: LEASE_ID, $or: [{ owner: this.options.owner }, { expires_at: { $lt: new Date(now) } }] },
        { $set: { owner: this.options.owner, expires_at: new Date(now + this.leaseMs) } },
        { upsert: true, returnDocument: 'after' },
      );
      const held = lease?.owner === this.options.owner;
      this.leaseUntil = held ? now + this.leaseMs : 0;
      return held;
    } catch (error) {
      if ((error as mongo.MongoServerError)?.code === DUPLICATE_KEY) {
        this.leaseUntil = 0;
        return false;
      }
      throw error;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
