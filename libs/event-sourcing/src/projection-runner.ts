import { EventEmitter } from 'node:events';
import { EachBatchPayload, Kafka } from 'kafkajs';
import { LRUCache } from 'lru-cache';
import { mongo } from 'mongoose';
import { CloudEvent } from '@mlops/events';
import { ConsumerStatus, SupervisedConsumer, SupervisedWorker } from './consumer-supervisor';
import { CONSUMER_SESSION, LogSink } from './kafka';
import { PayloadStore } from './payload-store';
import { streamPartitioner } from './stream-partition';
import { projectionDelay, projectionEventsApplied, projectionEventsSkipped, projectionLag } from './metrics';
import {
  AppendedDocument,
  appendToJsonList,
  declaredIndexes,
  DerivedAppend,
  DerivedDocument,
  DerivedWrite,
  Projection,
  PROJECTION_STATE_COLLECTION,
  ProjectionStateDocument,
  ReadModelDocument,
  TallyDocument,
} from './projection';

export interface ProjectionRunnerOptions {
  topicPrefix: string;
  /** Consumer groups are `<groupPrefix><projection>.g<generation>`. */
  groupPrefix: string;
  generationPollMs?: number;
  /** The topic's partition count: waits on streams another replica applies then poll sooner (unknown: all do). */
  partitionCount?: number;
}

const DUPLICATE_KEY = 11000;
/**
 * How often waiting commands look for applies made by other replicas: soon when the stream's
 * partition is applied elsewhere (or not known to be applied here), rarely as a safety net when
 * this replica applies it and wakes its waiters itself.
 */
const WAIT_POLL_MS = { elsewhere: 10, here: 100 };

interface Waiter<Doc> {
  version: number;
  resolve(doc: Doc | null): void;
}

/** Batches of this many partitions are applied at once (the topics have 3 by default). */
const PARTITIONS_APPLIED_CONCURRENTLY = 4;

/** Stream documents kept as last written, so a batch on a stream this runner is following reads nothing back. */
const WRITTEN_STREAMS_KEPT = 2_000;
/** Appended documents kept as last written (a full metric bucket is ~25 kB of JSON text): ~32 MB at most. */
const APPENDED_CHARS_KEPT = 32_000_000;

/** The event is ahead of the read model: an earlier one has not been applied yet. Retried. */
export class ProjectionGapError extends Error {}

/** A rebuild started a newer generation while this one was still writing; its batch is abandoned. */
export class ProjectionStaleGenerationError extends Error {}

/** Where a message sits in Kafka, and the generation of the consumer that read it. */
export interface MessagePosition {
  partition: number;
  offset: string;
  generation: number;
}

export interface BatchMessage {
  event: CloudEvent;
  offset: string;
}

/** `pending`: left to the per-event path (a gap, or a stream another replica advanced meanwhile). */
export type BatchOutcome = 'applied' | 'skipped' | 'pending';

interface DerivedBatchItem {
  event: CloudEvent;
  offset?: string;
  writes: DerivedWrite[];
}

interface PendingTally {
  fields: Record<string, string | number>;
  counts: { offset: bigint; inc: Record<string, number> }[];
}

/**
 * Runs one projection: a consumer group per read model, each event applied only when it is the
 * document's next version (so redelivery and replay change nothing), offsets committed after the
 * apply. A rebuild (new generation) replays the topic from the first offset.
 */
