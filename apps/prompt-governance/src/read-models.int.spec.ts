import request from 'supertest';
import { EventValidator, promptGovernanceCatalog, Topics } from '@mlops/events';
import { EventSourcing, projectionEventsSkipped, requestRebuild } from '@mlops/event-sourcing';
import { connectMongo, dropDatabase, expectIdenticalAfterRebuild, expectUnchangedUnderRedelivery, isolatedEnv, listen, ReadSide, RunningApp, ServiceProcess, startGateway } from '@mlops/testing';
import { createPromptGovernanceApp } from './app';
import { AUDIT_COLLECTION, templatesProjection } from './templates/templates.projection';
import { USAGE_ROLLUPS_COLLECTION, usageProjection } from './usage/usage.projection';

const ROOT = '/api/v1/prompt-governance';
const TEMPLATES = `${ROOT}/templates`;
const json = { 'content-type': 'application/json' };
const APPROVER = 'prompt-approver';
const PROJECTIONS = [templatesProjection, usageProjection];

describe('the prompt governance read models under redelivery and rebuild (invariants 4 and 5)', () => {
  const env = isolatedEnv('prompt-read-models');
  const topic = env.KAFKA_TOPIC_PREFIX + Topics.promptGovernance;
  let service: RunningApp;
  let gateway: ServiceProcess;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  const http = () => request(gateway.url);
  const side = (): ReadSide => ({
    db: mongo.db,
    env,
    topic,
    projections: PROJECTIONS,
    skipped: projectionEventsSkipped,
    kickRelay: () => service.app.get(EventSourcing).outbox.kick(),
    answers,
  });
  const as = (test: request.Test, actor: string, roles: string[] = []) => test.set(json).set('x-actor', actor).set('x-roles', roles.join(','));
  const submit = (id: string, version: number) => as(http().post(`${TEMPLATES}/${id}/${version}/submit`), 'bo').send().expect(200);
  const approve = (id: string, version: number) => as(http().post(`${TEMPLATES}/${id}/${version}/approve`), 'cy', [APPROVER]).send({ comment: 'ok' }).expect(200);
  const label = (id: string, name: string, version: number) => as(http().put(`${TEMPLATES}/${id}/labels/${name}`), 'ops').send({ version }).expect(200);
  const usage = (id: string, version: number, records: Record<string, unknown>[]) =>
    as(http().post(`${TEMPLATES}/${id}/${version}/usage`), 'svc').send({ records }).expect(201);
  const records = (count: number, environment: string, day: string) =>
    Array.from({ length: count }, (_, i) => ({
      caller: `app-${i % 3}`,
      environment,
      input_tokens: 100 + i,
      output_tokens: 20 + (i % 7),
      latency_ms: 300 + ((i * 37) % 900),
      cost: (i % 11) / 10_000,
      outcome: i % 9 ? 'success' : 'error',
      timestamp: `${day}T${String(i % 24).padStart(2, '0')}:00:00.000Z`,
    }));
  /** What the API answers from the projections: details with versions, label history, audit, usage aggregates. */
  const answers = async () => ({
    list: (await http().get(TEMPLATES).query({ limit: 500 }).expect(200)).body,
    answer: (await http().get(`${TEMPLATES}/answer`).expect(200)).body,
    labels: (await http().get(`${TEMPLATES}/answer/labels/history`).query({ limit: 500 }).expect(200)).body,
    audit: (await http().get(`${TEMPLATES}/answer/audit`).query({ limit: 500 }).expect(200)).body,
    usage: (await http().get(`${TEMPLATES}/answer/1/usage`).query({ limit: 500 }).expect(200)).body,
    staged: (await http().get(`${TEMPLATES}/answer/2/usage`).query({ limit: 500 }).expect(200)).body,
  });

  beforeAll(async () => {
    service = await listen((await createPromptGovernanceApp(env)).app);
    gateway = await startGateway({ PROMPT_GOVERNANCE_URL: service.url });
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);

    // A template through its whole review: approved and labelled production, a second version in staging, a third rejected.
    await as(http().post(TEMPLATES), 'ana').send({ id: 'answer', name: 'Answer', template: 'Answer {{question}}', tags: ['support'] }).expect(201);
    await as(http().post(`${ROOT}/evaluate`), 'ci').send({ template_id: 'answer', version: 1, test_cases: [{ variables: { question: 'why?' }, output: 'because', assertions: [{ type: 'contains', value: 'because' }] }] }).expect(200);
    await submit('answer', 1);
    await approve('answer', 1);
    await label('answer', 'production', 1);
    // Usage (records and daily rollups) over several days and environments, while version 1 serves production.
    await usage('answer', 1, records(400, 'production', '2026-03-01'));
    await usage('answer', 1, records(250, 'production', '2026-03-02'));
    await as(http().post(`${TEMPLATES}/answer/versions`), 'ana').send({ template: 'Reply to {{question}} briefly' }).expect(201);
    await label('answer', 'staging', 2);
    await as(http().post(`${TEMPLATES}/answer/versions`), 'ana').send({ template: 'Reply to {{question}} at length' }).expect(201);
    await submit('answer', 3);
    await as(http().post(`${TEMPLATES}/answer/3/reject`), 'cy', [APPROVER]).send({ reason: 'too long' }).expect(200);
    await submit('answer', 2);
    await approve('answer', 2);
    await label('answer', 'production', 2);
    await as(http().post(`${TEMPLATES}/answer/1/retire`), 'cy', [APPROVER]).send({ reason: 'superseded' }).expect(200);
    // A second template left in draft, owned by someone else.
    await as(http().post(TEMPLATES), 'bo').send({ id: 'summary', name: 'Summary', template: 'Summarise {{text}}' }).expect(201);

    await usage('answer', 2, records(120, 'staging', '2026-03-02'));
    await usage('answer', 2, records(80, 'production', '2026-03-03'));
  });
  afterAll(async () => {
    await gateway?.stop();
    await service?.close();
    await mongo?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('leaves every read model unchanged when all events are redelivered and re-sent by the relay', async () => {
    const { published } = await expectUnchangedUnderRedelivery(side());
    const validator = new EventValidator([promptGovernanceCatalog]);
    for (const { event } of published) expect(validator.validate(event)).toEqual({ valid: true, errors: [] });
    expect(published.filter((e) => e.key.startsWith('usage:'))).toHaveLength(4);
  });

  it('drops every read model with its label history, audit trail, usage records and rollups, and replays them identically — usage through the CLI', async () => {
    const before = await expectIdenticalAfterRebuild({ ...side(), viaCli: usageProjection, requestRebuild });
    // Every template event has its audit entry; every usage record is counted once in the rollups.
    const templateCommits = await mongo.db.collection<{ events: unknown[] }>('events').find({ stream_id: { $regex: '^template:' } }).toArray();
    expect(before[AUDIT_COLLECTION]).toHaveLength(templateCommits.reduce((n, c) => n + c.events.length, 0));
    expect(before[USAGE_ROLLUPS_COLLECTION].reduce((n, r) => n + (r.count as number), 0)).toBe(400 + 250 + 120 + 80);
  });
});
