import { EventEmitter } from 'node:events';
import { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { mongo } from 'mongoose';
import { CloudEvent } from '@mlops/events';
import { LogSink } from './kafka';
import { PayloadStore } from './payload-store';
import { projectionDelay, projectionEventsApplied, projectionEventsSkipped, projectionLag } from './metrics';
import {
  DerivedDocument,
  DerivedWrite,
  Projection,
  PROJECTION_STATE_COLLECTION,
  ProjectionStateDocument,
  ReadModelDocument,
} from './projection';

export interface ProjectionRunnerOptions {
  topicPrefix: string;
  /** Consumer groups are `<groupPrefix><projection>.g<generation>`. */
  groupPrefix: string;
  generationPollMs?: number;
}

const DUPLICATE_KEY = 11000;

/** The event is ahead of the read model: an earlier one has not been applied yet. Retried. */
export class ProjectionGapError extends Error {}

/**
 * Runs one projection: a consumer group per read model, each event applied only when it is the
 * document's next version (so redelivery and replay change nothing), offsets committed after the
 * apply. A rebuild (new generation) replays the topic from the first offset.
 */
export class ProjectionRunner<Doc extends ReadModelDocument> {
  private consumer?: Consumer;
  private generation = -1;
  private generationTimer?: NodeJS.Timeout;
  private switching?: Promise<void>;
  private readonly applied = new EventEmitter().setMaxListeners(0);
  private readonly collection: mongo.Collection<Doc>;
  private readonly state: mongo.Collection<ProjectionStateDocument>;
  private readonly payloads: PayloadStore;

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

  async start(): Promise<void> {
    await this.ensureIndexes();
    if (this.projection.derivedCollections?.length) {
      await this.state.updateOne(
        { _id: this.projection.name },
        { $set: { derived_collections: this.projection.derivedCollections } },
        { upsert: true },
      );
    }
    await this.startGeneration(await this.currentGeneration());
    this.generationTimer = setInterval(() => void this.followRebuilds(), this.options.generationPollMs ?? 2000);
    this.generationTimer.unref();
  }

  /** Creates the declared indexes; a rebuild drops the collections, so a new generation calls it again. */
  async ensureIndexes(): Promise<void> {
    for (const index of this.projection.indexes ?? []) {
      await this.db
        .collection(index.collection)
        .createIndex(index.key, { name: index.name, ...(index.unique ? { unique: true } : {}) });
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.generationTimer);
    await this.switching;
    // kafkajs lets the in-flight batch finish (and so its offset commit) before leaving the group.
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  /**
   * Resolves with the read-model document once it reaches `version`, or null after `timeoutMs`.
   * Local applies wake it at once; the poll covers applies made by other replicas.
   */
  async waitFor(streamId: string, version: number, timeoutMs: number): Promise<Doc | null> {
    return new Promise<Doc | null>((resolve) => {
      let settled = false;
      const finish = (doc: Doc | null) => {
        if (settled) return;
        settled = true;
        this.applied.off(streamId, onApplied);
        clearTimeout(deadline);
        clearInterval(poll);
        resolve(doc);
      };
      const onApplied = (doc: Doc) => {
        if (doc.version >= version) finish(doc);
      };
      // By `_id` alone: the one lookup every MongoDB-protocol server answers from an index.
      const check = () =>
        this.collection
          .findOne({ _id: streamId } as mongo.Filter<Doc>)
          .then((doc) => doc && (doc as Doc).version >= version && finish(doc as Doc))
          .catch(() => undefined);
      this.applied.on(streamId, onApplied);
      const deadline = setTimeout(() => finish(null), timeoutMs);
      const poll = setInterval(check, 100);
      void check();
    });
  }

  /** Applies one event if it is the document's next version; returns false when it was a duplicate. */
  async apply(event: CloudEvent): Promise<boolean> {
    const id = event.subject;
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
      await this.writeDerived((await this.projection.derive?.(event, next, this.payloads)) ?? []);
      if (!current) {
        try {
          await this.collection.insertOne(next as mongo.OptionalUnlessRequiredId<Doc>);
        } catch (error) {
          if ((error as mongo.MongoServerError)?.code === DUPLICATE_KEY) continue;
          throw error;
        }
      } else {
        const result = await this.collection.replaceOne(
          { _id: id, version: currentVersion } as mongo.Filter<Doc>,
          next as mongo.WithoutId<Doc>,
        );
        if (result.matchedCount === 0) continue; // another replica applied first: re-read
      }
      this.applied.emit(id, next);
      return true;
    }
  }

  private async writeDerived(writes: DerivedWrite[]): Promise<void> {
    for (const { collection, documents, insertOnly } of writes) {
      if (!this.projection.derivedCollections?.includes(collection)) {
        throw new Error(`${this.projection.name}: ${collection} is not one of its derivedCollections`);
      }
      if (!documents.length) continue;
      if (insertOnly) {
        await this.db
          .collection<DerivedDocument>(collection)
          .insertMany(documents, { ordered: false })
          .catch((error: unknown) => {
            const failed = error instanceof mongo.MongoBulkWriteError ? [error.writeErrors].flat() : [];
            if (!failed.length || failed.some((e) => e.code !== DUPLICATE_KEY)) throw error;
          });
        continue;
      }
      await this.db.collection<DerivedDocument>(collection).bulkWrite(
        documents.map((document) => ({ replaceOne: { filter: { _id: document._id }, replacement: document, upsert: true } })),
        { ordered: false },
      );
    }
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload, generation: number) {
    const prefix = `${this.projection.streamType}:`;
    let lastResolved: string | undefined;
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || generation !== this.generation) break;
      const event = JSON.parse(message.value!.toString()) as CloudEvent;
      if (event.subject.startsWith(prefix)) {
        const applied = await this.apply(event);
        const labels = { projection: this.projection.name };
        if (applied) {
          this.logger.debug?.(
            { correlation_id: event.correlationid, actor: event.actor, subject: event.subject, streamversion: event.streamversion, projection: this.projection.name },
            `projected ${event.type}`,
          );
          projectionEventsApplied.inc(labels);
          projectionDelay.observe(labels, Math.max(0, Date.now() - Date.parse(event.time)) / 1000);
        } else {
          projectionEventsSkipped.inc(labels);
        }
      }
      resolveOffset(message.offset);
      lastResolved = message.offset;
      await heartbeat();
    }
    if (lastResolved !== undefined && this.consumer) {
      // Committed only after the apply: a crash before this line redelivers, and apply skips duplicates.
      await this.consumer.commitOffsets([
        { topic: batch.topic, partition: batch.partition, offset: (BigInt(lastResolved) + 1n).toString() },
      ]);
    }
    projectionLag.set({ projection: this.projection.name, partition: String(batch.partition) }, Number(batch.offsetLag()));
  }

  private async currentGeneration(): Promise<number> {
    const state = await this.state.findOne({ _id: this.projection.name });
    return state?.generation ?? 0;
  }

  private async startGeneration(generation: number): Promise<void> {
    this.generation = generation;
    const consumer = this.kafka.consumer({
      groupId: `${this.options.groupPrefix}${this.projection.name}.g${generation}`,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.options.topicPrefix + this.projection.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload, generation),
    });
    this.consumer = consumer;
  }

  private async followRebuilds(): Promise<void> {
    if (this.switching) return;
    try {
      const generation = await this.currentGeneration();
      if (generation === this.generation) return;
      this.logger.info({ projection: this.projection.name, generation }, 'rebuild requested: replaying from the first offset');
      this.switching = (async () => {
        await this.consumer?.disconnect();
        await this.ensureIndexes();
        await this.startGeneration(generation);
      })();
      await this.switching;
    } catch (error) {
      this.logger.error({ err: error, projection: this.projection.name }, 'following projection rebuilds failed');
    } finally {
      this.switching = undefined;
    }
  }
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