export class ProjectionRunner<Doc extends ReadModelDocument> implements SupervisedWorker {
  private consumer?: SupervisedConsumer;
  private generation = -1;
  /** Whether the last look at the requested generation failed (logged once per outage). */
  private followingFailed = false;
  private generationTimer?: NodeJS.Timeout;
  private switching?: Promise<void>;
  private readonly applied = new EventEmitter().setMaxListeners(0);
  private readonly waiting = new Map<string, Set<Waiter<Doc>>>();
  private polling?: { timer: NodeJS.Timeout; due: number };
  /** The partitions this replica's consumer has been assigned (undefined while it joins or rebalances). */
  private assigned?: Set<number>;
  private readonly partitionOf?: (streamId: string) => number;
  private readonly collection: mongo.Collection<Doc>;
  private readonly state: mongo.Collection<ProjectionStateDocument>;
  private readonly payloads: PayloadStore;
  /**
   * Stream documents as this runner last wrote them, kept while its consumer stays in the group:
   * a rebalance or a new generation forgets them, since another replica may then write the streams.
   * A process stalled past its session (a GC pause, a starved CPU) may have lost its partitions
   * without having heard so yet: a document kept longer than half a session is read again, so such a
   * process finds the newer version and skips, rather than deriving from an older one.
   */
  private readonly written = new LRUCache<string, { generation: number; doc: Doc }>({
    max: WRITTEN_STREAMS_KEPT,
    ttl: CONSUMER_SESSION.sessionTimeout / 2,
  });
  /**
   * Appended documents as this runner last wrote them, by `<collection>|<_id>`: an append guards its
   * write by what it holds, so one another writer moved on is caught there, re-read and retried.
   */
  private readonly appended = new LRUCache<string, AppendedDocument>({
    maxSize: APPENDED_CHARS_KEPT,
    sizeCalculation: (doc) => doc.items_json.length + 1,
  });

  constructor(
    private readonly kafka: Kafka,
    private readonly db: mongo.Db,
    readonly projection: Projection<Doc>,
    private readonly options: ProjectionRunnerOptions,
    private readonly logger: LogSink,
  ) {
    this.collection = db.collection<Doc>(projection.name);
    this.state = db.collection<ProjectionStateDocument>(PROJECTION_STATE_COLLECTION);
    this.payloads = new PayloadStore(db);
    if (options.partitionCount) this.partitionOf = streamPartitioner(options.topicPrefix + projection.topic, options.partitionCount);
  }

  get readModel(): mongo.Collection<Doc> {
    return this.collection;
  }

  derivedReadModel<Derived extends DerivedDocument>(collection: string): mongo.Collection<Derived> {
    if (!this.projection.derivedCollections?.includes(collection)) {
      throw new Error(`${this.projection.name} has no derived collection ${collection}`);
    }
    return this.db.collection<Derived>(collection);
  }

  /**
   * Starts following the projection's generation: joins its consumer group (resolving after the
   * first attempt) and keeps polling for rebuilds. A store or broker that is down now, or later,
   * only delays it: every step is retried until `stop()`.
   */
  async start(): Promise<void> {
    this.generationTimer = setInterval(() => void this.followRebuilds(), this.options.generationPollMs ?? 2000);
    this.generationTimer.unref();
    await this.followRebuilds();
  }

  /** The consumer of the current generation, for readiness and /metrics (`stopped` between generations). */
  status(): ConsumerStatus {
    return (
      this.consumer?.status() ?? {
        consumer: `projection:${this.projection.name}`,
        group: this.groupId(Math.max(this.generation, 0)),
        state: this.generation < 0 ? 'starting' : 'stopped',
        restarts: 0,
      }
    );
  }

  private groupId(generation: number): string {
    return `${this.options.groupPrefix}${this.projection.name}.g${generation}`;
  }

  /** Store-side preparation of a generation: its indexes, and where rebuilds find the derived collections. */
  private async prepare(): Promise<void> {
    await this.ensureIndexes();
    if (this.projection.derivedCollections?.length) {
      await this.state.updateOne(
        { _id: this.projection.name },
        { $set: { derived_collections: this.projection.derivedCollections } },
        { upsert: true },
      );
    }
  }

  /** Creates the indexes its schemas declare; a rebuild drops the collections, so a new generation calls it again. */
  async ensureIndexes(): Promise<void> {
    for (const index of declaredIndexes(this.projection)) {
      await this.db
        .collection(index.collection)
        .createIndex(index.key, { name: index.name, ...(index.unique ? { unique: true } : {}) });
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.generationTimer);
    clearTimeout(this.polling?.timer);
    await this.switching;
    // kafkajs lets the in-flight batch finish (and so its offset commit) before leaving the group.
    await this.consumer?.stop();
  }

