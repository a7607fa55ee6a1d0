import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CHILD_PROCESSES, repoRoot } from './infra';
import { eventually } from './helpers';

/**
 * Every process a test file starts, until it exits: IsolatedEnvironment kills what is still running
 * when the file is done, so a test that failed before its stop() leaves nothing behind to load the
 * machine or hold the broker's topics.
 */
export function tracked(child: ChildProcess): ChildProcess {
  const global = globalThis as Record<string, unknown>;
  const running = (global[CHILD_PROCESSES] ??= new Set<ChildProcess>()) as Set<ChildProcess>;
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ServiceProcess {
  url: string;
  process: ChildProcess;
  output(): string;
  /** SIGTERM and wait for the exit (graceful shutdown); resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Runs an app as its own Node process from source (apps/<name>/src/main.ts), as in production,
 * and waits until its /health/ready (or `until`, e.g. /health/live) answers 200.
 */
export async function startServiceProcess(
  name: string,
  env: Record<string, string>,
  { until = '/health/ready', timeoutMs = 60_000 }: { until?: string; timeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const child = tracked(
    spawn(process.execPath, ['-r', '@swc-node/register', join('apps', name, 'src', 'main.ts')], {
      cwd: repoRoot,
      env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
      const response = await fetch(url + until);
      if (!response.ok) throw new Error(`${name} ${until}: ${response.status}`);
    }, timeoutMs, 50);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${name} did not start: ${(error as Error).message}\n${output}`);
  }
  return {
    url,
    process: child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs an app that is expected to exit by itself (e.g. on bad configuration). */
export async function runServiceToExit(name: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = tracked(
    spawn(process.execPath, ['-r', '@swc-node/register', join('apps', name, 'src', 'main.ts')], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output };
}

/** The real gateway, as its own process, in front of the given service URLs: tests call the API as users do. */
export function startGateway(upstreams: Record<string, string>): Promise<ServiceProcess> {
  // As long as the services get: on a loaded CI machine compiling the gateway alone can take over a minute.
  return startServiceProcess('gateway', { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn', ...upstreams }, { timeoutMs: 180_000 });
}
