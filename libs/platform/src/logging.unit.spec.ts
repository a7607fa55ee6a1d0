import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { accessLog, createLogger } from './logging';
import { requestContextMiddleware } from './request-context';

/** An app with the access log writing into `lines`, answering `status` on every path. */
function appLogging(lines: Record<string, unknown>[], status: number) {
  const logger = createLogger('test', 'info', { write: (line: string) => void lines.push(JSON.parse(line)) });
  const app = express();
  app.use(requestContextMiddleware, accessLog(logger));
  app.use((_req, res) => void res.status(status).json({}));
  return app;
}

describe('access log', () => {
  it('writes one line per request with the method, URL, status, time, correlation id and caller', async () => {
    const lines: Record<string, unknown>[] = [];
    await request(appLogging(lines, 201)).post('/things?x=1').set('X-Correlation-Id', 'c-1').set('X-Actor', 'Eve').expect(201);
    expect(lines).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        service: 'test',
        correlation_id: 'c-1',
        actor: 'eve',
        req: { method: 'POST', url: '/things?x=1' },
        res: { status: 201 },
        responseTime: expect.any(Number),
        msg: 'request completed',
      },
    ]);
  });

  it('logs a 5xx at error level with the failure', async () => {
    const lines: Record<string, unknown>[] = [];
    await request(appLogging(lines, 503)).get('/things').expect(503);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'error', res: { status: 503 }, err: expect.objectContaining({ message: 'failed with status code 503' }), msg: 'request errored' }),
    ]);
  });

  it('leaves probes and scrapes out', async () => {
    const lines: Record<string, unknown>[] = [];
    const app = appLogging(lines, 200);
    await request(app).get('/health/ready').expect(200);
    await request(app).get('/metrics').expect(200);
    expect(lines).toEqual([]);
  });
});

describe('log destination', () => {
  it('has written every line when the process exits right after logging it', () => {
    const lines = 20_000;
    const script = `const logger = require('./libs/platform/src/logging').createLogger('test', 'info');
      for (let i = 0; i < ${lines}; i++) logger.info({ i }, 'line');
      process.exit(0);`;
    const child = spawnSync(process.execPath, ['-r', '@swc-node/register', '-e', script], {
      cwd: join(__dirname, '..', '..', '..'),
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    expect(child.status).toBe(0);
    const written = child.stdout.split('\n').filter((line) => line.includes('"msg":"line"'));
    expect(written).toHaveLength(lines);
    expect(JSON.parse(written.at(-1)!)).toMatchObject({ i: lines - 1 });
  });
});