  /**
   * Resolves with the read-model document once it reaches `version`, or null after `timeoutMs`.
   * Local applies wake it at once; one shared poll (a single `$in` read for every waiting stream)
   * covers applies made by other replicas, so many waiters do not load the store they wait on.
   */
  async waitFor(streamId: string, version: number, timeoutMs: number): Promise<Doc | null> {
    return new Promise<Doc | null>((resolve) => {
      const waiter: Waiter<Doc> = { version, resolve: () => undefined };
      const deadline = setTimeout(() => waiter.resolve(null), timeoutMs);
      waiter.resolve = (doc) => {
        clearTimeout(deadline);
        this.applied.off(streamId, onApplied);
        const waiting = this.waiting.get(streamId);
        waiting?.delete(waiter);
        if (waiting?.size === 0) this.waiting.delete(streamId);
        if (this.waiting.size === 0) this.stopPolling(); // nobody left to poll for
        resolve(doc);
      };
      const onApplied = (doc: Doc) => {
        if (doc.version >= version) waiter.resolve(doc);
      };
      this.applied.on(streamId, onApplied);
      this.waiting.set(streamId, (this.waiting.get(streamId) ?? new Set()).add(waiter));
      this.pollWaiting();
    });
  }

  private pollWaiting(): void {
    if (this.waiting.size === 0) return;
    const interval = [...this.waiting.keys()].some((streamId) => !this.appliesHere(streamId)) ? WAIT_POLL_MS.elsewhere : WAIT_POLL_MS.here;
    const due = Date.now() + interval;
    if (this.polling) {
      if (this.polling.due <= due) return;
      clearTimeout(this.polling.timer); // a wait on a stream applied elsewhere came: poll sooner
    }
    const timer = setTimeout(async () => {
      const ids = [...this.waiting.keys()];
      if (this.polling?.timer === timer) this.polling = undefined;
      if (!ids.length) return;
      try {
        // By `_id` alone: the lookup every MongoDB-protocol server answers from an index.
        const docs = (await this.collection.find({ _id: { $in: ids } } as mongo.Filter<Doc>).toArray()) as Doc[];
        for (const doc of docs) for (const waiter of [...(this.waiting.get(doc._id) ?? [])]) if (doc.version >= waiter.version) waiter.resolve(doc);
      } catch {
        // The next poll tries again; the deadline bounds every wait.
      }
      this.pollWaiting();
    }, interval);
    timer.unref();
    this.polling = { timer, due };
  }

  private stopPolling(): void {
    clearTimeout(this.polling?.timer);
    this.polling = undefined;
  }

  /** Whether this replica's consumer holds the stream's partition, so its own apply wakes the waiters. */
  private appliesHere(streamId: string): boolean {
    return this.partitionOf !== undefined && this.assigned !== undefined && this.assigned.has(this.partitionOf(streamId));
  }

