import { Producer } from 'kafkajs';
import { mongo } from 'mongoose';
import { CLOUDEVENTS_CONTENT_TYPE } from '@mlops/events';
import { CommitDocument } from './event-store';
import { LogSink } from './kafka';
import { eventsPublished, outboxPublishErrors } from './metrics';

export interface OutboxRelayOptions {
  /** Identifies this process in the lease; one relay per database publishes at a time. */
  owner: string;
  topicPrefix: string;
  batchSize?: number;
  pollIntervalMs?: number;
  leaseMs?: number;
}

interface LeaseDocument {
  _id: string;
  owner: string;
  expires_at: Date;
}

const LEASE_ID = 'outbox-relay';
const DUPLICATE_KEY = 11000;

/**
 * Sends unpublished commits to Kafka in stream order, then marks them published. A crash between
 * the send and the mark re-sends them (at-least-once; projections skip what they have). Only the
 * holder of a lease publishes, so replicas never interleave a stream's events.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private kicked = false;
  private leaseUntil = 0;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;

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
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Called after an append so the new commit goes out now rather than at the next poll. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    if (this.leaseUntil > Date.now()) {
      await this.leases.deleteOne({ _id: LEASE_ID, owner: this.options.owner }).catch(() => undefined);
    }
  }

  /** Publishes everything unpublished; returns the number of commits sent. */
  async drain(): Promise<number> {
    let sent = 0;
    for (;;) {
      const batch = await this.commits
        .find({ published: false })
        .sort({ stream_id: 1, version: 1 })
        .limit(this.batchSize)
        .toArray();
      if (batch.length === 0) return sent;
      await this.publish(batch);
      // One update per commit by `_id`: the filter every MongoDB-protocol server serves from an index.
      const publishedAt = new Date();
      await this.commits.bulkWrite(
        batch.map((commit) => ({
          updateOne: { filter: { _id: commit._id! }, update: { $set: { published: true, published_at: publishedAt } } },
        })),
        { ordered: false },
      );
      sent += batch.length;
      if (batch.length < this.batchSize) return sent;
    }
  }

  private async publish(batch: CommitDocument[]): Promise<void> {
    const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
    for (const commit of batch) {
      const topic = this.options.topicPrefix + commit.topic;
      const messages = byTopic.get(topic) ?? [];
      for (const event of commit.events) {
        messages.push({
          key: commit.stream_id,
          value: JSON.stringify(event),
          headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
        });
      }
      byTopic.set(topic, messages);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    for (const [topic, messages] of byTopic) eventsPublished.inc({ topic }, messages.length);
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.kicked = false;
      try {
        if (await this.holdLease()) await this.drain();
      } catch (error) {
        outboxPublishErrors.inc();
        this.logger.error({ err: error }, 'outbox relay failed; retrying');
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
