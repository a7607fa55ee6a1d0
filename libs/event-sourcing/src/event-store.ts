import { randomUUID } from 'node:crypto';
import { mongo } from 'mongoose';
import { CloudEvent, EventCatalog } from '@mlops/events';
import { CommandMetadata, Decider, DomainEvent, foldEvents, SnapshotPolicy } from './decider';
import { ConcurrencyError } from './errors';
import { LogSink } from './kafka';
import { GroupInsert } from './group-insert';
import { eventsAppended, streamLoadDocuments } from './metrics';
import { deserializeState, serializeState, SNAPSHOTS_COLLECTION, SnapshotDocument, SnapshotStore } from './snapshot';

/**
 * An event as a commit holds it: its CloudEvent JSON text, the very bytes the relay publishes.
 * Text, not a document, because nothing queries inside an event, and a document would be
 * converted field by field on every write and read (by the driver, and by a MongoDB-protocol
 * server over SQL into its own JSON form). Commits written before held the CloudEvent document.
 */
export type StoredEvent = string | CloudEvent;

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
  events: StoredEvent[];
  published: boolean;
  committed_at: Date;
  published_at?: Date;
}

export interface AppendResult {
  /** Stream version after the append (unchanged when there was nothing to append). */
  version: number;
  events: CloudEvent[];
  /** The commit document as stored (with its `_id`); absent when there was nothing to append. */
  commit?: CommitDocument;
}

export interface LoadedStream<State> {
  state: State;
  version: number;
  /** Documents the load read: the snapshot, when there is one, and the commits after it. */
  documentsRead: number;
}

export interface EventStoreOptions {
  /** A load that folded this many commits after the last snapshot writes a new one. */
  snapshotEvery?: number;
  logger?: LogSink;
}

/** Undefined becomes null, as it did when BSON stored the event (the driver keeps undefined as null). */
const storedJson = (event: CloudEvent) => JSON.stringify(event, (_key, value: unknown) => (value === undefined ? null : value));

/** A stored event's JSON text, as published. */
export const eventJson = (event: StoredEvent): string => (typeof event === 'string' ? event : JSON.stringify(event));

/** A commit's events as CloudEvents. */
export const storedEvents = (commit: Pick<CommitDocument, 'events'> | mongo.Document): CloudEvent[] =>
  (commit.events as StoredEvent[]).map((event) => (typeof event === 'string' ? (JSON.parse(event) as CloudEvent) : event));

export const EVENTS_COLLECTION = 'events';
export const DEFAULT_SNAPSHOT_EVERY = 20;
const DUPLICATE_KEY = 11000;

/** A stream's state as this process last saw it; `sinceSnapshot`: commits folded since the stored snapshot. */
interface RecentState {
  schema: string;
  version: number;
  stateJson: string;
  sinceSnapshot: number;
}

/** How many streams' states a process keeps in memory (least recently used go first). */
const RECENT_STREAMS = 10_000;

export class EventStore {
  private readonly snapshotEvery: number;
  private readonly snapshots: SnapshotStore;
  /**
   * An in-process snapshot per recently used stream: a command on a stream this process wrote last
   * reads no commit at all (the query after its version finds none); one another replica wrote
   * reads just those commits. Only a cache: every load still reads what the store has after it.
   */
  private readonly recent = new Map<string, RecentState>();
  /** Commits of concurrent commands, inserted together (each still succeeds or fails alone). */
  private readonly inserts: GroupInsert<CommitDocument>;

  constructor(
    private readonly commits: mongo.Collection<CommitDocument>,
    private readonly catalog: EventCatalog,
    snapshots: mongo.Collection<SnapshotDocument>,
    private readonly options: EventStoreOptions = {},
  ) {
    this.snapshots = new SnapshotStore(snapshots);
    this.inserts = new GroupInsert(commits);
    this.snapshotEvery = Math.max(1, options.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY);
  }

  static async create(db: mongo.Db, catalog: EventCatalog, options: EventStoreOptions = {}): Promise<EventStore> {
    const commits = db.collection<CommitDocument>(EVENTS_COLLECTION);
    await commits.createIndex({ stream_id: 1, version: 1 }, { unique: true, name: 'stream_version_unique' });
    await commits.createIndex({ published: 1, stream_id: 1, version: 1 }, { name: 'outbox' });
    return new EventStore(commits, catalog, db.collection<SnapshotDocument>(SNAPSHOTS_COLLECTION), options);
  }

  get collection(): mongo.Collection<CommitDocument> {
    return this.commits;
  }

  get topic(): string {
    return this.catalog.topic;
  }

  /** Every event of a stream, in order, as the domain events deciders speak (tools; commands use `aggregate`). */
  async readStream<Event extends DomainEvent>(streamId: string): Promise<{ events: Event[]; version: number }> {
    const commits = await this.commits.find({ stream_id: streamId }).sort({ version: 1 }).toArray();
    return { events: this.domainEvents<Event>(commits), version: commits.length ? commits[commits.length - 1].last_version : 0 };
  }

