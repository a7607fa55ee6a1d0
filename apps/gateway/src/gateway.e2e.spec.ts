import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { EventValidator, lifecycleCatalog, Topics } from '@mlops/events';
import {
  dropDatabase,
  isolatedEnv,
  listen,
  readTopic,
  runServiceToExit,
  RunningApp,
  ServiceProcess,
  startServiceProcess,
} from '@mlops/testing';
import { createGatewayApp } from './app';

const API = '/api/v1/ml/lifecycle/experiments';
const json = { 'content-type': 'application/json' };

/** An upstream that never answers in time, to see the gateway's 504. */
async function slowServer(delayMs: number): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => setTimeout(() => res.end('{}'), delayMs).unref());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('through the gateway, against a real Kafka broker and MongoDB-protocol server', () => {
  const env = isolatedEnv('gateway');
  const topic = env.KAFKA_TOPIC_PREFIX + Topics.lifecycle;
  let lifecycle: ServiceProcess;
  let gateway: RunningApp;
  let slow: { url: string; server: Server };
  const http = () => request(gateway.url);

  beforeAll(async () => {
    lifecycle = await startServiceProcess('lifecycle', env);
    slow = await slowServer(5_000);
    const { app } = await createGatewayApp({
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: env.LOG_LEVEL,
      LIFECYCLE_URL: lifecycle.url,
      FEATURE_STORE_URL: 'http://127.0.0.1:9', // nothing listens: 502
      EVALUATION_URL: slow.url, // answers too late: 504
      PROXY_TIMEOUT_MS: '500',
      HEALTH_TIMEOUT_MS: '500',
    });
    gateway = await listen(app);
  });
  afterAll(async () => {
    await gateway.close();
    if (lifecycle.process.exitCode === null) await lifecycle.stop();
    slow.server.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('creates an experiment, reads it back, and publishes a valid CloudEvent carrying actor and correlation id', async () => {
    const created = await http()
      .post(API)
      .set(json)
      .set('X-Actor', 'ana@example.com')
      .set('X-Correlation-Id', 'e2e-create-1')
      .send({ name: 'e2e-churn', description: 'Churn model', tags: ['tabular'] })
      .expect(201);
    expect(created.headers.etag).toBe('"1"');
    expect(created.headers.location).toBe(`${API}/e2e-churn`);
    expect(created.headers['x-correlation-id']).toBe('e2e-create-1');
    expect(created.body).toMatchObject({ name: 'e2e-churn', owner: 'ana@example.com', status: 'active', version: 1 });

    const read = await http().get(`${API}/e2e-churn`).expect(200);
    // The detail adds the experiment's run counts to the representation the command returned.
    expect(read.body).toEqual({ ...created.body, run_counts: { running: 0, completed: 0, failed: 0, killed: 0, total: 0 } });

    const events = await readTopic(env.KAFKA_BROKERS, topic, (all) => all.some((e) => e.key === 'experiment:e2e-churn'));
    const [message] = events.filter((e) => e.key === 'experiment:e2e-churn');
    expect(message.headers['content-type']).toBe('application/cloudevents+json');
    expect(message.headers.ce_type).toBe('mlops.lifecycle.experiment.created.v1');
    const validator = new EventValidator([lifecycleCatalog]);
    expect(validator.validate(message.event)).toEqual({ valid: true, errors: [] });
    expect(message.event).toMatchObject({
      specversion: '1.0',
      type: 'mlops.lifecycle.experiment.created.v1',
      source: '/mlops/lifecycle',
      subject: 'experiment:e2e-churn',
      streamversion: 1,
      actor: 'ana@example.com',
      correlationid: 'e2e-create-1',
      data: { name: 'e2e-churn', description: 'Churn model', owner: 'ana@example.com', tags: ['tabular'] },
    });
  });

  it('updates with If-Match, refuses a stale one, and shows the change on the next GET', async () => {
    await http().post(API).set(json).send({ name: 'e2e-patch' }).expect(201);
    const patched = await http().patch(`${API}/e2e-patch`).set(json).set('If-Match', '"1"').send({ status: 'archived' }).expect(200);
    expect(patched.headers.etag).toBe('"2"');
    const stale = await http().patch(`${API}/e2e-patch`).set(json).set('If-Match', '"1"').send({ status: 'active' });
    expect(stale.status).toBe(412);
    expect(stale.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await http().get(`${API}/e2e-patch`).expect(200)).body.status).toBe('archived');
    const archived = await http().get(API).query({ status: 'archived' }).expect(200);
    expect(archived.body.items.map((e: { name: string }) => e.name)).toContain('e2e-patch');
  });

  it('passes bad input through to problem+json answers', async () => {
    const unknown = await http().post(API).set(json).send({ name: 'e2e-bad', extra: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'extra' })]);
    const operator = await http().post(API).set(json).send({ name: { $gt: '' } });
    expect(operator.status).toBe(400);
    await http().get(`${API}/e2e-bad`).expect(404);
  });

  it('answers 502 for a service that is down and 504 for one that is too slow, as problem+json', async () => {
    const down = await http().get('/api/v1/features');
    expect(down.status).toBe(502);
    expect(down.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(down.body).toMatchObject({ status: 502, detail: expect.stringContaining('feature-store') });
    const slowAnswer = await http().get('/api/v1/ml/evaluation/scenarios');
    expect(slowAnswer.status).toBe(504);
    expect(slowAnswer.body).toMatchObject({ status: 504, detail: expect.stringContaining('evaluation') });
  });

  it('serves one merged OpenAPI document and Swagger UI', async () => {
    const document = await http().get('/openapi.json').expect(200);
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining([API, `${API}/{name}`]),
    );
    expect(document.body.paths[`${API}/{name}`]).toHaveProperty('patch');
    expect(document.body.info['x-unavailable-services']).toEqual(expect.arrayContaining(['feature-store', 'evaluation']));
    const ui = await http().get('/docs').redirects(1).expect(200);
    expect(ui.text).toMatch(/swagger-ui/i);
  });

  it('aggregates service health and reports the ones that are down', async () => {
    const health = await http().get('/health');
    expect(health.status).toBe(503);
    expect(health.body.services.lifecycle).toMatchObject({ status: 'up' });
    expect(health.body.services.lifecycle.details).toHaveProperty('mongodb.status', 'up');
    expect(health.body.services.lifecycle.details).toHaveProperty('kafka.status', 'up');
    expect(health.body.services['feature-store'].status).toBe('down');
    await http().get('/health/live').expect(200);
    const metrics = await http().get('/metrics').expect(200);
    expect(metrics.text).toContain('http_request_duration_seconds');
  });

  it('labels the latency of proxied requests by the upstream prefix they went through, not "unmatched"', async () => {
    await http().get('/api/v1/ml/lifecycle/experiments').expect(200);
    await http().get('/api/v1/features/features').expect(502);
    const metrics = (await http().get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/ml\/lifecycle\/\*",status="200"/);
    expect(metrics).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/features\/\*",status="502"/);
  });
});

