import request from 'supertest';
import { EventValidator, promptGovernanceCatalog, Topics } from '@mlops/events';
import { connectMongo, countStoredEvents, dropDatabase, isolatedEnv, listen, readTopic, RunningApp, ServiceProcess, startGateway } from '@mlops/testing';
import { createPromptGovernanceApp } from '../app';

const ROOT = '/api/v1/prompt-governance';
const TEMPLATES = `${ROOT}/templates`;
const json = { 'content-type': 'application/json' };
const DAYS = ['2026-03-01', '2026-03-02', '2026-03-03'];

interface Sent {
  caller: string;
  environment: string;
  input_tokens: number;
  output_tokens: number;
  latency_ms: number;
  cost: number;
  outcome: 'success' | 'error';
  timestamp: string;
}

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function records(count: number, seed: number, environments = ['staging', 'production', 'dev']): Sent[] {
  const next = random(seed);
  return Array.from({ length: count }, () => {
    const day = DAYS[Math.floor(next() * DAYS.length)];
    const ms = Math.floor(next() * 86_400_000);
    return {
      caller: `app-${Math.floor(next() * 5)}`,
      environment: environments[Math.floor(next() * environments.length)],
      input_tokens: Math.floor(next() * 2000),
      output_tokens: Math.floor(next() * 800),
      latency_ms: Math.round(next() * 30_000) / 10,
      cost: Math.round(next() * 1e6) / 1e8,
      outcome: next() < 0.12 ? 'error' : 'success',
      timestamp: new Date(Date.parse(`${day}T00:00:00.000Z`) + ms).toISOString(),
    };
  });
}

/** Nearest rank by its definition: the smallest value with at least p% of the values at or below it. */
function percentileByCounting(values: number[], p: number): number | null {
  const candidates = [...new Set(values)].sort((a, b) => a - b);
  return candidates.find((v) => values.filter((x) => x <= v).length * 100 >= p * values.length) ?? null;
}

function expectedTotals(sent: Sent[]) {
  const errors = sent.filter((r) => r.outcome === 'error').length;
  const input = sent.reduce((n, r) => n + r.input_tokens, 0);
  const output = sent.reduce((n, r) => n + r.output_tokens, 0);
  return {
    count: sent.length,
    error_count: errors,
    error_rate: sent.length ? errors / sent.length : 0,
    latency_p50_ms: percentileByCounting(sent.map((r) => r.latency_ms), 50),
    latency_p95_ms: percentileByCounting(sent.map((r) => r.latency_ms), 95),
    input_tokens: input,
    output_tokens: output,
    total_tokens: input + output,
    cost: sent.reduce((n, r) => n + r.cost, 0),
  };
}

function expectAggregates(actual: Record<string, any>, sent: Sent[]) {
  const { cost, error_rate, ...exact } = expectedTotals(sent);
  const { cost: actualCost, error_rate: actualRate, per_day, ...actualExact } = actual;
  expect(actualExact).toEqual(exact);
  expect(actualCost).toBeCloseTo(cost, 9);
  expect(actualRate).toBeCloseTo(error_rate, 12);
  const days = [...new Set(sent.map((r) => r.timestamp.slice(0, 10)))].sort();
  expect(per_day.map((d: { day: string }) => d.day)).toEqual(days);
  for (const day of per_day) {
    const { cost: dayCost, error_rate: dayRate, ...dayExact } = expectedTotals(sent.filter((r) => r.timestamp.startsWith(day.day)));
    expect(day).toMatchObject(dayExact);
    expect(day.cost).toBeCloseTo(dayCost, 9);
    expect(day.error_rate).toBeCloseTo(dayRate, 12);
  }
}