  /**
   * The stream's current state and version. A decider with a snapshot policy starts from its
   * snapshot and reads only the commits after it, and writes a new snapshot once a load folded
   * `snapshotEvery` commits: a load reads at most snapshotEvery + 1 documents however long the stream.
   */
  async aggregate<Command, Event extends DomainEvent, State>(
    streamId: string,
    decider: Decider<Command, Event, State>,
  ): Promise<LoadedStream<State>> {
    const policy = decider.snapshot;
    const cached = policy ? this.recent.get(streamId) : undefined;
    let inMemory = cached?.schema === policy?.schema ? cached : undefined;
    let tail = inMemory ? await this.commitsAfter(streamId, inMemory.version, this.snapshotEvery + 1) : null;
    const discarded = tail && tail.length > this.snapshotEvery ? tail.length : 0;
    if (discarded) [inMemory, tail] = [undefined, null]; // other replicas wrote much since: the stored snapshot is nearer
    const found = policy && !inMemory ? await this.snapshots.load(streamId) : null;
    const snapshot = found?.schema === policy?.schema ? found : null;
    const from = inMemory?.version ?? snapshot?.version ?? 0;
    const commits = tail ?? (await this.commitsAfter(streamId, from));
    const stateJson = inMemory?.stateJson ?? snapshot?.state_json;
    const start = stateJson !== undefined ? deserializeState<State>(stateJson) : decider.initialState();
    const state = foldEvents(decider, this.domainEvents<Event>(commits), start);
    const version = commits.length ? commits[commits.length - 1].last_version : from;
    let sinceSnapshot = (inMemory?.sinceSnapshot ?? 0) + commits.length;
    if (policy && sinceSnapshot >= this.snapshotEvery && (await this.takeSnapshot(streamId, policy, version, state))) sinceSnapshot = 0;
    if (policy) this.remember(streamId, policy, version, state, sinceSnapshot);
    const documentsRead = discarded + (found ? 1 : 0) + commits.length;
    streamLoadDocuments.observe({ stream_type: streamId.split(':')[0] }, documentsRead);
    return { state, version, documentsRead };
  }

  private commitsAfter(streamId: string, version: number, limit = 0): Promise<CommitDocument[]> {
    return this.commits
      .find(version ? { stream_id: streamId, version: { $gt: version } } : { stream_id: streamId })
      .sort({ version: 1 })
      .limit(limit)
      .toArray();
  }

  /**
   * The stream's state as this process last saw it (for a decider with a snapshot policy), read
   * from nothing but memory. A command decided on it is appended at its version, which fails
   * unless the stream is still there: the store is read only when another process wrote since.
   */
  recentState<State>(streamId: string, decider: Decider<unknown, DomainEvent, State>): { state: State; version: number } | undefined {
    const cached = decider.snapshot ? this.recent.get(streamId) : undefined;
    if (!cached || cached.schema !== decider.snapshot!.schema) return undefined;
    return { state: deserializeState<State>(cached.stateJson), version: cached.version };
  }

  /**
   * After this process appended to a stream it had loaded at `fromVersion`: its state now, and a
   * stored snapshot once `snapshotEvery` commits went by without one (commands on a stream this
   * process keeps writing never load it, so the snapshot is taken here).
   */
  async rememberAppend(streamId: string, policy: SnapshotPolicy | undefined, fromVersion: number, version: number, state: unknown): Promise<void> {
    // A stream's first commit (a create decided without a load) starts it here.
    const before = this.recent.get(streamId) ?? (policy && fromVersion === 0 ? { schema: policy.schema, version: 0, sinceSnapshot: 0 } : undefined);
    if (!policy || !before || before.schema !== policy.schema || before.version !== fromVersion) return;
    const sinceSnapshot = before.sinceSnapshot + 1;
    this.remember(streamId, policy, version, state, sinceSnapshot);
    if (sinceSnapshot < this.snapshotEvery || !(await this.takeSnapshot(streamId, policy, version, state))) return;
    const now = this.recent.get(streamId);
    if (now?.version === version) now.sinceSnapshot = 0;
  }

  private remember(streamId: string, policy: SnapshotPolicy, version: number, state: unknown, sinceSnapshot: number): void {
    const stateJson = serializeState(state);
    this.recent.delete(streamId); // re-inserted last: the Map's order is the recency order
    if (stateJson === null) return;
    this.recent.set(streamId, { schema: policy.schema, version, stateJson, sinceSnapshot });
    if (this.recent.size > RECENT_STREAMS) this.recent.delete(this.recent.keys().next().value!);
  }

  /** A snapshot is only a cache: failing to write one never fails the load. */
  private async takeSnapshot(streamId: string, policy: SnapshotPolicy, version: number, state: unknown): Promise<boolean> {
    const json = serializeState(state);
    if (json === null) {
      this.options.logger?.warn({ stream_id: streamId, schema: policy.schema }, 'state is not plain JSON; not snapshotted');
      return false;
    }
    try {
      await this.snapshots.save(streamId, policy.schema, version, json);
      return true;
    } catch (error) {
      this.options.logger?.warn({ err: error, stream_id: streamId }, 'snapshot not written');
      return false;
    }
  }

  private domainEvents<Event extends DomainEvent>(commits: CommitDocument[]): Event[] {
    return commits.flatMap((commit) => storedEvents(commit).map((e) => ({ type: this.catalog.nameOf(e.type), data: e.data }) as unknown as Event));
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
    const stored = cloudEvents.map(storedJson);
    const commit: CommitDocument = {
      stream_id: streamId,
      version: expectedVersion + 1,
      last_version: expectedVersion + events.length,
      topic: this.catalog.topic,
      events: stored,
      published: false,
      // When it was stored (the events carry the command time): the outbox sweep's grace counts from here.
      committed_at: new Date(),
    };
    try {
      await this.inserts.insert(commit);
    } catch (error) {
      if ((error as mongo.MongoServerError)?.code === DUPLICATE_KEY) throw new ConcurrencyError(streamId, expectedVersion);
      throw error;
    }
    eventsAppended.inc({ stream_type: streamId.split(':')[0] }, events.length);
    return { version: commit.last_version, events: cloudEvents, commit };
  }
}
