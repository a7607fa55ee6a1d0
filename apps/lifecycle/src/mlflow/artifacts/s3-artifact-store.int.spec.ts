import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3Server, startS3Server } from '@mlops/testing';
import { ArtifactStore, artifactStoreFor } from './artifact-store';

const BUCKET = 'mlflow-artifacts';
const bytesOf = async (body: Readable) => Buffer.concat(await body.toArray());

describe('the S3 artifact store against an S3 API server (S3Proxy)', () => {
  let s3: S3Server;
  let client: S3Client;
  let store: ArtifactStore;
  let scratch: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    s3 = await startS3Server();
    // The store takes its credentials from the AWS default chain, as in production.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey });
    client = new S3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    scratch = mkdtempSync(join(tmpdir(), 'artifact-spool-'));
    store = artifactStoreFor({
      MLFLOW_ARTIFACT_ROOT: scratch,
      MLFLOW_ARTIFACT_MAX_BYTES: 1024 * 1024,
      MLFLOW_ARTIFACT_S3_BUCKET: BUCKET,
      MLFLOW_ARTIFACT_S3_PREFIX: 'tracking/',
      MLFLOW_ARTIFACT_S3_ENDPOINT: s3.endpoint,
      MLFLOW_ARTIFACT_S3_REGION: s3.region,
      MLFLOW_ARTIFACT_S3_FORCE_PATH_STYLE: true,
    });
  }, 90_000);

  afterAll(async () => {
    process.env = saved;
    client?.destroy();
    await s3?.stop();
  });

  it('stores the bytes under the prefix with their size and sha256, and reads them back', async () => {
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    const stored = await store.put('1/run-a/artifacts/model/weights.bin', Readable.from([bytes]));
    expect(stored).toEqual({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });

    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'tracking/1/run-a/artifacts/model/weights.bin' }));
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(bytes)).toBe(true);
    const read = await store.get('1/run-a/artifacts/model/weights.bin');
    expect(read.size).toBe(bytes.length);
    expect((await bytesOf(read.body)).equals(bytes)).toBe(true);
    // The upload was spooled for its hash and size, then removed.
    expect(readdirSync(join(scratch, '.spool'))).toEqual([]);
  });

  it('lists one directory level: files with sizes, subdirectories as directories', async () => {
    await store.put('1/run-b/artifacts/metrics.json', Readable.from([Buffer.from('{"auc":0.91}')]));
    await store.put('1/run-b/artifacts/plots/roc.png', Readable.from([Buffer.from('png')]));
    await store.put('1/run-b/artifacts/plots/pr.png', Readable.from([Buffer.from('png!')]));

    expect(await store.list('1/run-b/artifacts')).toEqual([
      { path: 'metrics.json', is_dir: false, file_size: 12 },
      { path: 'plots', is_dir: true },
    ]);
    expect(await store.list('1/run-b/artifacts/plots')).toEqual([
      { path: 'pr.png', is_dir: false, file_size: 4 },
      { path: 'roc.png', is_dir: false, file_size: 3 },
    ]);
    expect(await store.list('1/run-b/nothing-here')).toEqual([]);
  });

  it('answers a missing object as not found and refuses an upload over the size limit, storing nothing', async () => {
    await expect(store.get('1/run-a/artifacts/missing.txt')).rejects.toMatchObject({ kind: 'not_found' });
    await expect(store.put('1/run-c/artifacts/huge.bin', Readable.from([Buffer.alloc(1024 * 1024 + 1)]))).rejects.toMatchObject({ kind: 'invalid_input' });
    expect(await store.list('1/run-c/artifacts')).toEqual([]);
  });
});
