import request from 'supertest';
import { connectMongo, dropDatabase, isolatedEnv, listen, RunningApp, ServiceProcess, startGateway, countStoredEvents } from '@mlops/testing';
import { createLifecycleApp } from '../app';
import { storedEvents } from '@mlops/event-sourcing';

const ROOT = '/api/v1/ml/lifecycle';
const MODELS = `${ROOT}/models`;
const json = { 'content-type': 'application/json' };
const ALL_REQUIRED = ['evaluation_passed', 'bias_review', 'security_review'].map((key) => ({ key, checked: true }));


describe('model versions on a real Kafka broker and MongoDB-protocol server', () => {
  const env = isolatedEnv('models');
  let service: RunningApp;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  let runId: string;
  let otherRunId: string;
  let gateway: ServiceProcess;
  const http = () => request(gateway.url);
  const eventCount = () => countStoredEvents(mongo.db);

  const startRun = async (body: Record<string, unknown>) => {
    const started = await http().post(`${ROOT}/runs`).set(json).send({ experiment_name: 'churn', ...body }).expect(201);
    return started.body.run_id as string;
  };
  const register = (body: Record<string, unknown>) =>
    http().post(MODELS).set(json).send({ run_id: runId, artifact_uri: 's3://models/churn/model.pkl', ...body });
  const patch = (name: string, version: number, body: Record<string, unknown>, actor = 'ana') =>
    http().patch(`${MODELS}/${name}/${version}`).set(json).set('x-actor', actor).send(body);

  beforeAll(async () => {
    service = await listen((await createLifecycleApp(env)).app);
    gateway = await startGateway({ LIFECYCLE_URL: service.url });
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
    await http().post(`${ROOT}/experiments`).set(json).send({ name: 'churn' }).expect(201);
    runId = await startRun({ params: { lr: 0.1, depth: 6 } });
    await http().patch(`${ROOT}/runs/${runId}`).set(json).send({ metrics: [{ key: 'auc', value: 0.7, step: 0 }, { key: 'auc', value: 0.82, step: 1 }, { key: 'log_loss', value: 0.4 }] }).expect(200);
    otherRunId = await startRun({ params: { lr: 0.05, depth: 6 } });
    await http().patch(`${ROOT}/runs/${otherRunId}`).set(json).send({ metrics: [{ key: 'auc', value: 0.9 }, { key: 'log_loss', value: 0.3 }] }).expect(200);
  });
  afterAll(async () => {
    await gateway?.stop();
    await service?.close();
    await mongo?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  describe('registering', () => {
    it('answers 201 with Location, ETag and version 1, copying the run’s latest metrics and params, checklist from config', async () => {
      const created = await register({ model_name: 'churn-clf', description: 'first', tags: ['gbm'] }).set('x-actor', 'ana').expect(201);
      expect(created.headers.location).toBe(`${MODELS}/churn-clf/1`);
      expect(created.headers.etag).toBe('"1"');
      expect(created.body).toMatchObject({
        model_name: 'churn-clf',
        version: 1,
        run_id: runId,
        artifact_uri: 's3://models/churn/model.pkl',
        description: 'first',
        tags: ['gbm'],
        params: [{ key: 'lr', value: 0.1 }, { key: 'depth', value: 6 }],
        stage: 'none',
        created_by: 'ana',
        checklist: [
          { key: 'evaluation_passed', required: true, checked: false, checked_by: null, checked_at: null },
          { key: 'bias_review', required: true, checked: false, checked_by: null, checked_at: null },
          { key: 'security_review', required: true, checked: false, checked_by: null, checked_at: null },
          { key: 'owner_signoff', required: false, checked: false, checked_by: null, checked_at: null },
        ],
      });
      expect([...created.body.metrics].sort((a, b) => a.key.localeCompare(b.key))).toEqual([
        { key: 'auc', value: 0.82 },
        { key: 'log_loss', value: 0.4 },
      ]);
      const fetched = await http().get(created.headers.location).expect(200);
      expect(fetched.headers.etag).toBe('"1"');
      expect(fetched.body).toEqual(created.body);
    });

    it('takes given metrics instead of the run’s, and numbers the next version 2', async () => {
      const created = await register({ model_name: 'churn-clf', run_id: otherRunId, metrics: { auc: 0.91, 'val/loss': 0.2 }, stage: 'staging' }).expect(201);
      expect(created.body).toMatchObject({ version: 2, stage: 'staging', metrics: [{ key: 'auc', value: 0.91 }, { key: 'val/loss', value: 0.2 }] });
      expect(created.headers.etag).toBe('"2"');
    });

    it('numbers 20 parallel registrations of one model 1..20, without gaps or duplicates', async () => {
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => register({ model_name: 'parallel', description: `r${i}` })));
      expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
      expect(responses.map((r) => r.body.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const commits = await mongo.db.collection('events').find({ stream_id: 'model:parallel' }).sort({ version: 1 }).toArray();
      // One commit per registration, after at most one empty create: when a racing claimant completed
      // the first registration's pending claim itself, the model was created empty and version 1 went on top.
      const types = commits.map((c) => storedEvents(c).map((e: { type: string }) => e.type));
      expect([20, 21]).toContain(types.length);
      if (types.length === 21) expect(types[0]).toEqual(['mlops.lifecycle.registered_model.created.v1']);
      expect(commits.map((c) => c.version)).toEqual(Array.from({ length: types.length }, (_, i) => i + 1));
      const registered = commits.flatMap((c) => storedEvents(c).filter((e) => e.type === 'mlops.lifecycle.model_version.registered.v1'));
      expect(registered.map((e) => e.data.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const listed = await http().get(MODELS).query({ model_name: 'parallel', limit: 500 }).expect(200);
      expect(listed.body.items.map((v: { version: number }) => v.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      // Each registration's description landed on the version it was answered with.
      for (const r of responses) expect(listed.body.items[r.body.version - 1].description).toBe(r.body.description);
    });

    it('answers 404 for an unknown run, writing nothing', async () => {
      const before = await eventCount();
      const response = await register({ model_name: 'orphan', run_id: '00000000-0000-4000-8000-000000000000' });
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await eventCount()).toBe(before);
      await http().get(`${MODELS}/orphan/1`).expect(404);
    });
  });

  describe('release checklist and stages', () => {
    it('checks items with who and when, refuses production with required items unchecked (422 naming them), then promotes', async () => {
      await register({ model_name: 'release' }).expect(201);
      await patch('release', 1, { stage: 'staging' }).expect(200);
      const partly = await patch('release', 1, { checklist: [{ key: 'bias_review', checked: true }], description: 'reviewed' }, 'bo').expect(200);
      expect(partly.body.description).toBe('reviewed');
      expect(partly.body.checklist[1]).toEqual({ key: 'bias_review', required: true, checked: true, checked_by: 'bo', checked_at: expect.any(String) });
      expect(Date.parse(partly.body.checklist[1].checked_at)).toBeGreaterThan(Date.now() - 60_000);

      const before = await eventCount();
      const refused = await patch('release', 1, { stage: 'production' });
      expect(refused.status).toBe(422);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body.detail).toContain('evaluation_passed, security_review');
      expect(refused.body.detail).not.toContain('owner_signoff');
      // Checking in the same refused request does not stick either.
      const stillRefused = await patch('release', 1, { checklist: [{ key: 'evaluation_passed', checked: true }], stage: 'production' });
      expect(stillRefused.status).toBe(422);
      expect(stillRefused.body.detail).toContain('security_review');
      expect(await eventCount()).toBe(before);

      const promoted = await patch('release', 1, { checklist: ALL_REQUIRED, stage: 'production' }).expect(200);
      expect(promoted.body).toMatchObject({ stage: 'production', checklist: [{ checked: true }, { checked: true }, { checked: true }, { checked: false }] });
    });

    it('archives the previous production version in the same commit as the promotion', async () => {
      await register({ model_name: 'release', stage: 'staging' }).expect(201);
      const promoted = await patch('release', 2, { checklist: ALL_REQUIRED, stage: 'production' }).expect(200);
      expect(promoted.body.stage).toBe('production');
      const [commit] = await mongo.db.collection('events').find({ stream_id: 'model:release' }).sort({ version: -1 }).limit(1).toArray();
      expect(storedEvents(commit).map((e: { type: string; data: unknown }) => [e.type, e.data])).toEqual([
        ['mlops.lifecycle.model_version.checklist_updated.v1', expect.anything()],
        ['mlops.lifecycle.model_version.stage_changed.v1', { model_name: 'release', version: 2, from: 'staging', to: 'production' }],
        ['mlops.lifecycle.model_version.stage_changed.v1', { model_name: 'release', version: 1, from: 'production', to: 'archived', superseded_by: 2 }],
      ]);
      const first = await http().get(`${MODELS}/release/1`).expect(200);
      expect(first.body.stage).toBe('archived');
      expect(first.headers.etag).toBe(promoted.headers.etag);
      const production = await http().get(MODELS).query({ model_name: 'release', stage: 'production' }).expect(200);
      expect(production.body.items.map((v: { version: number }) => v.version)).toEqual([2]);
    });

    it('answers 422 to an illegal stage transition, 400 to an unknown checklist item, 404 to an unknown version — writing nothing', async () => {
      const before = await eventCount();
      const toNone = await patch('release', 2, { stage: 'none' });
      expect(toNone.status).toBe(422);
      const archivedToProduction = await patch('release', 1, { stage: 'production' });
      expect(archivedToProduction.status).toBe(422);
      const unknownItem = await patch('release', 2, { checklist: [{ key: 'legal_review', checked: true }] });
      expect(unknownItem.status).toBe(400);
      expect(unknownItem.body.detail).toContain('legal_review');
      await patch('release', 99, { description: 'x' }).expect(404);
      await patch('nope', 1, { description: 'x' }).expect(404);
      await http().get(`${MODELS}/release/99`).expect(404);
      expect(await eventCount()).toBe(before);
      // archived → staging is allowed
      await patch('release', 1, { stage: 'staging' }).expect(200);
    });

    it('honours If-Match on the model’s stream version: 412 when stale, writing nothing', async () => {
      const current = await http().get(`${MODELS}/release/2`).expect(200);
      const etag = current.headers.etag;
      await patch('release', 2, { tags: ['a'] }).set('If-Match', etag).expect(200);
      const before = await eventCount();
      const stale = await patch('release', 2, { tags: ['b'] }).set('If-Match', etag);
      expect(stale.status).toBe(412);
      expect(stale.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await eventCount()).toBe(before);
    });
  });

  describe('compare', () => {
    it('gives values, deltas against the first version, the best version, differing params, checklist and stage', async () => {
      const response = await http().post(`${MODELS}/churn-clf/compare`).set(json).send({ versions: [1, 2] }).expect(200);
      expect(response.body).toEqual({
        model_name: 'churn-clf',
        baseline_version: 1,
        versions: [
          { version: 1, stage: 'none', run_id: runId, checklist: { checked: 0, total: 4, complete: false, required_unchecked: ['evaluation_passed', 'bias_review', 'security_review'] } },
          { version: 2, stage: 'staging', run_id: otherRunId, checklist: { checked: 0, total: 4, complete: false, required_unchecked: ['evaluation_passed', 'bias_review', 'security_review'] } },
        ],
        metrics: [
          { key: 'auc', higher_is_better: true, best_version: 2, values: [{ version: 1, value: 0.82, delta: 0 }, { version: 2, value: 0.91, delta: expect.closeTo(0.09, 10) }] },
          { key: 'log_loss', higher_is_better: false, best_version: 1, values: [{ version: 1, value: 0.4, delta: 0 }, { version: 2, value: null, delta: null }] },
          { key: 'val/loss', higher_is_better: false, best_version: 2, values: [{ version: 1, value: null, delta: null }, { version: 2, value: 0.2, delta: null }] },
        ],
        params_diff: [{ key: 'lr', values: [{ version: 1, value: 0.1 }, { version: 2, value: 0.05 }] }],
      });
      const overridden = await http().post(`${MODELS}/churn-clf/compare`).set(json).send({ versions: [2, 1], lower_is_better: ['auc'] }).expect(200);
      expect(overridden.body.metrics[0]).toMatchObject({ key: 'auc', higher_is_better: false, best_version: 1 });
    });

    it('answers 404 for an unknown model or version and 400 for fewer than two versions', async () => {
      await http().post(`${MODELS}/nope/compare`).set(json).send({ versions: [1, 2] }).expect(404);
      const missing = await http().post(`${MODELS}/churn-clf/compare`).set(json).send({ versions: [1, 7] });
      expect(missing.status).toBe(404);
      expect(missing.body.detail).toContain('7');
      await http().post(`${MODELS}/churn-clf/compare`).set(json).send({ versions: [1] }).expect(400);
      await http().post(`${MODELS}/churn-clf/compare`).set(json).send({ versions: [1, 1] }).expect(400);
      await http().post(`${MODELS}/churn-clf/compare`).set(json).send({ versions: [1, 2], higher_is_better: ['auc'], lower_is_better: ['auc'] }).expect(400);
    });
  });

  describe('lists', () => {
    it('filters by model_name and stage, and pages with a cursor', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await http().get(MODELS).query({ model_name: 'parallel', limit: 7, ...(cursor ? { cursor } : {}) }).expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(7);
        seen.push(...page.body.items.map((v: { model_name: string; version: number }) => `${v.model_name}/${v.version}`));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(seen).toHaveLength(20);
      expect(new Set(seen).size).toBe(20);
      const staging = await http().get(MODELS).query({ stage: 'staging' }).expect(200);
      expect(staging.body.items.map((v: { model_name: string; version: number }) => `${v.model_name}/${v.version}`).sort()).toEqual(['churn-clf/2', 'release/1']);
      expect(staging.body.items[0]).not.toHaveProperty('_id');
      const none = await http().get(MODELS).query({ model_name: 'churn-clf', stage: 'none' }).expect(200);
      expect(none.body.items.map((v: { version: number }) => v.version)).toEqual([1]);
    });
  });

  describe('bad input never corrupts', () => {
    const cases: [string, () => request.Test][] = [
      ['a missing artifact_uri', () => http().post(MODELS).set(json).send({ model_name: 'bad', run_id: runId })],
      ['a run_id that is not a uuid', () => register({ model_name: 'bad', run_id: 'run-1' })],
      ['an operator model name', () => register({ model_name: { $ne: '' } })],
      ['a model name with a slash', () => register({ model_name: 'a/b' })],
      ['a non-numeric metric', () => register({ model_name: 'bad', metrics: { auc: '0.9' } })],
      ['an operator metric key', () => register({ model_name: 'bad', metrics: { $where: 1 } })],
      ['metrics as an array', () => register({ model_name: 'bad', metrics: [{ key: 'auc', value: 1 }] })],
      ['registration straight to production', () => register({ model_name: 'bad', stage: 'production' })],
      ['an unknown field', () => register({ model_name: 'bad', colour: 'red' })],
      ['an unknown stage', () => patch('release', 2, { stage: 'retired' })],
      ['a checklist item without checked', () => patch('release', 2, { checklist: [{ key: 'bias_review' }] })],
      ['an unknown field in a checklist item', () => patch('release', 2, { checklist: [{ key: 'bias_review', checked: true, note: 'x' }] })],
      ['a checklist that is not an array', () => patch('release', 2, { checklist: { bias_review: true } })],
      ['a non-numeric version', () => patch('release', 'two' as unknown as number, { description: 'x' })],
      ['a zero version', () => http().get(`${MODELS}/release/0`)],
      ['an unknown list filter', () => http().get(MODELS).query({ owner: 'x' })],
      ['an unknown stage filter', () => http().get(MODELS).query({ stage: 'retired' })],
    ];

    it.each(cases)('rejects %s with 400 problem+json and writes nothing', async (_label, send) => {
      const before = await eventCount();
      const response = await send();
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await eventCount()).toBe(before);
    });
  });
});

describe('model release checklist from configuration', () => {
  const env = isolatedEnv('checklist', { MODEL_CHECKLIST: 'legal_review:required,docs:optional' });
  let service: RunningApp;
  let gateway: ServiceProcess;

  beforeAll(async () => {
    service = await listen((await createLifecycleApp(env)).app);
    gateway = await startGateway({ LIFECYCLE_URL: service.url });
  });
  afterAll(async () => {
    await gateway?.stop();
    await service?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('gives new versions the configured items and gates production on the required ones', async () => {
    const http = () => request(gateway.url);
    await http().post(`${ROOT}/experiments`).set(json).send({ name: 'exp' }).expect(201);
    const run = await http().post(`${ROOT}/runs`).set(json).send({ experiment_name: 'exp' }).expect(201);
    const created = await http().post(MODELS).set(json).send({ model_name: 'm', run_id: run.body.run_id, artifact_uri: 'file:///m', stage: 'staging' }).expect(201);
    expect(created.body.checklist.map((i: { key: string; required: boolean }) => [i.key, i.required])).toEqual([
      ['legal_review', true],
      ['docs', false],
    ]);
    expect(created.body.metrics).toEqual([]);
    const refused = await http().patch(`${MODELS}/m/1`).set(json).send({ stage: 'production' });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toContain('legal_review');
    await http().patch(`${MODELS}/m/1`).set(json).send({ checklist: [{ key: 'legal_review', checked: true }], stage: 'production' }).expect(200);
  });
});
