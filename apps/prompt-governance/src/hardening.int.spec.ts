import request from 'supertest';
import { connectMongo, countStoredEvents, dropDatabase, isolatedEnv, ServiceProcess, startServiceProcess, StoreRelay, storeRelay } from '@mlops/testing';
import { templateStreamId } from './templates/template.decider';

const ROOT = '/api/v1/prompt-governance';
const TEMPLATES = `${ROOT}/templates`;
const json = { 'content-type': 'application/json' };
const APPROVER = 'prompt-approver';

describe('prompt governance against hostile input, look-alike identities and a store outage (own process, real Kafka and store)', () => {
  const env = isolatedEnv('hardening');
  let relay: StoreRelay;
  let service: ServiceProcess;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  const http = () => request(service.url);
  const eventCount = () => countStoredEvents(mongo.db);
  const as = (test: request.Test, actor: string, roles: string[] = []) => test.set(json).set('x-actor', actor).set('x-roles', roles.join(','));
  /** Node hands header bytes to the server as Latin-1: this is how a client's UTF-8 header travels. */
  const utf8Header = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

  const create = (body: Record<string, unknown>, actor = 'ana') => as(http().post(TEMPLATES), actor).send({ name: 'Template', template: 'Answer {{question}}', ...body });
  /**
   * A POST as `actor` sent with fetch, which writes headers as Latin-1 bytes on their own (Node's
   * http client writes them in a string body's encoding, garbling a UTF-8 header).
   */
  const postAs = async (path: string, actor: string, body: unknown, roles: string[] = []) => {
    const response = await fetch(service.url + path, { method: 'POST', headers: { ...json, 'x-actor': actor, 'x-roles': roles.join(',') }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  /** Asserts a 400 problem+json naming `field` and that nothing was stored. */
  async function refused(send: () => request.Test | Promise<request.Response>, field: RegExp) {
    const before = await eventCount();
    const response = await send();
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: expect.stringMatching(field) })]);
    expect(await eventCount()).toBe(before);
    return response;
  }

  beforeAll(async () => {
    relay = await storeRelay(new URL(env.MONGO_URL));
    service = await startServiceProcess('prompt-governance', { ...env, MONGO_URL: relay.url });
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
    await create({ id: 'guard', template: 'Answer {{question}}' }).expect(201);
  });
  afterAll(async () => {
    // A service frozen by a pattern (or waiting on the cut store) may never drain: end it regardless.
    const killer = setTimeout(() => service?.process.kill('SIGKILL'), 10_000);
    await service?.stop();
    clearTimeout(killer);
    await relay?.close();
    await mongo?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  describe('catastrophic regular expressions', () => {
    it.each([
      ['^(a|a)*$', `${'a'.repeat(32)}!`],
      ['(a+)+$', `${'a'.repeat(50_000)}!`],
      ['(x+x+)+y', 'x'.repeat(50_000)],
      ['^(([a-z])+.)+[A-Z]([a-z])+$', `${'a'.repeat(50_000)}!`],
    ])('evaluates %s on an adversarial output while /health/live keeps answering', async (pattern, output) => {
      const evaluation = as(http().post(`${ROOT}/evaluate`), 'ci').send({
        template_id: 'guard',
        version: 1,
        test_cases: [{ variables: { question: 'q' }, output, assertions: [{ type: 'regex', value: pattern }, { type: 'not-regex', value: pattern }] }],
      });
      const [evaluated, live] = await Promise.all([evaluation, http().get('/health/live')]);
      expect(live.status).toBe(200);
      expect(evaluated.status).toBe(200);
      expect(evaluated.body).toMatchObject({ test_cases: { total: 1, passed: 0 } });
      expect(evaluated.body.findings).toEqual([expect.objectContaining({ check: 'assertion_failed', message: expect.stringContaining('(regex)') })]);
      await http().get('/health/live').expect(200);
    });

    it('refuses a pattern RE2 cannot run, naming the assertion, writing nothing', async () => {
      await refused(
        () => as(http().post(`${ROOT}/evaluate`), 'ci').send({ template_id: 'guard', version: 1, test_cases: [{ variables: { question: 'q' }, output: 'aa', assertions: [{ type: 'regex', value: '(a)\\1' }] }] }),
        /^test_cases\.0\.assertions\.0$/,
      );
    });
  });

  describe('four-eyes on canonical identities', () => {
    it.each([
      ['upper case', 'EVE'],
      ['trailing spaces', 'eve   '],
      ['fullwidth look-alikes', utf8Header('ｅｖｅ')],
      ['fullwidth upper case', utf8Header('ＥＶＥ')],
    ])('refuses approval by the author written in %s', async (label, approver) => {
      const id = `four-eyes-${label.replace(/\W+/g, '-')}`;
      await create({ id }, 'eve').expect(201);
      await as(http().post(`${TEMPLATES}/${id}/1/submit`), 'bo').send().expect(200);
      const before = await eventCount();
      const refusal = await postAs(`${TEMPLATES}/${id}/1/approve`, approver, { comment: 'ok' }, [APPROVER]);
      expect(refusal.status).toBe(403);
      expect(refusal.body.detail).toMatch(/wrote version 1/);
      expect(await eventCount()).toBe(before);
      await as(http().post(`${TEMPLATES}/${id}/1/approve`), 'cy', [APPROVER]).send({ comment: 'ok' }).expect(200);
    });

    it('records the canonical actor and refuses approval by the submitter in another case', async () => {
      const created = await postAs(TEMPLATES, utf8Header('Ａｎａ'), { id: 'four-eyes-submitter', name: 'T', template: 'Answer {{question}}' });
      expect(created.status).toBe(201);
      expect(created.body.versions[0].author).toBe('ana');
      await as(http().post(`${TEMPLATES}/four-eyes-submitter/1/submit`), 'Bo').send().expect(200);
      const refusal = await postAs(`${TEMPLATES}/four-eyes-submitter/1/approve`, 'BO ', { comment: 'ok' }, [APPROVER]);
      expect(refusal.status).toBe(403);
      expect(refusal.body.detail).toMatch(/submitted version 1/);
    });
  });

  describe('variables named like Object.prototype members', () => {
    const NAMES = ['toString', 'hasOwnProperty', 'valueOf'];
    const template = NAMES.map((n) => `${n}={{${n}}}`).join(' ');

    it('reports each as missing when not given, and renders only the given values', async () => {
      await create({ id: 'prototype-names', template }).expect(201);
      const missing = await http().post(`${TEMPLATES}/prototype-names/render`).set(json).send({ version: 1, variables: {} });
      expect(missing.status).toBe(400);
      expect(missing.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(NAMES.map((n) => `variables.${n}`).sort());
      const rendered = await http().post(`${TEMPLATES}/prototype-names/render`).set(json).send({ version: 1, variables: { toString: 't', hasOwnProperty: 'h', valueOf: 'v' } }).expect(200);
      expect(rendered.body.prompt).toBe('toString=t hasOwnProperty=h valueOf=v');
    });

    it('finds the missing ones in an evaluation test case too', async () => {
      const evaluated = await as(http().post(`${ROOT}/evaluate`), 'ci')
        .send({ template_id: 'prototype-names', version: 1, test_cases: [{ variables: { toString: 't' }, assertions: [] }] })
        .expect(200);
      expect(evaluated.body.findings).toEqual(
        expect.arrayContaining([expect.objectContaining({ check: 'test_case_variables', message: 'Test case 0 is missing variables: hasOwnProperty, valueOf' })]),
      );
    });

    it.each(['constructor', '__proto__'])('refuses a template using %s, which no request body can carry, writing nothing', async (name) => {
      await refused(() => create({ id: `reserved-${name.replace(/_/g, '')}`, template: `Hi {{${name}}}` }), /^template$/);
    });
  });

  describe('hostile bodies', () => {
    it('answers 400 naming the field to a body nested 10,000 levels deep, writing nothing', async () => {
      const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
      await refused(() => http().post(TEMPLATES).set(json).set('x-actor', 'ana').send(`{"id":"deep","name":"Deep","template":"x","config":${deep}}`), /^config(\.a)+$/);
      await refused(() => http().post(`${TEMPLATES}/guard/render`).set(json).send(`{"version":1,"variables":{"question":${deep}}}`), /^variables\.question(\.a)+$/);
    });

    it.each([
      ['a NUL in the name', '{"id":"nul","name":"a\\u0000b","template":"x"}', /^name$/],
      ['a lone surrogate in the description', '{"id":"surrogate","name":"S","description":"x\\ud800y","template":"x"}', /^description$/],
      ['a lone surrogate in a tag', '{"id":"surrogate-tag","name":"S","template":"x","tags":["ok","\\udfff"]}', /^tags\.1$/],
      ['a NUL in a config key', '{"id":"nul-key","name":"K","template":"x","config":{"a\\u0000":1}}', /^config$/],
    ])('answers 400 naming the field to %s, writing nothing', async (_label, body, field) => {
      await refused(() => http().post(TEMPLATES).set(json).set('x-actor', 'ana').send(body), field);
    });

    it('answers 400 to a NUL in a query filter', async () => {
      const response = await http().get(`${TEMPLATES}?owner=a%00b`);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'query.owner' })]);
    });
  });

  // Last: it cuts this service's way to the store for good.
  describe('a store outage', () => {
    it('answers 503 problem+json with Retry-After to reads and writes, and stays live', async () => {
      await relay.cut();
      const read = await http().get(`${TEMPLATES}/guard`);
      expect(read.status).toBe(503);
      expect(read.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(read.headers['retry-after']).toMatch(/^\d+$/);
      const write = await create({ id: 'during-outage' });
      expect(write.status).toBe(503);
      expect(write.headers['retry-after']).toMatch(/^\d+$/);
      await http().get('/health/live').expect(200);
      expect(await mongo.db.collection('events').countDocuments({ stream_id: templateStreamId('during-outage') })).toBe(0);
    });
  });
});