describe('prompt usage logging through the gateway on a real Kafka broker and MongoDB-protocol server', () => {
  const env = isolatedEnv('usage');
  const topic = env.KAFKA_TOPIC_PREFIX + Topics.promptGovernance;
  let service: RunningApp;
  let gateway: ServiceProcess;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  const http = () => request(gateway.url);
  const eventCount = () => countStoredEvents(mongo.db);
  const usageOf = (version: number) => `${TEMPLATES}/answer/${version}/usage`;
  const log = (version: number, body: unknown) => http().post(usageOf(version)).set(json).set('x-actor', 'svc').send(body as object);
  const sent: Sent[] = records(2400, 42);
  const staged: Sent[] = records(300, 7, ['staging', 'dev']);

  async function refused(send: () => request.Test, status: number) {
    const before = await eventCount();
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await eventCount()).toBe(before);
    return response;
  }

  beforeAll(async () => {
    service = await listen((await createPromptGovernanceApp(env)).app);
    gateway = await startGateway({ PROMPT_GOVERNANCE_URL: service.url });
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
    await http().post(TEMPLATES).set(json).set('x-actor', 'ana').send({ id: 'answer', name: 'Answer', template: 'Answer {{q}}' }).expect(201);
    await http().post(`${TEMPLATES}/answer/1/submit`).set('x-actor', 'bo').expect(200);
    await http().post(`${TEMPLATES}/answer/1/approve`).set(json).set('x-actor', 'cy').set('x-roles', 'prompt-approver').send({}).expect(200);
    await http().post(`${TEMPLATES}/answer/versions`).set(json).set('x-actor', 'ana').send({ template: 'Reply {{q}}' }).expect(201);
  });
  afterAll(async () => {
    await gateway?.stop();
    await service?.close();
    await mongo?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('logs one record and answers with the batch totals', async () => {
    const one = { caller: 'web', environment: 'production', input_tokens: 12, output_tokens: 30, latency_ms: 812.5, cost: 0.0021, outcome: 'success' };
    const logged = await log(1, one).expect(201);
    expect(logged.headers.location).toBe(usageOf(1));
    expect(logged.body).toMatchObject({ template_id: 'answer', version: 1, count: 1, error_count: 0, input_tokens: 12, output_tokens: 30, cost: 0.0021 });
    const read = await http().get(usageOf(1)).expect(200);
    expect(read.body.items).toEqual([{ ...one, batch_id: logged.body.batch_id, timestamp: logged.body.logged_at }]);
    sent.push({ ...(one as Sent), timestamp: logged.body.logged_at });
  });

  it('logs batches of up to 1,000 records; the aggregates equal values computed here', async () => {
    const batches = [sent.slice(0, 1000), sent.slice(1000, 1700), sent.slice(1700, 2400)];
    const responses = await Promise.all(batches.map((batch) => log(1, { records: batch })));
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(responses.map((r) => r.body.count)).toEqual([1000, 700, 700]);
    expect(responses[0].body.error_count).toBe(batches[0].filter((r) => r.outcome === 'error').length);
    const read = await http().get(usageOf(1)).expect(200);
    expect(read.body.items).toHaveLength(50);
    expectAggregates(read.body.aggregates, sent);
  });

  it('pages through the whole log in time order', async () => {
    const seen: Sent[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await http().get(usageOf(1)).query({ limit: 500, ...(cursor ? { cursor } : {}) }).expect(200);
      seen.push(...page.body.items);
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(sent.length);
    expect(seen.map((r) => r.timestamp)).toEqual([...sent.map((r) => r.timestamp)].sort());
    const key = (r: Sent) => [r.timestamp, r.caller, r.environment, r.latency_ms, r.cost, r.outcome].join('|');
    expect(seen.map(key).sort()).toEqual(sent.map(key).sort());
  });

  it('pages a filtered window of the log across days, in time order, without gaps or repeats', async () => {
    const from = '2026-03-01T18:00:00.000Z';
    const to = '2026-03-03T06:00:00.000Z';
    const seen: Sent[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await http().get(usageOf(1)).query({ environment: 'production', from, to, limit: 37, ...(cursor ? { cursor } : {}) }).expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(37);
      seen.push(...page.body.items);
      cursor = page.body.next_cursor;
    } while (cursor);
    const expected = sent.filter((r) => r.environment === 'production' && r.timestamp >= from && r.timestamp < to);
    expect(expected.length).toBeGreaterThan(100);
    expect(seen.map((r) => r.timestamp)).toEqual(expected.map((r) => r.timestamp).sort());
    const key = (r: Sent) => [r.timestamp, r.caller, r.environment, r.latency_ms, r.cost, r.outcome].join('|');
    expect(seen.map(key).sort()).toEqual(expected.map(key).sort());
  });

  it('filters the log and its aggregates by environment, outcome, caller and time range', async () => {
    const production = await http().get(usageOf(1)).query({ environment: 'production', limit: 1 }).expect(200);
    expectAggregates(production.body.aggregates, sent.filter((r) => r.environment === 'production'));
    const errors = await http().get(usageOf(1)).query({ outcome: 'error', caller: 'app-3' }).expect(200);
    expectAggregates(errors.body.aggregates, sent.filter((r) => r.outcome === 'error' && r.caller === 'app-3'));
    const from = '2026-03-02T00:00:00.000Z';
    const to = '2026-03-02T12:00:00.000Z';
    const window = await http().get(usageOf(1)).query({ from, to }).expect(200);
    expectAggregates(window.body.aggregates, sent.filter((r) => r.timestamp >= from && r.timestamp < to));
    expect(window.body.aggregates.per_day.map((d: { day: string }) => d.day)).toEqual(['2026-03-02']);
    // Whole days come from the rollups, the edges of the window from the records: the totals agree either way.
    for (const [start, end] of [
      ['2026-03-01T06:30:00.000Z', '2026-03-03T18:15:00.000Z'],
      ['2026-03-01T00:00:00.000Z', '2026-03-03T00:00:00.000Z'],
      ['2026-03-02T07:00:00.000Z', undefined],
      [undefined, '2026-03-02T07:00:00.000Z'],
    ]) {
      const range = await http().get(usageOf(1)).query({ ...(start ? { from: start } : {}), ...(end ? { to: end } : {}), environment: 'production' }).expect(200);
      expectAggregates(range.body.aggregates, sent.filter((r) => r.environment === 'production' && (!start || r.timestamp >= start) && (!end || r.timestamp < end)));
    }
  });

  it('refuses production usage of a version that is not approved (422), accepting its other environments', async () => {
    const mixed = await refused(() => log(2, { records: [staged[0], { ...staged[1], environment: 'production' }] }), 422);
    expect(mixed.body.detail).toContain('approved');
    await refused(() => log(2, { ...staged[0], environment: 'production' }), 422);
    await log(2, { records: staged }).expect(201);
    const read = await http().get(usageOf(2)).expect(200);
    expectAggregates(read.body.aggregates, staged);
    const empty = await http().get(usageOf(1)).query({ caller: 'nobody' }).expect(200);
    expect(empty.body).toMatchObject({ items: [], next_cursor: null, aggregates: { count: 0, latency_p50_ms: null, per_day: [] } });
  });

  it('answers 404 for an unknown template or version, writing nothing', async () => {
    await refused(() => log(3, staged[0]), 404);
    await refused(() => http().post(`${TEMPLATES}/nope/1/usage`).set(json).send(staged[0]), 404);
    await http().get(usageOf(3)).expect(404);
  });

  describe('bad input never corrupts', () => {
    const good = { caller: 'web', environment: 'staging', input_tokens: 1, output_tokens: 1, latency_ms: 1, cost: 0, outcome: 'success' };
    const cases: [string, unknown, string][] = [
      ['more than 1,000 records', { records: Array(1001).fill(good) }, 'records'],
      ['an empty batch', { records: [] }, 'records'],
      ['a negative latency', { records: [good, good, good, { ...good, latency_ms: -1 }] }, 'records.3.latency_ms'],
      ['fractional tokens', { ...good, input_tokens: 1.5 }, 'input_tokens'],
      ['an unknown outcome', { ...good, outcome: 'timeout' }, 'outcome'],
      ['an environment with capitals', { ...good, environment: 'Prod' }, 'environment'],
      ['a missing caller', { ...good, caller: undefined }, 'caller'],
      ['a caller with a space', { ...good, caller: 'web app' }, 'caller'],
      ['an unknown field', { ...good, user_email: 'a@b.c' }, 'user_email'],
      ['an unknown field next to records', { records: [good], source: 'x' }, 'source'],
      ['a timestamp that is not ISO-8601', { ...good, timestamp: 'yesterday' }, 'timestamp'],
      ['a cost as a string', { ...good, cost: '0.1' }, 'cost'],
      ['an array body', [good], '(body)'],
    ];

    it.each(cases)('rejects %s with 400 naming the field and writes nothing', async (_label, body, field) => {
      const response = await refused(() => log(1, body), 400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('rejects unknown query parameters and a limit over 500', async () => {
      await http().get(usageOf(1)).query({ environment: 'PROD' }).expect(400);
      await http().get(usageOf(1)).query({ limit: 501 }).expect(400);
      await http().get(usageOf(1)).query({ day: '2026-03-01' }).expect(400);
    });
  });

  describe('events', () => {
    it('publishes one usage event per batch, valid against its schema, well under 1 MB', async () => {
      const published = await readTopic(env.KAFKA_BROKERS, topic, (all) => all.filter((e) => e.key.startsWith('usage:')).length >= 5);
      const usage = published.filter((e) => e.key.startsWith('usage:'));
      expect(usage).toHaveLength(5);
      const validator = new EventValidator([promptGovernanceCatalog]);
      for (const { key, event } of published) {
        expect(validator.validate(event)).toEqual({ valid: true, errors: [] });
        expect(key).toBe(event.subject);
      }
      expect(usage.map((e) => e.event.subject)).toEqual(usage.map((e) => `usage:answer:${(e.event.data as { version: number }).version}:${(e.event.data as { batch_id: string }).batch_id}`));
      const largest = Math.max(...usage.map((e) => JSON.stringify(e.event).length));
      expect(largest).toBeLessThan(300_000);
    });
  });
});