  /**
   * Applies one event if it is the document's next version; returns false when it was a duplicate.
   * `position` (the Kafka message's) is needed by projections that keep tallies.
   */
  async apply(event: CloudEvent, position?: MessagePosition): Promise<boolean> {
    const id = event.subject;
    const generation = position?.generation ?? this.generation;
    for (;;) {
      const current = (await this.collection.findOne({ _id: id } as mongo.Filter<Doc>)) as Doc | null;
      const currentVersion = current?.version ?? 0;
      if (event.streamversion <= currentVersion) return false;
      if (event.streamversion > currentVersion + 1) {
        throw new ProjectionGapError(
          `${this.projection.name}: ${id} is at version ${currentVersion}, got event version ${event.streamversion}`,
        );
      }
      const next = { ...this.projection.evolve(current, event), _id: id, version: event.streamversion } as Doc;
      // Before the version moves on: a crash in between leaves the event unapplied, so it is redone.
      const writes = (await this.projection.derive?.(event, next, this.payloads)) ?? [];
      await this.writeDerived([{ event, writes, offset: position?.offset }], generation, position?.partition);
      if (!current) {
        this.written.delete(id);
        try {
          await this.collection.insertOne(next as mongo.OptionalUnlessRequiredId<Doc>);
        } catch (error) {
          if ((error as mongo.MongoServerError)?.code === DUPLICATE_KEY) continue;
          throw error;
        }
      } else {
        // Forgotten until the write is known to have landed, as in applyBatch.
        this.written.delete(id);
        const result = await this.collection.replaceOne(
          { _id: id, version: currentVersion } as mongo.Filter<Doc>,
          next as mongo.WithoutId<Doc>,
        );
        if (result.matchedCount === 0) continue; // another replica applied first: re-read
      }
      this.remember(next, generation);
      this.applied.emit(id, next);
      return true;
    }
  }

  /** Keeps a stream document as written (a copy: the one written goes on to waiters, who may change it). */
  private remember(doc: Doc, generation: number): void {
    this.written.set(doc._id, { generation, doc: structuredClone(doc) });
  }

  /**
   * Applies a batch of one partition's events in a few round trips: one read of the streams'
   * documents (none for those this runner wrote last), each stream's consecutive next versions
   * folded in memory, the derived writes, then one version-guarded bulk write of the stream
   * documents. What it cannot settle — a gap, or a stream another replica advanced meanwhile — is
   * left `pending` for the per-event path.
   */
  async applyBatch(messages: BatchMessage[], partition: number, generation = this.generation): Promise<BatchOutcome[]> {
    const outcomes: BatchOutcome[] = messages.map(() => 'pending');
    const byStream = new Map<string, number[]>();
    messages.forEach(({ event }, index) => byStream.set(event.subject, [...(byStream.get(event.subject) ?? []), index]));
    if (!byStream.size) return outcomes;
    const stored = new Map<string, Doc>();
    for (const id of byStream.keys()) {
      const kept = this.written.get(id);
      if (kept?.generation === generation) stored.set(id, kept.doc);
    }
    const unknown = [...byStream.keys()].filter((id) => !stored.has(id));
    if (unknown.length) {
      for (const doc of (await this.collection.find({ _id: { $in: unknown } } as mongo.Filter<Doc>).toArray()) as Doc[]) stored.set(doc._id, doc);
    }

    const derived: DerivedBatchItem[] = [];
    const folded = new Map<string, { from: Doc | null; to: Doc; indexes: number[] }>();
    for (const [id, indexes] of byStream) {
      const from = stored.get(id) ?? null;
      let doc = from;
      const applied: number[] = [];
      for (const index of indexes) {
        const { event, offset } = messages[index];
        const version = doc?.version ?? 0;
        if (event.streamversion <= version) {
          outcomes[index] = 'skipped';
          continue;
        }
        // A gap: this and the stream's later events go the per-event way (which retries the gap).
        if (event.streamversion > version + 1) break;
        const next = { ...this.projection.evolve(doc, event), _id: id, version: event.streamversion } as Doc;
        derived.push({ event, offset, writes: (await this.projection.derive?.(event, next, this.payloads)) ?? [] });
        applied.push(index);
        doc = next;
      }
      if (applied.length) folded.set(id, { from, to: doc!, indexes: applied });
    }
    if (!folded.size) return outcomes;

    // Derived first: a crash before the stream documents advance redoes the events, never loses them.
    await this.writeDerived(derived, generation, partition);
    const writes = [...folded.values()].map(
      ({ from, to }): mongo.AnyBulkWriteOperation<Doc> =>
        from
          ? { replaceOne: { filter: { _id: to._id, version: from.version } as mongo.Filter<Doc>, replacement: to as mongo.WithoutId<Doc> } }
          : { insertOne: { document: to as mongo.OptionalId<Doc> } },
    );
    // Forgotten until the write is known to have landed: a lost race or a failure leaves the store to say.
    for (const id of folded.keys()) this.written.delete(id);
    const written = await this.collection.bulkWrite(writes, { ordered: false }).then(
      (result) => result.matchedCount + result.insertedCount === writes.length,
      (error: unknown) => {
        const failed = error instanceof mongo.MongoBulkWriteError ? [error.writeErrors].flat() : [];
        if (!failed.length || failed.some((e) => e.code !== DUPLICATE_KEY)) throw error;
        return false;
      },
    );
    // Some write lost a race (another replica applied first): keep the streams that hold our result.
    const settled = written
      ? null
      : new Map(
          ((await this.collection.find({ _id: { $in: [...folded.keys()] } } as mongo.Filter<Doc>).toArray()) as Doc[]).map((d) => [d._id, d.version]),
        );
    for (const [id, { to, indexes }] of folded) {
      if (settled && settled.get(id) !== to.version) continue; // stays pending
      for (const index of indexes) outcomes[index] = 'applied';
      this.remember(to, generation);
      this.applied.emit(id, to);
    }
    return outcomes;
  }

