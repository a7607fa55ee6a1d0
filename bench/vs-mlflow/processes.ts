/**
 * Processes the benchmark starts: each in its own process group (detached), so stopping it also
 * stops what it forked (uvicorn workers of `mlflow server`). Everything registered here is stopped
 * at the end, on an error and on SIGINT / SIGTERM.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';

export interface GroupProcess {
  name: string;
  pid: number;
  log: string;
  exited: boolean;
  stop(): Promise<void>;
}

const cleanups: { name: string; run: () => Promise<void> }[] = [];

/** Runs `run` at the end (last registered first); returns a function that runs it early, once. */
export function onCleanup(name: string, run: () => Promise<void>): () => Promise<void> {
  let done = false;
  const entry = {
    name,
    run: async () => {
      if (done) return;
      done = true;
      await run();
    },
  };
  cleanups.push(entry);
  return async () => {
    cleanups.splice(cleanups.indexOf(entry), 1);
    await entry.run();
  };
}

export async function cleanupAll(): Promise<void> {
  while (cleanups.length) {
    const entry = cleanups.pop()!;
    try {
      await entry.run();
    } catch (error) {
      console.error(`[bench] stopping ${entry.name}: ${(error as Error).message}`);
    }
  }
}

// A crash must not leave detached process groups behind either.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.once(event, (error) => {
    console.error(error);
    void cleanupAll().finally(() => process.exit(1));
  });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`[bench] ${signal}: stopping what was started`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a command as the leader of a new process group, output to `log`; stopped by cleanupAll. */
export function spawnGroup(
  name: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; log: string },
): GroupProcess {
  mkdirSync(dirname(options.log), { recursive: true });
  const fd = openSync(options.log, 'a');
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const pid = child.pid;
  const handle: GroupProcess = {
    name,
    pid,
    log: options.log,
    exited: false,
    stop: async () => undefined,
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => (handle.exited = true));
  const groupAlive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      /* already gone */
    }
  };
  handle.stop = onCleanup(name, async () => {
    signalGroup('SIGTERM');
    // The leader may exit before its workers: wait for the whole group.
    for (let i = 0; i < 150 && groupAlive(); i++) await sleep(100);
    if (groupAlive()) {
      console.error(`[bench] ${name} still running after 15 s: SIGKILL`);
      signalGroup('SIGKILL');
    }
    await Promise.race([exited, sleep(2000)]);
  });
  return handle;
}

export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Polls `url` until it answers 2xx; fails early when `proc` exits. */
export async function waitHttpOk(url: string, timeoutS: number, proc?: GroupProcess): Promise<void> {
  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    const ok = await fetch(url)
      .then(async (r) => (await r.arrayBuffer(), r.ok))
      .catch(() => false);
    if (ok) return;
    if (proc?.exited) throw new Error(`${proc.name} exited before it was ready; log ${proc.log}:\n${tail(proc.log)}`);
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutS} s${proc ? `; log ${proc.log}:\n${tail(proc.log)}` : ''}`);
    await sleep(300);
  }
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

/** Runs a command to completion with inherited output; throws on a non-zero exit. */
export function runOrThrow(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; quiet?: boolean } = {}): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', options.quiet ? 'pipe' : 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  }
  return result.stdout;
}