describe('process lifecycle', () => {
  it('refuses to start on a bad environment value, naming the variable', async () => {
    const { code, output } = await runServiceToExit('lifecycle', { ...isolatedEnv('badconfig'), PORT: 'eighty', KAFKA_BROKERS: 'nowhere' });
    expect(code).toBe(1);
    expect(output).toMatch(/Invalid configuration for lifecycle/);
    expect(output).toMatch(/PORT/);
    expect(output).toMatch(/KAFKA_BROKERS/);
  });

  it('shuts down gracefully on SIGTERM after serving traffic, committing the projection offsets', async () => {
    const env = isolatedEnv('shutdown');
    const service = await startServiceProcess('lifecycle', env);
    try {
      for (let i = 0; i < 5; i++) {
        await request(service.url).post(API).set(json).send({ name: `shutdown-${i}` }).expect(201);
      }
      expect(await service.stop()).toBe(0);
      expect(service.output()).toMatch(/"msg":"stopped"/);
      const { Kafka } = await import('kafkajs');
      const admin = new Kafka({ brokers: env.KAFKA_BROKERS.split(','), logLevel: 0 }).admin();
      await admin.connect();
      try {
        const topic = env.KAFKA_TOPIC_PREFIX + Topics.lifecycle;
        const end = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId: `${env.KAFKA_TOPIC_PREFIX}lifecycle.experiments.g0`, topics: [topic] });
        const lag = end.reduce((sum, p) => {
          const offset = Number(committed.partitions.find((c) => c.partition === p.partition)?.offset ?? -1);
          return sum + Number(p.high) - Math.max(0, offset);
        }, 0);
        expect(lag).toBe(0);
      } finally {
        await admin.disconnect();
      }
    } finally {
      if (service.process.exitCode === null) await service.stop();
      await dropDatabase(env.MONGO_URL, env.MONGO_DB);
    }
  });

  it('writes an access-log line for every request, all of them still there after a graceful shutdown', async () => {
    const upstream = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const gatewayProcess = await startServiceProcess(
      'gateway',
      { LOG_LEVEL: 'info', LIFECYCLE_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` },
      { until: '/health/live', timeoutMs: 180_000 },
    );
    const ids = Array.from({ length: 200 }, (_, i) => `access-log-${i}`);
    try {
      await request(gatewayProcess.url).get('/api/v1/me').set('X-Correlation-Id', 'access-log-me').expect(200);
      // All at once and SIGTERM as soon as they are answered: their lines are still being written then.
      await Promise.all(ids.map((id) => request(gatewayProcess.url).get(`${API}/x?n=1`).set('X-Correlation-Id', id).set('X-Actor', 'Eve').expect(200)));
      expect(await gatewayProcess.stop()).toBe(0);
    } finally {
      if (gatewayProcess.process.exitCode === null) await gatewayProcess.stop();
      upstream.close();
    }
    const lines = gatewayProcess
      .output()
      .split('\n')
      .filter((line) => line.includes('"request completed"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const id of ids) {
      expect(lines.filter((line) => line.correlation_id === id)).toEqual([
        expect.objectContaining({
          level: 'info',
          service: 'gateway',
          actor: 'eve',
          req: { method: 'GET', url: `${API}/x?n=1` },
          res: { status: 200 },
          responseTime: expect.any(Number),
        }),
      ]);
    }
    expect(lines.find((line) => line.correlation_id === 'access-log-me')).toMatchObject({ req: { method: 'GET', url: '/api/v1/me' }, res: { status: 200 } });
    expect(gatewayProcess.output()).toMatch(/"msg":"stopped"/);
  });
});

describe('gateway with API keys', () => {
  let gateway: RunningApp;
  let echo: { url: string; server: Server };
  const seen: Record<string, string | undefined>[] = [];

  beforeAll(async () => {
    const server = createServer((req, res) => {
      seen.push({ actor: req.headers['x-actor'] as string, roles: req.headers['x-roles'] as string, auth: req.headers.authorization });
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    echo = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
    const { app } = await createGatewayApp({
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      LIFECYCLE_URL: echo.url,
      GATEWAY_API_KEYS: 'k-0123456789abcdef=ci-bot:approver|admin,k-alice-0123456789=alice:prompt-approver',
    });
    gateway = await listen(app);
  });
  afterAll(async () => {
    await gateway.close();
    echo.server.close();
  });

  it('rejects calls without a valid key with 401 problem+json', async () => {
    const missing = await request(gateway.url).get(API);
    expect(missing.status).toBe(401);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    await request(gateway.url).get(API).set('Authorization', 'Bearer wrong-key-000000000').expect(401);
    expect(seen).toHaveLength(0);
  });

  it('forwards the key’s identity as X-Actor / X-Roles, replacing what the client claimed', async () => {
    await request(gateway.url)
      .get(API)
      .set('Authorization', 'Bearer k-0123456789abcdef')
      .set('X-Actor', 'someone-else')
      .expect(200);
    expect(seen.at(-1)).toEqual({ actor: 'ci-bot', roles: 'approver,admin', auth: undefined });
  });

  it('forwards the one role of a single-role key', async () => {
    await request(gateway.url).get(API).set('Authorization', 'Bearer k-alice-0123456789').expect(200);
    expect(seen.at(-1)).toEqual({ actor: 'alice', roles: 'prompt-approver', auth: undefined });
    await request(gateway.url).get(API).set('X-Api-Key', 'k-alice-0123456789').expect(200);
    expect(seen.at(-1)).toEqual({ actor: 'alice', roles: 'prompt-approver', auth: undefined });
  });
});
