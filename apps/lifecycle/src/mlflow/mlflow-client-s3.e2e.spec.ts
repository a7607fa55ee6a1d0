import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { RunningPlatform, S3Server, startPlatform, startS3Server } from '@mlops/testing';
import { assertMlflowClientInstalled, MLFLOW_CLIENT_GATEWAY_ENV, runMlflowPytest } from './mlflow-pytest';

const BUCKET = 'mlflow';
const PREFIX = 'team-a/';

/** Every file under `dir`, relative to it. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));

describe('the real mlflow client with the artifact store in an S3 bucket (S3Proxy)', () => {
  let s3: S3Server;
  let client: S3Client;
  let platform: RunningPlatform;

  beforeAll(async () => {
    assertMlflowClientInstalled();
    s3 = await startS3Server();
    client = new S3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    platform = await startPlatform('mlflows3', {
      gatewayEnv: MLFLOW_CLIENT_GATEWAY_ENV,
      serviceEnv: {
        MLFLOW_ARTIFACT_S3_BUCKET: BUCKET,
        MLFLOW_ARTIFACT_S3_PREFIX: PREFIX,
        MLFLOW_ARTIFACT_S3_ENDPOINT: s3.endpoint,
        MLFLOW_ARTIFACT_S3_REGION: s3.region,
        MLFLOW_ARTIFACT_S3_FORCE_PATH_STYLE: 'true',
        // The AWS default credential chain, as a deployment would set it.
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
    });
  }, 420_000);

  afterAll(async () => {
    await platform?.stop();
    client?.destroy();
    await s3?.stop();
  }, 60_000);

  it('logs, lists, downloads and loads artifacts and logged models, all stored in the bucket', async () => {
    const { code, output } = await runMlflowPytest(platform, ['test_artifacts.py']);
    if (code !== 0) throw new Error(`pytest exited with ${code}:\n${output}`);
    expect(output).toMatch(/\d+ passed/);

    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((object) => object.Key!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => key.startsWith(PREFIX))).toBe(true);
    expect(keys.some((key) => key.endsWith('/raw/weights.bin'))).toBe(true);
    expect(keys.some((key) => key.endsWith('/MLmodel'))).toBe(true);
    // The local root is only scratch space for uploads on their way to the bucket.
    expect(filesUnder(join(platform.dataRoot, 'mlflow-artifacts'))).toEqual([]);
  }, 600_000);
});
