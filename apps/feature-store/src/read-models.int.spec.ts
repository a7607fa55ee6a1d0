import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { EventValidator, featureStoreCatalog, Topics } from '@mlops/events';
import { EventSourcing, projectionEventsSkipped, requestRebuild } from '@mlops/event-sourcing';
import { connectMongo, dropDatabase, expectIdenticalAfterRebuild, expectUnchangedUnderRedelivery, isolatedEnv, listen, ReadSide, RunningApp, ServiceProcess, startGateway } from '@mlops/testing';
import { createFeatureStoreApp } from './app';
import { datasetsProjection } from './datasets/datasets.projection';
import { driftReportsProjection } from './datasets/drift.projection';
import { featuresProjection } from './features/features.projection';

const API = '/api/v1/features';
const json = { 'content-type': 'application/json' };
const PROJECTIONS = [featuresProjection, datasetsProjection, driftReportsProjection];

/** Trips as CSV: `shift` moves the fares, so a drift report has something to find. */
const trips = (rows: number, shift: number) =>
  ['trip_id,fare,zone,passengers', ...Array.from({ length: rows }, (_, i) => `${i},${(i % 50) * 2.5 + shift},z${i % 5},${i % 4}`)].join('\n') + '\n';

describe('the feature store read models under redelivery and rebuild (invariants 4 and 5)', () => {
  let root: string;
  let env: Record<string, string>;
  let service: RunningApp;
  let gateway: ServiceProcess;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  const http = () => request(gateway.url);
  const side = (): ReadSide => ({
    db: mongo.db,
    env,
    topic: env.KAFKA_TOPIC_PREFIX + Topics.featureStore,
    projections: PROJECTIONS,
    skipped: projectionEventsSkipped,
    kickRelay: () => service.app.get(EventSourcing).outbox.kick(),
    answers,
  });
  /** What the API answers from the projections: lists, a feature with its version history, a dataset. */
  const answers = async () => ({
    features: (await http().get(API).query({ limit: 500 }).expect(200)).body,
    versions: (await http().get(`${API}/trip_fare/versions`).expect(200)).body,
    datasets: (await http().get(`${API}/datasets`).query({ limit: 500 }).expect(200)).body,
    current: (await http().get(`${API}/datasets/trips-current`).expect(200)).body,
  });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'feature-store-read-models-'));
    await writeFile(join(root, 'trips-reference.csv'), trips(500, 0));
    await writeFile(join(root, 'trips-current.csv'), trips(400, 30));
    env = isolatedEnv('feature-read-models', { FEATURE_STORE_DATA_ROOT: root });
    service = await listen((await createFeatureStoreApp(env)).app);
    gateway = await startGateway({ FEATURE_STORE_URL: service.url });
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);

    // Datasets: two files, one of them grown and refreshed; a drift report between them.
    await http().post(`${API}/datasets`).set(json).send({ name: 'trips-reference', source_type: 'csv', path: 'trips-reference.csv', tags: ['taxi'] }).expect(201);
    await http().post(`${API}/datasets`).set(json).send({ name: 'trips-current', source_type: 'csv', path: 'trips-current.csv' }).expect(201);
    await writeFile(join(root, 'trips-current.csv'), trips(450, 30));
    await http().post(`${API}/datasets/trips-current/refresh`).expect(200);
    await http().post(`${API}/datasets/trips-current/drift`).set(json).send({ reference_dataset: 'trips-reference' }).expect((r) => expect([200, 201]).toContain(r.status));

    // Features: one with three versions, edited and deprecated; another left as created.
    const source = { kind: 'column', dataset_id: 'trips-reference', column: 'fare' };
    await http().post(API).set(json)
      .send({ name: 'trip_fare', description: 'Fare of a trip', entity: 'trip_id', value_type: 'double', schema: { nullable: false, min: 0 }, source, owner: 'pricing', tags: ['taxi'] })
      .expect(201);
    for (const min of [1, 2]) await http().post(`${API}/trip_fare/versions`).set(json).send({ schema: { nullable: false, min }, changelog: `min ${min}` }).expect(201);
    await http().patch(`${API}/trip_fare`).set(json).send({ description: 'Fare in dollars', tags: ['taxi', 'money'] }).expect(200);
    await http().post(API).set(json)
      .send({ name: 'passengers', entity: 'trip_id', value_type: 'int64', source: { kind: 'column', dataset_id: 'trips-reference', column: 'passengers' }, owner: 'ops' })
      .expect(201);
    await http().delete(`${API}/passengers`).expect(200);
  });
  afterAll(async () => {
    await gateway?.stop();
    await service?.close();
    await mongo?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
    await rm(root, { recursive: true, force: true });
  });

  it('leaves every read model unchanged when all events are redelivered and re-sent by the relay', async () => {
    const { published } = await expectUnchangedUnderRedelivery(side());
    const validator = new EventValidator([featureStoreCatalog]);
    for (const { event } of published) expect(validator.validate(event)).toEqual({ valid: true, errors: [] });
  });

  it('drops every read model and replays the topic into identical ones — features with their version history through the CLI', async () => {
    const before = await expectIdenticalAfterRebuild({ ...side(), viaCli: featuresProjection, requestRebuild });
    expect(before.feature_versions.length).toBeGreaterThan(before.features.length);
  });
});
