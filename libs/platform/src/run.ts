import type { INestApplication } from '@nestjs/common';
import { ConfigError } from './config';

const SHUTDOWN_TIMEOUT_MS = 25_000;

function log(name: string, level: string, msg: string): void {
  process.stdout.write(JSON.stringify({ level, time: new Date().toISOString(), service: name, msg }) + '\n');
}

/**
 * `main.ts` of every process: start, listen, and exit non-zero with a clear message on bad config.
 * On SIGTERM/SIGINT: stop taking requests, let in-flight ones finish, then the relay pass and the
 * projection batch (their shutdown hooks commit offsets), and exit 0 — or 1 if that overruns.
 */
export async function runApp(
  name: string,
  start: () => Promise<{ app: INestApplication; config: { HOST: string; PORT: number } }>,
): Promise<void> {
  let app: INestApplication;
  try {
    const started = await start();
    app = started.app;
    await app.listen(started.config.PORT, started.config.HOST);
    log(name, 'info', `listening on http://${started.config.HOST}:${started.config.PORT} ${Math.round(process.uptime() * 1000)} ms after start`);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(`${name} failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
    }
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(name, 'info', `${signal} received: draining`);
    const overrun = setTimeout(() => {
      log(name, 'error', `shutdown did not finish within ${SHUTDOWN_TIMEOUT_MS} ms`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    overrun.unref();
    app.close().then(
      () => {
        log(name, 'info', 'stopped');
        process.exit(0);
      },
      (error: Error) => {
        log(name, 'error', `shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
