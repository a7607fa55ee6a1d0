import { createHash } from 'node:crypto';
import { mongo } from 'mongoose';

/** What an event carries instead of a bulky payload: the payload's content address. */
export interface PayloadRef {
  /** sha256 (hex) of the payload's JSON serialisation. */
  sha256: string;
  size_bytes: number;
}

interface ChunkDocument {
  _id: string;
  sha256: string;
  index: number;
  data: mongo.Binary;
}

interface ManifestDocument {
  _id: string;
  size_bytes: number;
  chunks: number;
  stored_at: Date;
}

export class PayloadNotFoundError extends Error {
  constructor(readonly sha256: string) {
    super(`No stored payload ${sha256}`);
  }
}

export class PayloadCorruptedError extends Error {
  constructor(readonly sha256: string) {
    super(`Stored payload ${sha256} does not match its hash`);
  }
}

export const PAYLOADS_COLLECTION = 'payloads';
export const PAYLOAD_CHUNKS_COLLECTION = 'payload_chunks';
/** Well under the 16 MB document limit, and small enough for FerretDB to write in one statement. */
const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;
const DUPLICATE_KEY = 11000;

/**
 * Content-addressed storage for bulky payloads (scenario cases, predictions, usage batches): events
 * carry a {@link PayloadRef}, so they stay small and replay stays exact. A payload is stored once
 * per content; its chunks are written before its manifest, so a manifest means a complete payload
 * and a put interrupted half-way is simply redone.
 */
export class PayloadStore {
  private readonly manifests: mongo.Collection<ManifestDocument>;
  private readonly chunks: mongo.Collection<ChunkDocument>;

  constructor(
    db: mongo.Db,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {
    this.manifests = db.collection<ManifestDocument>(PAYLOADS_COLLECTION);
    this.chunks = db.collection<ChunkDocument>(PAYLOAD_CHUNKS_COLLECTION);
  }

  /** Stores `value` as JSON (idempotent: the same content → the same ref, stored once). */
  async put(value: unknown): Promise<PayloadRef> {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError('A payload must be JSON-serialisable');
    const bytes = Buffer.from(json, 'utf8');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const ref = { sha256, size_bytes: bytes.length };
    if (await this.manifests.findOne({ _id: sha256 }, { projection: { _id: 1 } })) return ref;

    const count = Math.max(1, Math.ceil(bytes.length / this.chunkBytes));
    for (let index = 0; index < count; index++) {
      const data = new mongo.Binary(bytes.subarray(index * this.chunkBytes, (index + 1) * this.chunkBytes));
      await this.chunks.replaceOne({ _id: `${sha256}:${index}` }, { sha256, index, data }, { upsert: true });
    }
    try {
      await this.manifests.insertOne({ _id: sha256, size_bytes: bytes.length, chunks: count, stored_at: new Date() });
    } catch (error) {
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
    }
    return ref;
  }

  /** The payload stored under `sha256`, verified against its hash. */
  async get<T>(sha256: string): Promise<T> {
    const manifest = await this.manifests.findOne({ _id: sha256 });
    if (!manifest) throw new PayloadNotFoundError(sha256);
    const parts: Buffer[] = [];
    for (let index = 0; index < manifest.chunks; index++) {
      const chunk = await this.chunks.findOne({ _id: `${sha256}:${index}` });
      if (!chunk) throw new PayloadCorruptedError(sha256);
      parts.push(Buffer.from(chunk.data.buffer));
    }
    const bytes = Buffer.concat(parts);
    if (createHash('sha256').update(bytes).digest('hex') !== sha256) throw new PayloadCorruptedError(sha256);
    return JSON.parse(bytes.toString('utf8')) as T;
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.manifests.findOne({ _id: sha256 }, { projection: { _id: 1 } })) !== null;
  }
}
