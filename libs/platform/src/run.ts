import type { INestApplication } from '@nestjs/common';
import { ConfigError } from './config';

/** `main.ts` of every process: start, listen, and exit non-zero with a clear message on bad config. */
export async function runApp(
  name: string,
  start: () => Promise<{ app: INestApplication; config: { HOST: string; PORT: number } }>,
): Promise<void> {
  try {
    const { app, config } = await start();
    await app.listen(config.PORT, config.HOST);
    process.stdout.write(
      JSON.stringify({ level: 'info', service: name, msg: `listening on http://${config.HOST}:${config.PORT}` }) + '\n',
    );
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(`${name} failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
    }
    process.exit(1);
  }
}
