import { randomUUID } from 'node:crypto';
import { mongo } from 'mongoose';
import { CloudEvent, EventCatalog } from '@mlops/events';
import { CommandMetadata, Decider, DomainEvent, foldEvents } from './decider';
import { ConcurrencyError } from './errors';
import { eventsAppended } from './metrics';

/**
 * One document per command: all of its events, stored atomically. `version` is the stream
 * version of the commit's first event, so the unique `{stream_id, version}` index rejects a second
 * commit made from the same expected version (E11000 → ConcurrencyError). Unpublished commits are
 * the outbox the relay drains.
 */
export interface CommitDocument {
  _id?: mongo.ObjectId;
  stream_id: string;
  version: number;
  last_version: number;
  topic: string;
  events: CloudEvent[];
  published: boolean;
  committed_at: Date;
  published_at?: Date;
}

export interface AppendResult {
  /** Stream version after the append (unchanged when there was nothing to append). */
  version: number;
  events: CloudEvent[];
}

export const EVENTS_COLLECTION = 'events';
const DUPLICATE_KEY = 11000;

export class EventStore {
  constructor(
    private readonly commits: mongo.Collection<CommitDocument>,
    private readonly catalog: EventCatalog,
  ) {}

  static async create(db: mongo.Db, catalog: EventCatalog): Promise<EventStore> {
    const commits = db.collection<CommitDocument>(EVENTS_COLLECTION);
    await commits.createIndex({ stream_id: 1, version: 1 }, { unique: true, name: 'stream_version_unique' });
    await commits.createIndex({ published: 1, stream_id: 1, version: 1 }, { name: 'outbox' });
    return new EventStore(commits, catalog);
  }

  get collection(): mongo.Collection<CommitDocument> {
    return this.commits;
  }

  get topic(): string {
    return this.catalog.topic;
  }

  /** Every event of a stream, in order, as the domain events deciders speak. */
  async readStream<Event extends DomainEvent>(streamId: string): Promise<{ events: Event[]; version: number }> {
    const commits = await this.commits.find({ stream_id: streamId }).sort({ version: 1 }).toArray();
    const events = commits.flatMap((commit) =>
      commit.events.map((e) => ({ type: this.catalog.nameOf(e.type), data: e.data }) as unknown as Event),
    );
    return { events, version: commits.length ? commits[commits.length - 1].last_version : 0 };
  }

  async aggregate<Command, Event extends DomainEvent, State>(
    streamId: string,
    decider: Decider<Command, Event, State>,
  ): Promise<{ state: State; version: number }> {
    const { events, version } = await this.readStream<Event>(streamId);
    return { state: foldEvents(decider, events), version };
  }

  /** Appends all events or none; fails with ConcurrencyError unless the stream is at `expectedVersion`. */
  async append(
    streamId: string,
    expectedVersion: number,
    events: DomainEvent[],
    metadata: CommandMetadata,
  ): Promise<AppendResult> {
    if (events.length === 0) return { version: expectedVersion, events: [] };
    const time = metadata.now.toISOString();
    const cloudEvents: CloudEvent[] = events.map((event, index) => ({
      specversion: '1.0',
      id: randomUUID(),
      source: this.catalog.source,
      type: this.catalog.typeOf(event.type),
      subject: streamId,
      time,
      datacontenttype: 'application/json',
      data: event.data as Record<string, unknown>,
      streamversion: expectedVersion + index + 1,
      actor: metadata.actor,
      correlationid: metadata.correlationId,
      ...(metadata.causationId ? { causationid: metadata.causationId } : {}),
    }));
    const commit: CommitDocument = {
      stream_id: streamId,
      version: expectedVersion + 1,
      last_version: expectedVersion + events.length,
      topic: this.catalog.topic,
      events: cloudEvents,
      published: false,
      committed_at: metadata.now,
    };
    try {
      await this.commits.insertOne(commit);
    } catch (error) {
      if ((error as mongo.MongoServerError)?.code === DUPLICATE_KEY) throw new ConcurrencyError(streamId, expectedVersion);
      throw error;
    }
    eventsAppended.inc({ stream_type: streamId.split(':')[0] }, events.length);
    return { version: commit.last_version, events: cloudEvents };
  }
}
