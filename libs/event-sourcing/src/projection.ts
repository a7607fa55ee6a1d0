import { Schema, SchemaDefinition } from 'mongoose';
import { CloudEvent } from '@mlops/events';
import type { PayloadStore } from './payload-store';

/** A read-model document: one per stream, `_id` = stream id, `version` = last applied stream version. */
export interface ReadModelDocument {
  _id: string;
  version: number;
}

/** A document derived from an event, kept outside the stream's own document (e.g. one per metric point). */
export interface DerivedDocument {
  /** Deterministic — from (subject, streamversion, index in the event) — so re-deriving overwrites, never duplicates. */
  _id: string;
  [field: string]: unknown;
}

/** Documents upserted (replaced) by `_id`, or inserted once when `insertOnly`. */
export interface DerivedDocumentsWrite {
  /** One of the projection's `derivedCollections`. */
  collection: string;
  documents: DerivedDocument[];
  /**
   * The documents never change once written (a metric point): they are inserted — far cheaper than
   * upserts on FerretDB — and a redo after a crash skips the ones already there.
   */
  insertOnly?: boolean;
}

/**
 * Items appended, in event order, to a list kept in one document that belongs to one stream (a
 * bucket of metric points). The runner keeps the list as ONE string of JSON text (`items_json`):
 * FerretDB decodes a long array element by element, a string at once. It reads the document,
 * appends the items of events past its `appended_version`, and writes it back guarded by the
 * version it read, so a redo after a crash or a redelivery never appends twice.
 */
export interface DerivedAppend {
  _id: string;
  /** JSON values: strings, finite numbers (they read back exactly) and arrays of them. */
  items: unknown[];
  /** Fields written when the document is created. */
  setOnInsert?: Record<string, unknown>;
}

/** A document kept by appends: the `setOnInsert` fields and the runner's bookkeeping. */
export interface AppendedDocument {
  _id: string;
  /** JSON text of an array of every item appended, in order; read it with `appendedItems`. */
  items_json: string;
  count: number;
  /** Stream version of the last event whose items are in. */
  appended_version: number;
  /** The projection generation that wrote it: a rebuild starts documents of older ones afresh. */
  generation: number;
  [field: string]: unknown;
}

export const appendedItems = <Item>(doc: Pick<AppendedDocument, 'items_json'>): Item[] => JSON.parse(doc.items_json) as Item[];

/** `list` (JSON text of an array) with `items` appended, without parsing what it holds. */
export function appendToJsonList(list: string | undefined, items: unknown[]): string {
  const added = JSON.stringify(items);
  if (!list || list === '[]') return added;
  return items.length ? `${list.slice(0, -1)},${added.slice(1)}` : list;
}

export interface DerivedAppendWrite {
  collection: string;
  appends: DerivedAppend[];
}

/**
 * Counters summed across streams (runs per experiment). `$inc` alone would count a redelivered
 * event twice, so the runner keeps one document per (tally, Kafka partition) holding the offset of
 * the last message counted and counts only messages past it; the stream's version check keeps an
 * event re-sent at a new offset out. Readers sum the (≤ #partitions) documents found by `fields`.
 */
export interface DerivedTally {
  /** Identifies the tally; the document `_id` is `<id>|p<partition>`. */
  id: string;
  /** Stored on the document when it is created (what readers find the tally by). */
  fields: Record<string, string | number>;
  inc: Record<string, number>;
}

export interface DerivedTallyWrite {
  collection: string;
  tallies: DerivedTally[];
}

export type DerivedWrite = DerivedDocumentsWrite | DerivedAppendWrite | DerivedTallyWrite;

/** What the runner stores on a tally document besides the counters and `fields`. */
export interface TallyDocument {
  _id: string;
  partition: number;
  /** Offset of the last message counted in this partition. */
  offset: string;
  /** The projection generation that wrote it: a rebuild discards documents of older ones. */
  generation: number;
  [field: string]: unknown;
}

export type ReadModelFields<Doc extends ReadModelDocument> = Omit<Doc, '_id' | 'version'>;

/**
 * How one read model follows one topic. `evolve` is pure: the current document (null before the
 * stream's first event) and the next event in, the next document out.
 */
