import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './helpers';
import { freePort, tracked } from './process';

const CACHE = process.env.MLOPS_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mlops');
const JAR = join(CACHE, 's3proxy', 's3proxy.jar');

export interface S3Server {
  /** http://127.0.0.1:<port>, path-style. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Where the buckets' objects lie on disk (one directory per bucket). */
  root: string;
  stop(): Promise<void>;
}

/**
 * A private S3 API server (S3Proxy over a temporary directory, SigV4 authentication) on a free
 * loopback port; tools/setup/s3proxy.sh fetches it.
 */
export async function startS3Server(): Promise<S3Server> {
  if (!existsSync(JAR)) throw new Error(`S3Proxy is missing at ${JAR}: run bash tools/setup/s3proxy.sh (tools/test.sh runs it)`);
  const port = await freePort();
  const home = mkdtempSync(join(tmpdir(), 's3proxy-'));
  const root = join(home, 'buckets');
  mkdirSync(root);
  const server = { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', accessKeyId: 'mlops-test', secretAccessKey: 'mlops-test-secret-0123456789' };
  const properties = join(home, 's3proxy.conf');
  writeFileSync(
    properties,
    [
      `s3proxy.endpoint=${server.endpoint}`,
      's3proxy.authorization=aws-v2-or-v4',
      `s3proxy.identity=${server.accessKeyId}`,
      `s3proxy.credential=${server.secretAccessKey}`,
      'jclouds.provider=filesystem',
      `jclouds.filesystem.basedir=${root}`,
    ].join('\n'),
  );
  const child = tracked(spawn('java', ['-Xmx256m', '-XX:+UseSerialGC', '-jar', JAR, '--properties', properties], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    // Any HTTP answer (403 to an unsigned request) means it listens.
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`S3Proxy exited with ${child.exitCode}`);
      await fetch(server.endpoint);
    }, 60_000, 100);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`S3Proxy did not start: ${(error as Error).message}\n${output}`);
  }
  return {
    ...server,
    root,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
