import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { mkdir, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { invalidInput, notFound } from '@mlops/event-sourcing';

export interface ArtifactFile {
  /** Name inside the listed directory (MLflow's `FileInfo.path`). */
  path: string;
  is_dir: boolean;
  file_size?: number;
}

export interface StoredArtifact {
  size: number;
  sha256: string;
}

/** Where artifact bytes live: never in Kafka or MongoDB, which carry only path, size and sha256. */
export interface ArtifactStore {
  /** Stores `body` at `path` (validated by artifactPath), refusing more than the size limit. */
  put(path: string, body: Readable): Promise<StoredArtifact>;
  /** The file's bytes, or RESOURCE_DOES_NOT_EXIST. */
  get(path: string): Promise<{ body: Readable; size: number }>;
  /** The files and directories directly under `path` ('' = the root); [] for a file or nothing. */
  list(path: string): Promise<ArtifactFile[]>;
}

/** Spools an upload to a temporary file next to `target`, hashing and counting as it goes. */
async function spool(body: Readable, target: string, maxBytes: number): Promise<StoredArtifact> {
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxBytes) return done(invalidInput(`The artifact exceeds MLFLOW_ARTIFACT_MAX_BYTES (${maxBytes} bytes)`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await mkdir(dirname(target), { recursive: true });
  try {
    await pipeline(body, meter, createWriteStream(target));
  } catch (error) {
    await rm(target, { force: true });
    throw error;
  }
  return { size, sha256: hash.digest('hex') };
}

/** A local directory (the default): files at `<root>/<path>`, written to a temporary name and renamed, so readers never see half a file. */
export class LocalArtifactStore implements ArtifactStore {
  constructor(
    private readonly root: string,
    private readonly maxBytes: number,
  ) {}

  /** The file name of a path, after checking that no symlink on the way leads out of the root. */
  private async fileOf(path: string): Promise<string> {
    const file = join(this.root, ...path.split('/'));
    const root = await realpath(this.root);
    let existing = file;
    for (;;) {
      try {
        existing = await realpath(existing);
        break;
      } catch {
        existing = dirname(existing);
      }
    }
    if (existing !== root && !existing.startsWith(root + sep)) throw invalidInput(`Artifact path ${path} leads out of the artifact root`);
    return file;
  }

  async put(path: string, body: Readable): Promise<StoredArtifact> {
    const file = await this.fileOf(path);
    const temporary = join(dirname(file), `.upload-${randomUUID()}`);
    const stored = await spool(body, temporary, this.maxBytes);
    await rename(temporary, file);
    return stored;
  }

  async get(path: string): Promise<{ body: Readable; size: number }> {
    const file = await this.fileOf(path);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) throw notFound(`No artifact at ${path}`);
    return { body: createReadStream(file), size: info.size };
  }

  async list(path: string): Promise<ArtifactFile[]> {
    const directory = path ? await this.fileOf(path) : this.root;
    const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
    const files = await Promise.all(
      entries
        .filter((entry) => !entry.name.startsWith('.upload-') && entry.name !== '.spool')
        .map(async (entry): Promise<ArtifactFile> => {
          if (entry.isDirectory()) return { path: entry.name, is_dir: true };
          const info = await stat(join(directory, entry.name));
          return { path: entry.name, is_dir: false, file_size: info.size };
        }),
    );
    return files.sort((a, b) => a.path.localeCompare(b.path));
  }
}

/** An S3-compatible bucket: objects at `<prefix><path>`; an upload is spooled to a temporary file first, for its size and sha256. */
export class S3ArtifactStore implements ArtifactStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly maxBytes: number,
    private readonly spoolDir: string,
  ) {}

  private key = (path: string) => `${this.prefix}${path}`;

  async put(path: string, body: Readable): Promise<StoredArtifact> {
    const temporary = join(this.spoolDir, `upload-${randomUUID()}`);
    const stored = await spool(body, temporary, this.maxBytes);
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.key(path), Body: createReadStream(temporary), ContentLength: stored.size, ChecksumSHA256: Buffer.from(stored.sha256, 'hex').toString('base64') }),
      );
    } finally {
      await rm(temporary, { force: true });
    }
    return stored;
  }

  async get(path: string): Promise<{ body: Readable; size: number }> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(path) }));
      return { body: object.Body as Readable, size: object.ContentLength ?? 0 };
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') throw notFound(`No artifact at ${path}`);
      throw error;
    }
  }

  async list(path: string): Promise<ArtifactFile[]> {
    const prefix = this.key(path ? `${path}/` : '');
    const files: ArtifactFile[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }));
      for (const common of page.CommonPrefixes ?? []) files.push({ path: common.Prefix!.slice(prefix.length, -1), is_dir: true });
      for (const object of page.Contents ?? []) files.push({ path: object.Key!.slice(prefix.length), is_dir: false, file_size: object.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return files.sort((a, b) => a.path.localeCompare(b.path));
  }
}

export interface ArtifactStoreSettings {
  MLFLOW_ARTIFACT_ROOT: string;
  MLFLOW_ARTIFACT_MAX_BYTES: number;
  MLFLOW_ARTIFACT_S3_BUCKET?: string;
  MLFLOW_ARTIFACT_S3_PREFIX: string;
  MLFLOW_ARTIFACT_S3_ENDPOINT?: string;
  MLFLOW_ARTIFACT_S3_REGION: string;
  MLFLOW_ARTIFACT_S3_FORCE_PATH_STYLE: boolean;
}

/** The store the configuration chooses: an S3 bucket when MLFLOW_ARTIFACT_S3_BUCKET is set (credentials from the AWS default chain), else the local root. */
export function artifactStoreFor(settings: ArtifactStoreSettings): ArtifactStore {
  mkdirSync(settings.MLFLOW_ARTIFACT_ROOT, { recursive: true });
  if (settings.MLFLOW_ARTIFACT_S3_BUCKET) {
    const client = new S3Client({
      region: settings.MLFLOW_ARTIFACT_S3_REGION,
      endpoint: settings.MLFLOW_ARTIFACT_S3_ENDPOINT,
      forcePathStyle: settings.MLFLOW_ARTIFACT_S3_FORCE_PATH_STYLE,
    });
    // Uploads are spooled under the local root (a scratch space then) before they go to the bucket.
    return new S3ArtifactStore(client, settings.MLFLOW_ARTIFACT_S3_BUCKET, settings.MLFLOW_ARTIFACT_S3_PREFIX, settings.MLFLOW_ARTIFACT_MAX_BYTES, join(settings.MLFLOW_ARTIFACT_ROOT, '.spool'));
  }
  return new LocalArtifactStore(settings.MLFLOW_ARTIFACT_ROOT, settings.MLFLOW_ARTIFACT_MAX_BYTES);
}