export interface Projection<Doc extends ReadModelDocument> {
  /** Also the MongoDB collection name and part of the consumer group id. */
  name: string;
  topic: string;
  /** Stream type (`experiment` for `experiment:<name>`) whose events this read model follows. */
  streamType: string;
  evolve(current: Doc | null, event: CloudEvent): ReadModelFields<Doc>;
  /**
   * For read models that need many documents per stream (a metric history): the documents an
   * event adds to `derivedCollections`. The runner writes them before advancing the stream's
   * document, so a crash in between redoes them and redelivery skips them; a rebuild
   * drops these collections along with the main one. `next` is the stream's document after the
   * event, for derived documents that summarise more than the event itself (a model version).
   * `payloads` resolves the content-addressed payloads an event refers to (a usage batch's records).
   */
  derive?(event: CloudEvent, next: Doc, payloads: PayloadStore): DerivedWrite[] | Promise<DerivedWrite[]>;
  derivedCollections?: string[];
  /**
   * The read model declared with mongoose (`readModelSchema`): the fields its documents hold and
   * the index each query needs (`schema.index`), created by the runner at start (idempotent). Reads
   * go through a Model of it; the runner writes with the driver. Every query shape a service
   * issues must be served by one of its indexes (the query-plan test checks it).
   */
  schema?: Schema;
  /** One schema per derived collection, keyed by the collection (one of `derivedCollections`). */
  derivedSchemas?: Record<string, Schema>;
}

/** One index a read-model schema declares, as the runner creates it. */
export interface ReadModelIndex {
  collection: string;
  key: Record<string, 1 | -1>;
  name: string;
  unique?: boolean;
}

const SCHEMA_OPTIONS = { versionKey: false, id: false, autoIndex: false, autoCreate: false, strict: true } as const;

/**
 * The mongoose schema of a projection's read model (one document per stream): `_id` the stream
 * id and `version` its last applied stream version (the ETag), then the fields it holds. No `__v`,
 * nothing created behind the runner's back (it creates the indexes; a rebuild drops the
 * collection). Declare each query's index with `schema.index(key, { name })`.
 */
export function readModelSchema(collection: string, fields: SchemaDefinition): Schema {
  return new Schema({ _id: { type: String, required: true }, version: { type: Number, required: true }, ...fields }, { ...SCHEMA_OPTIONS, collection });
}

/** The mongoose schema of a derived collection: `_id` the deterministic key its projection derives, then its fields. */
export function derivedSchema(collection: string, fields: SchemaDefinition): Schema {
  return new Schema({ _id: { type: String, required: true }, ...fields }, { ...SCHEMA_OPTIONS, collection });
}

/** The schema of one of the projection's collections, if declared. */
export function schemaOf(projection: Projection<any>, collection: string): Schema | undefined {
  return collection === projection.name ? projection.schema : projection.derivedSchemas?.[collection];
}

/** Every index the projection's read model needs: those its schemas declare. */
export function declaredIndexes(projection: Projection<any>): ReadModelIndex[] {
  const schemas: [string, Schema | undefined][] = [
    [projection.name, projection.schema],
    ...Object.entries(projection.derivedSchemas ?? {}),
  ];
  return schemas.flatMap(([collection, schema]) => {
    if (schema && schema.get('collection') !== collection) throw new Error(`${projection.name}: the schema of ${collection} names ${schema.get('collection')}`);
    if (collection !== projection.name && !projection.derivedCollections?.includes(collection)) {
      throw new Error(`${projection.name}: ${collection} has a schema but is not one of its derivedCollections`);
    }
    return (schema?.indexes() ?? []).map(([key, options]): ReadModelIndex => {
      if (!options?.name) throw new Error(`${collection}: every read-model index is named (schema.index(key, { name }))`);
      return { collection, key: key as Record<string, 1 | -1>, name: options.name, ...(options.unique ? { unique: true } : {}) };
    });
  });
}

export const PROJECTION_STATE_COLLECTION = 'projection_state';

export interface ProjectionStateDocument {
  _id: string;
  /** Bumped by a rebuild: the runner then replays the topic from the start under a new consumer group. */
  generation: number;
  rebuild_requested_at?: Date;
  /** Recorded by the runner so a rebuild (which knows only the name) drops them too. */
  derived_collections?: string[];
}
