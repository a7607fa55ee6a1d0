import request from 'supertest';
import { EventValidator, lifecycleCatalog, Topics } from '@mlops/events';
import { EventSourcing } from '@mlops/event-sourcing';
import { connectMongo, dropDatabase, isolatedEnv, listen, readTopic, RunningApp, ServiceProcess, startGateway } from '@mlops/testing';
import { createLifecycleApp } from '../app';
import { experimentDecider, experimentStreamId } from './experiment.decider';
import { nameClaimDecider, nameClaimStreamId } from './name-claim.decider';

const ROOT = '/api/v1/ml/lifecycle';
const MLFLOW = '/api/2.0/mlflow';
const json = { 'content-type': 'application/json' };

describe('experiment and registered-model names on a real Kafka broker and MongoDB-protocol server', () => {
  const env = isolatedEnv('names');
  let service: RunningApp;
  let gateway: ServiceProcess;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  const http = () => request(gateway.url);
  const mlflow = (path: string, body: Record<string, unknown>) => http().post(`${MLFLOW}/${path}`).set(json).send(body);
  const experimentId = async (name: string) => (await http().get(`${MLFLOW}/experiments/get-by-name`).query({ experiment_name: name }).expect(200)).body.experiment.experiment_id as string;
  const createExperiment = async (name: string) => (await mlflow('experiments/create', { name }).expect(200)).body.experiment_id as string;
  const calledNow = (name: string) => mongo.db.collection('experiments').countDocuments({ name });

  beforeAll(async () => {
    service = await listen((await createLifecycleApp(env)).app);
    gateway = await startGateway({ LIFECYCLE_URL: service.url });
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
  });
  afterAll(async () => {
    await gateway?.stop();
    await service?.close();
    await mongo?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  describe('a name is decided by the event store, not the read models', () => {
    it('lets exactly one of 20 concurrent renames of different experiments to one name win', async () => {
      const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => createExperiment(`race-${i}`)));
      const responses = await Promise.all(ids.map((experiment_id) => mlflow('experiments/update', { experiment_id, new_name: 'race-winner' })));
      const won = responses.flatMap((r, i) => (r.status === 200 ? [ids[i]] : []));
      expect(won).toHaveLength(1);
      const lost = responses.filter((r) => r.status !== 200);
      expect(lost).toHaveLength(19);
      for (const r of lost) expect([r.status, r.body.error_code]).toEqual([400, 'RESOURCE_ALREADY_EXISTS']);
      expect(await experimentId('race-winner')).toBe(won[0]);
      expect(await calledNow('race-winner')).toBe(1);
      // The losers keep their names.
      for (const [i, id] of ids.entries()) if (id !== won[0]) expect(await experimentId(`race-${i}`)).toBe(id);
    });

    it('lets exactly one of a create in our API and an MLflow rename racing for one name win, every time', async () => {
      for (let round = 0; round < 5; round++) {
        const name = `contested-${round}`;
        const id = await createExperiment(`renaming-${round}`);
        const [created, renamed] = await Promise.all([
          http().post(`${ROOT}/experiments`).set(json).send({ name, description: 'created' }),
          mlflow('experiments/update', { experiment_id: id, new_name: name }),
        ]);
        expect([created.status === 201, renamed.status === 200].filter(Boolean)).toHaveLength(1);
        if (created.status !== 201) {
          expect(created.status).toBe(409);
          expect(created.headers['content-type']).toMatch(/application\/problem\+json/);
          expect(await experimentId(name)).toBe(id);
        } else {
          expect(renamed.body.error_code).toBe('RESOURCE_ALREADY_EXISTS');
          expect(await experimentId(`renaming-${round}`)).toBe(id);
        }
        expect(await calledNow(name)).toBe(1);
      }
    });

    it('lets exactly one of 10 concurrent creates of one new name win, in our API and in MLflow’s registry', async () => {
      const creates = await Promise.all(Array.from({ length: 10 }, (_, i) => http().post(`${ROOT}/experiments`).set(json).send({ name: 'twice', description: `writer ${i}` })));
      expect(creates.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(409)]);
      expect((await http().get(`${ROOT}/experiments/twice`).expect(200)).body.description).toBe(creates.find((r) => r.status === 201)!.body.description);
      const models = await Promise.all(Array.from({ length: 10 }, (_, i) => mlflow('registered-models/create', { name: 'twice-model', description: `writer ${i}` })));
      expect(models.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(400)]);
      const winner = models.find((r) => r.status === 200)!.body.registered_model.description;
      expect((await http().get(`${MLFLOW}/registered-models/get`).query({ name: 'twice-model' }).expect(200)).body.registered_model.description).toBe(winner);
    });

    it('lets exactly one of 20 concurrent renames of different registered models to one name win', async () => {
      for (let i = 0; i < 20; i++) await mlflow('registered-models/create', { name: `model-race-${i}` }).expect(200);
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => mlflow('registered-models/rename', { name: `model-race-${i}`, new_name: 'model-winner' })));
      expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
      for (const r of responses.filter((r) => r.status !== 200)) expect([r.status, r.body.error_code, r.text]).toEqual([400, 'RESOURCE_ALREADY_EXISTS', expect.any(String)]);
      const winner = responses.findIndex((r) => r.status === 200);
      await http().get(`${MLFLOW}/registered-models/get`).query({ name: `model-race-${winner}` }).expect(404);
      expect(await mongo.db.collection('models').countDocuments({ model_name: 'model-winner' })).toBe(1);
    });
  });

  describe('a claim left behind by a crash never blocks its name', () => {
    const claimFor = async (name: string, key: string) => {
      const eventSourcing = service.app.get(EventSourcing);
      const { version } = await eventSourcing.eventStore.aggregate(experimentStreamId(key), experimentDecider);
      // As a rename that crashed after its claim: the claim is stored, the rename never was.
      await eventSourcing.commands.handle(
        nameClaimDecider,
        nameClaimStreamId('experiment', name),
        { type: 'ClaimName', data: { kind: 'experiment', name, key, at_version: version, holder_standing: null } },
        { actor: 'crashed', correlationId: 'crash', now: new Date() },
        { ifMatch: 0 },
      );
    };

    it('completes a rename its claim announced when another claimant comes: the name goes to the holder, once', async () => {
      const id = await createExperiment('holder');
      await claimFor('left-behind', 'holder');
      const refused = await http().post(`${ROOT}/experiments`).set(json).send({ name: 'left-behind' }).expect(409);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(await experimentId('left-behind')).toBe(id);
      await http().get(`${MLFLOW}/experiments/get-by-name`).query({ experiment_name: 'holder' }).expect(404);
      expect(await calledNow('left-behind')).toBe(1);
    });

    it('completes a create its claim announced: the model is created as the claim says, and a version joins it', async () => {
      const eventSourcing = service.app.get(EventSourcing);
      // As a create that crashed after its claim: no model stream was written.
      await eventSourcing.commands.handle(
        nameClaimDecider,
        nameClaimStreamId('registered_model', 'orphan'),
        { type: 'ClaimName', data: { kind: 'registered_model', name: 'orphan', key: 'orphan', at_version: 0, created: { description: 'left behind', properties: [] }, holder_standing: null } },
        { actor: 'crashed', correlationId: 'crash', now: new Date() },
        { ifMatch: 0 },
      );
      await mlflow('registered-models/create', { name: 'orphan', description: 'mine' }).expect(400);
      const model = (await http().get(`${MLFLOW}/registered-models/get`).query({ name: 'orphan' }).expect(200)).body.registered_model;
      expect(model.description).toBe('left behind');
      await http().post(`${ROOT}/experiments`).set(json).send({ name: 'orphan-training' }).expect(201);
      const runId = (await http().post(`${ROOT}/runs`).set(json).send({ experiment_name: 'orphan-training' }).expect(201)).body.run_id;
      const registered = await http().post(`${ROOT}/models`).set(json).send({ model_name: 'orphan', run_id: runId, artifact_uri: 's3://models/orphan' }).expect(201);
      expect(registered.headers.location).toBe(`${ROOT}/models/orphan/1`);
      expect(await mongo.db.collection('models').countDocuments({ model_name: 'orphan' })).toBe(1);
    });

    it('frees a claim whose holder moved on without taking the name', async () => {
      const id = await createExperiment('mover');
      await claimFor('stale-name', 'mover');
      // The holder's stream moves past the claim's version: the announced rename can never land.
      await http().patch(`${ROOT}/experiments/mover`).set(json).send({ description: 'moved on' }).expect(200);
      const created = await http().post(`${ROOT}/experiments`).set(json).send({ name: 'stale-name', description: 'new' }).expect(201);
      expect(created.body).toMatchObject({ name: 'stale-name', description: 'new' });
      expect(await experimentId('mover')).toBe(id);
      expect(await experimentId('stale-name')).not.toBe(id);
    });
  });

  describe('a name a rename gave up can be used again, as in MLflow', () => {
    it('creates a different experiment under an old name; each name finds its own, in MLflow and in our API', async () => {
      const oldId = await createExperiment('churn');
      const before = await http().post(`${ROOT}/runs`).set(json).send({ experiment_name: 'churn', name: 'before-rename' }).expect(201);
      await mlflow('experiments/update', { experiment_id: oldId, new_name: 'churn-v2' }).expect(200);
      const newId = await createExperiment('churn');
      expect(newId).not.toBe(oldId);
      expect(await experimentId('churn')).toBe(newId);
      expect(await experimentId('churn-v2')).toBe(oldId);
      expect((await http().get(`${MLFLOW}/experiments/get`).query({ experiment_id: oldId }).expect(200)).body.experiment.name).toBe('churn-v2');
      await mlflow('experiments/create', { name: 'churn' }).expect(400);
      await http().post(`${ROOT}/experiments`).set(json).send({ name: 'churn-v2' }).expect(409);
      expect((await http().get(`${ROOT}/experiments/churn`).expect(200)).body.mlflow_id).toBe(newId);
      expect((await http().get(`${ROOT}/experiments/churn-v2`).expect(200)).body.mlflow_id).toBe(oldId);

      // Our API takes the name an experiment is called now.
      const after = await http().post(`${ROOT}/runs`).set(json).send({ experiment_name: 'churn', name: 'after-reuse' }).expect(201);
      const runsOf = async (name: string) => (await http().get(`${ROOT}/runs`).query({ experiment_name: name }).expect(200)).body.items.map((r: { run_id: string }) => r.run_id);
      expect(await runsOf('churn')).toEqual([after.body.run_id]);
      expect(await runsOf('churn-v2')).toEqual([before.body.run_id]);
      expect((await http().get(`${ROOT}/experiments/churn-v2`).expect(200)).body.run_counts.total).toBe(1);
      // Runs name their experiment by what it is called now.
      expect(after.body.experiment_name).toBe('churn');
      expect((await http().get(`${ROOT}/runs/${before.body.run_id}`).expect(200)).body.experiment_name).toBe('churn-v2');
      expect((await http().get(`${ROOT}/runs`).query({ experiment_name: 'churn-v2' }).expect(200)).body.items[0].experiment_name).toBe('churn-v2');
      const viaMlflow = await mlflow('runs/search', { experiment_ids: [newId] }).expect(200);
      expect(viaMlflow.body.runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual([after.body.run_id]);
      // PATCH by the old name reaches the new experiment, not the renamed one.
      await http().patch(`${ROOT}/experiments/churn`).set(json).send({ description: 'the second churn' }).expect(200);
      expect((await http().get(`${ROOT}/experiments/churn-v2`).expect(200)).body.description).not.toBe('the second churn');
    });

    it('creates a different registered model under an old name; versions, lists and deployments follow the name', async () => {
      await http().post(`${ROOT}/experiments`).set(json).send({ name: 'fraud-training' }).expect(201);
      const runId = (await http().post(`${ROOT}/runs`).set(json).send({ experiment_name: 'fraud-training' }).expect(201)).body.run_id;
      const register = (model_name: string) => http().post(`${ROOT}/models`).set(json).send({ model_name, run_id: runId, artifact_uri: `s3://models/${model_name}` });
      const first = await register('fraud').expect(201);
      expect(first.headers.location).toBe(`${ROOT}/models/fraud/1`);
      await http().post(`${ROOT}/deployments`).set(json).send({ model_name: 'fraud', model_version: 1, environment: 'development' }).expect(201);
      await mlflow('registered-models/set-tag', { name: 'fraud', key: 'generation', value: 'first' }).expect(200);
      await mlflow('registered-models/rename', { name: 'fraud', new_name: 'fraud-v2' }).expect(200);
      await http().get(`${ROOT}/models/fraud/1`).expect(404);

      const created = await mlflow('registered-models/create', { name: 'fraud', description: 'second' }).expect(200);
      expect(created.body.registered_model).toMatchObject({ name: 'fraud', description: 'second' });
      await mlflow('registered-models/create', { name: 'fraud-v2' }).expect(400);
      const second = (await http().get(`${MLFLOW}/registered-models/get`).query({ name: 'fraud' }).expect(200)).body.registered_model;
      expect(second.tags ?? []).toEqual([]);
      const renamed = (await http().get(`${MLFLOW}/registered-models/get`).query({ name: 'fraud-v2' }).expect(200)).body.registered_model;
      expect(renamed.tags).toEqual([{ key: 'generation', value: 'first' }]);

      // Our API takes the name a model is called now: a version of the new model, its own number 1.
      const again = await register('fraud').expect(201);
      expect(again.headers.location).toBe(`${ROOT}/models/fraud/1`);
      expect((await http().get(`${ROOT}/models/fraud/1`).expect(200)).body.artifact_uri).toBe('s3://models/fraud');
      expect((await http().get(`${ROOT}/models/fraud-v2/1`).expect(200)).body.model_name).toBe('fraud-v2');
      const versionsOf = async (name: string) => (await http().get(`${ROOT}/models`).query({ model_name: name }).expect(200)).body.items.length;
      expect([await versionsOf('fraud'), await versionsOf('fraud-v2')]).toEqual([1, 1]);
      await http().patch(`${ROOT}/models/fraud/1`).set(json).send({ description: 'of the second fraud' }).expect(200);
      expect((await http().get(`${ROOT}/models/fraud-v2/1`).expect(200)).body.description).not.toBe('of the second fraud');

      const deployed = await http().post(`${ROOT}/deployments`).set(json).send({ model_name: 'fraud', model_version: 1, environment: 'development' }).expect(201);
      const deploymentsOf = async (name: string) => (await http().get(`${ROOT}/deployments`).query({ model_name: name }).expect(200)).body.items.map((d: { deployment_id: string }) => d.deployment_id);
      expect(await deploymentsOf('fraud')).toEqual([deployed.body.deployment_id]);
      expect(await deploymentsOf('fraud-v2')).toHaveLength(1);
      expect(await deploymentsOf('fraud-v2')).not.toContain(deployed.body.deployment_id);
      // Deployments name their model by what it is called now.
      expect(deployed.body.model_name).toBe('fraud');
      const [old] = (await http().get(`${ROOT}/deployments`).query({ model_name: 'fraud-v2' }).expect(200)).body.items;
      expect((await http().get(`${ROOT}/deployments/${old.deployment_id}`).expect(200)).body.model_name).toBe('fraud-v2');
      expect(old.model_name).toBe('fraud-v2');
    });
  });

  it('publishes the name claims, and the streams of names used again, with events that match their schemas', async () => {
    const ours = (key: string) => /^(experiment_name|registered_model_name):/.test(key) || /^(experiment|model):(churn|fraud)\./.test(key);
    const stored = await mongo.db.collection('events').find({ stream_id: { $regex: '^(experiment_name|registered_model_name):|^(experiment|model):(churn|fraud)\\.' } }).toArray();
    const total = stored.reduce((n, commit) => n + commit.events.length, 0);
    expect(stored.some((commit) => commit.stream_id.startsWith('experiment:churn.'))).toBe(true);
    expect(stored.some((commit) => commit.stream_id.startsWith('model:fraud.'))).toBe(true);
    const published = (await readTopic(env.KAFKA_BROKERS, env.KAFKA_TOPIC_PREFIX + Topics.lifecycle, (all) => all.filter((e) => ours(e.key)).length >= total)).filter((e) => ours(e.key));
    expect(published).toHaveLength(total);
    const validator = new EventValidator([lifecycleCatalog]);
    for (const { event } of published) expect(validator.validate(event)).toEqual({ valid: true, errors: [] });
    const types = new Set(published.map((e) => (e.event as { type: string }).type));
    for (const type of ['name.claimed', 'name.released', 'experiment.created', 'experiment.renamed', 'registered_model.created', 'registered_model.renamed']) {
      expect(types).toContain(`mlops.lifecycle.${type}.v1`);
    }
  });
});