  private async writeDerived(items: DerivedBatchItem[], generation: number, partition?: number): Promise<void> {
    const documents = new Map<string, { insertOnly: boolean; collection: string; documents: DerivedDocument[] }>();
    const appends = new Map<string, { version: number; append: DerivedAppend }[]>();
    const tallies = new Map<string, Map<string, PendingTally>>();
    for (const { event, writes, offset } of items) {
      for (const write of writes) {
        if (!this.projection.derivedCollections?.includes(write.collection)) {
          throw new Error(`${this.projection.name}: ${write.collection} is not one of its derivedCollections`);
        }
        if ('appends' in write) {
          const list = appends.get(write.collection) ?? [];
          list.push(...write.appends.map((append) => ({ version: event.streamversion, append })));
          appends.set(write.collection, list);
        } else if ('tallies' in write) {
          if (partition === undefined || offset === undefined) {
            throw new Error(`${this.projection.name}: tallies are counted by Kafka offset; apply the event with its position`);
          }
          const byId = tallies.get(write.collection) ?? new Map<string, PendingTally>();
          for (const tally of write.tallies) {
            const id = `${tally.id}|p${partition}`;
            const pending = byId.get(id) ?? { fields: tally.fields, counts: [] };
            pending.counts.push({ offset: BigInt(offset), inc: tally.inc });
            byId.set(id, pending);
          }
          tallies.set(write.collection, byId);
        } else {
          const key = `${write.insertOnly ? 'i' : 'u'}|${write.collection}`;
          const group = documents.get(key) ?? { insertOnly: !!write.insertOnly, collection: write.collection, documents: [] };
          group.documents.push(...write.documents);
          documents.set(key, group);
        }
      }
    }
    // The collections do not depend on each other: written side by side, every write settled before the stream moves on.
    const settled = await Promise.allSettled([
      ...[...documents.values()].map((group) => this.writeDocuments(group)),
      ...[...appends].map(([collection, list]) => this.appendToLists(collection, list, generation)),
      ...[...tallies].map(([collection, byId]) => this.writeTallies(collection, byId, generation, partition!)),
    ]);
    const failed = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async writeDocuments({ collection, documents, insertOnly }: { collection: string; documents: DerivedDocument[]; insertOnly: boolean }) {
    if (!documents.length) return;
    const target = this.db.collection<DerivedDocument>(collection);
    if (insertOnly) {
      await target.insertMany(documents, { ordered: false }).catch((error: unknown) => {
        const failed = error instanceof mongo.MongoBulkWriteError ? [error.writeErrors].flat() : [];
        if (!failed.length || failed.some((e) => e.code !== DUPLICATE_KEY)) throw error;
      });
      return;
    }
    // The batch's last version of each document wins, whatever order an unordered bulk runs in.
    const latest = new Map(documents.map((document) => [document._id, document]));
    await target.bulkWrite(
      [...latest.values()].map((document) => ({ replaceOne: { filter: { _id: document._id }, replacement: document, upsert: true } })),
      { ordered: false },
    );
  }

  /**
   * Appends to JSON-text lists (see DerivedAppend): one read of the batch's documents (none for
   * those this runner wrote last), each one's fresh items (of events past its `appended_version`)
   * appended in memory, then one write per document guarded by the version read or kept; whatever
   * lost a race is re-read and retried.
   */
  private async appendToLists(collection: string, list: { version: number; append: DerivedAppend }[], generation: number) {
    const target = this.db.collection<AppendedDocument>(collection);
    const byId = new Map<string, { version: number; append: DerivedAppend }[]>();
    for (const entry of list) byId.set(entry.append._id, [...(byId.get(entry.append._id) ?? []), entry]);
    const keptAs = (id: string) => `${collection}|${id}`;
    for (let attempt = 0; ; attempt++) {
      const stored = new Map<string, AppendedDocument>();
      for (const id of byId.keys()) {
        const kept = this.appended.get(keptAs(id));
        if (kept) stored.set(id, kept);
      }
      const unknown = [...byId.keys()].filter((id) => !stored.has(id));
      if (unknown.length) for (const doc of await target.find({ _id: { $in: unknown } }).toArray()) stored.set(doc._id, doc);
      const ops: mongo.AnyBulkWriteOperation<AppendedDocument>[] = [];
      const nexts: AppendedDocument[] = [];
      for (const [id, entries] of byId) {
        const doc = stored.get(id);
        if (doc && doc.generation > generation) throw new ProjectionStaleGenerationError(`${this.projection.name}: generation ${generation} was superseded`);
        // A document of an older generation is a leftover in the dropped collection: started afresh.
        const current = doc && doc.generation === generation ? doc : undefined;
        const fresh = entries.filter(({ version }) => version > (current?.appended_version ?? 0));
        if (!fresh.length) continue;
        const items = fresh.flatMap(({ append }) => append.items);
        const next: AppendedDocument = {
          ...(current ?? { ...fresh[0].append.setOnInsert, _id: id, generation }),
          items_json: appendToJsonList(current?.items_json, items),
          count: (current?.count ?? 0) + items.length,
          appended_version: fresh[fresh.length - 1].version,
        };
        nexts.push(next);
        ops.push(
          doc
            ? { replaceOne: { filter: { _id: id, generation: doc.generation, appended_version: doc.appended_version }, replacement: next } }
            : { insertOne: { document: next } },
        );
      }
      if (!ops.length) return;
      // Forgotten until the write is known to have landed: what lost a race is read back next.
      for (const id of byId.keys()) this.appended.delete(keptAs(id));
      const done = await guardedBulkWrite(target, ops);
      if (done) {
        for (const next of nexts) this.appended.set(keptAs(next._id), next);
        return;
      }
      if (attempt >= 20) throw new Error(`${this.projection.name}: appended documents in ${collection} kept changing under the writer`);
    }
  }

  /**
   * Counts into one document per (tally, partition), only messages past its stored offset:
   * read, then a write guarded by the offset read; whatever lost a race is re-read and retried.
   */
  private async writeTallies(collection: string, byId: Map<string, PendingTally>, generation: number, partition: number) {
    const target = this.db.collection<TallyDocument>(collection);
    for (let attempt = 0; ; attempt++) {
      const stored = new Map((await target.find({ _id: { $in: [...byId.keys()] } }).toArray()).map((doc) => [doc._id, doc]));
      const ops: mongo.AnyBulkWriteOperation<TallyDocument>[] = [];
      for (const [id, { fields, counts }] of byId) {
        const doc = stored.get(id);
        if (doc && doc.generation > generation) throw new ProjectionStaleGenerationError(`${this.projection.name}: generation ${generation} was superseded`);
        const current = doc && doc.generation === generation ? doc : undefined;
        const after = current ? BigInt(current.offset) : -1n;
        const fresh = counts.filter((count) => count.offset > after);
        if (!fresh.length) continue;
        const inc: Record<string, number> = {};
        for (const count of fresh) for (const [field, n] of Object.entries(count.inc)) inc[field] = (inc[field] ?? 0) + n;
        const offset = fresh.reduce((max, count) => (count.offset > max ? count.offset : max), after).toString();
        if (current) {
          ops.push({ updateOne: { filter: { _id: id, generation, offset: current.offset }, update: { $inc: inc, $set: { offset } } as mongo.UpdateFilter<TallyDocument> } });
        } else {
          const created = { _id: id, ...fields, partition, offset, generation, ...inc } as TallyDocument;
          // A document of an older generation is a leftover in the dropped collection: replaced, not added to.
          ops.push(
            doc
              ? { replaceOne: { filter: { _id: id, generation: doc.generation, offset: doc.offset }, replacement: created } }
              : { insertOne: { document: created } },
          );
        }
      }
      if (!ops.length) return;
      const done = await guardedBulkWrite(target, ops);
      if (done) return;
      if (attempt >= 20) throw new Error(`${this.projection.name}: tallies in ${collection} kept changing under the writer`);
    }
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload, generation: number) {
    const prefix = `${this.projection.streamType}:`;
    const consumer = this.consumer;
    const live = () => isRunning() && !isStale() && generation === this.generation;
    if (!live()) return;
    const ours = batch.messages.flatMap((message, index) => {
      // Keyed by stream id: another stream type's event is passed over unparsed.
      if (message.key && !message.key.toString().startsWith(prefix)) return [];
      const event = JSON.parse(message.value!.toString()) as CloudEvent;
      return event.subject.startsWith(prefix) ? [{ event, offset: message.offset, index }] : [];
    });
    const events = new Map(ours.map(({ event, index }) => [index, event]));
    const outcomes = new Map<number, BatchOutcome>();
    (await this.applyBatch(ours, batch.partition, generation)).forEach((outcome, i) => outcomes.set(ours[i].index, outcome));
    const labels = { projection: this.projection.name };
    let lastResolved: string | undefined;
    try {
      for (const [index, message] of batch.messages.entries()) {
        if (!live()) break;
        const event = events.get(index)!;
        let outcome = outcomes.get(index);
        if (outcome === 'pending') {
          outcome = (await this.apply(event, { partition: batch.partition, offset: message.offset, generation })) ? 'applied' : 'skipped';
        }
        if (outcome === 'applied') {
          this.logger.debug?.(
            { correlation_id: event.correlationid, actor: event.actor, subject: event.subject, streamversion: event.streamversion, projection: this.projection.name },
            `projected ${event.type}`,
          );
          projectionEventsApplied.inc(labels);
          projectionDelay.observe(labels, Math.max(0, Date.now() - Date.parse(event.time)) / 1000);
        } else if (outcome === 'skipped') {
          projectionEventsSkipped.inc(labels);
        }
        resolveOffset(message.offset);
        lastResolved = message.offset;
        await heartbeat();
      }
    } finally {
      // Committed only after the apply (a crash before it redelivers, and apply skips duplicates),
      // and at most once an interval: a redelivery costs skips, a commit per batch a broker write.
      if (lastResolved !== undefined) await consumer?.commit(batch.partition, lastResolved, !isRunning());
    }
    projectionLag.set({ projection: this.projection.name, partition: String(batch.partition) }, Number(batch.offsetLag()));
  }

  private async currentGeneration(): Promise<number> {
    const state = await this.state.findOne({ _id: this.projection.name });
    return state?.generation ?? 0;
  }

  private async startGeneration(generation: number): Promise<void> {
    this.generation = generation;
    this.written.clear();
    this.appended.clear();
    this.consumer = new SupervisedConsumer(
      this.kafka,
      {
        consumer: `projection:${this.projection.name}`,
        groupId: this.groupId(generation),
        topic: this.options.topicPrefix + this.projection.topic,
        run: (consumer) => {
          // Partitions may have moved: streams another replica wrote meanwhile are read from the store again.
          consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
            this.written.clear();
            this.assigned = new Set(payload.memberAssignment[this.options.topicPrefix + this.projection.topic] ?? []);
          });
          // Until it joins again, waits are woken by the poll alone.
          for (const leaving of [consumer.events.REBALANCING, consumer.events.CRASH, consumer.events.STOP]) consumer.on(leaving, () => (this.assigned = undefined));
          return {
            autoCommit: false,
            eachBatchAutoResolve: false,
            // A stream lives in one partition, so partitions can be applied side by side without reordering it.
            partitionsConsumedConcurrently: PARTITIONS_APPLIED_CONCURRENTLY,
            eachBatch: (payload) => this.handleBatch(payload, generation),
          };
        },
      },
      this.logger,
    );
    await this.consumer.start();
  }

  /**
   * Starts the requested generation when it is not the one running: the first start, and every
   * rebuild. A failure (the store unreachable) leaves it to the next poll, however long that takes.
   */
  private async followRebuilds(): Promise<void> {
    if (this.switching) return;
    this.switching = (async () => {
      const generation = await this.currentGeneration();
      if (generation === this.generation && this.consumer) return;
      if (this.consumer) {
        this.logger.info({ projection: this.projection.name, generation }, 'rebuild requested: replaying from the first offset');
        // The superseded generation's batches see `generation !== this.generation` and stop writing.
        this.generation = generation;
        await this.consumer.retire();
        this.consumer = undefined;
      }
      await this.prepare();
      await this.startGeneration(generation);
    })();
    try {
      await this.switching;
      if (this.followingFailed) this.logger.info({ projection: this.projection.name }, 'following projection rebuilds again');
      this.followingFailed = false;
    } catch (error) {
      if (!this.followingFailed) this.logger.error({ err: error, projection: this.projection.name }, 'following projection rebuilds failed; retrying');
      this.followingFailed = true;
    } finally {
      this.switching = undefined;
    }
  }
}

/**
 * Writes guarded operations (each filtered by what was read, or an insert); true when every one
 * matched, false when another writer got there first (a guard missed, or E11000): re-read and retry.
 */
async function guardedBulkWrite<T extends mongo.Document>(target: mongo.Collection<T>, ops: mongo.AnyBulkWriteOperation<T>[]): Promise<boolean> {
  return target.bulkWrite(ops, { ordered: false }).then(
    (result) => result.matchedCount + result.insertedCount === ops.length,
    (error: unknown) => {
      const failed = error instanceof mongo.MongoBulkWriteError ? [error.writeErrors].flat() : [];
      if (!failed.length || failed.some((e) => e.code !== DUPLICATE_KEY)) throw error;
      return false;
    },
  );
}

/**
 * Drops a read model (and its derived collections) and asks every runner of it to replay the topic
 * from the start. Dropping first means no runner can skip events into the old collection under the
 * new generation.
 */
export async function requestRebuild(db: mongo.Db, projectionName: string): Promise<number> {
  const states = db.collection<ProjectionStateDocument>(PROJECTION_STATE_COLLECTION);
  const derived = (await states.findOne({ _id: projectionName }))?.derived_collections ?? [];
  for (const collection of [projectionName, ...derived]) {
    await db.collection(collection).drop().catch((error: mongo.MongoServerError) => {
      if (error?.codeName !== 'NamespaceNotFound' && error?.code !== 26) throw error;
    });
  }
  const state = await states
    .findOneAndUpdate(
      { _id: projectionName },
      { $inc: { generation: 1 }, $set: { rebuild_requested_at: new Date() } },
      { upsert: true, returnDocument: 'after' },
    );
  return state!.generation;
}
