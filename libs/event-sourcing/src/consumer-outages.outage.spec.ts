import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Topics } from '@mlops/events';
import {
  dropDatabase, eventually, isolatedEnv, PrivateKafka, ServiceProcess, startPrivateKafka, startServiceProcess, StoreRelay, storeRelay,
} from '@mlops/testing';

const LIFECYCLE = '/api/v1/ml/lifecycle';
const EVAL = '/api/v1/ml/evaluation';
const DATASETS = '/api/v1/features/datasets';
const OUTAGE_MS = 20_000;
const CSV = 'id,city\n1,Paris\n2,Berlin\n3,Rome\n';

type Service = 'lifecycle' | 'evaluation' | 'feature-store';
const SERVICES: Service[] = ['lifecycle', 'evaluation', 'feature-store'];

/** What a service acknowledged (2xx): it must be in the read models after recovery. */
interface Acknowledged {
  runs: string[];
  datasets: string[];
  experiments: string[];
  /** Writes sent, and acknowledged, while the outage lasted. */
  during: { sent: number; acknowledged: number };
}

/**
 * The lifecycle, evaluation and feature-store services as their own processes, reaching the
 * document store through a relay that can be cut and the broker through a private KRaft node that
 * can be killed: every consumer — projections, the evaluation worker (a reactor), the rebuild
 * poll, the outbox relay — must ride out each 20 s outage and resume without a process restart.
 */
describe('consumers through store and broker outages (own processes, real Kafka and store)', () => {
  const dataRoot = mkdtempSync(join(tmpdir(), 'outages-data-'));
  let relay: StoreRelay;
  let kafka: PrivateKafka;
  let env: Record<string, string>;
  const services = {} as Record<Service, ServiceProcess>;
  const databases: string[] = [];
  let written = 0;

  const call = async (service: Service, method: string, path: string, body?: unknown) => {
    const response = await fetch(services[service].url + path, {
      method,
      headers: { 'content-type': 'application/json', 'x-actor': 'ops' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    }).catch((error: Error) => ({ status: 0, ok: false, headers: new Headers(), json: async () => ({ error: error.message }) }));
    const answer = (await response.json().catch(() => ({}))) as Record<string, any>;
    // A 202 (the read model not there yet within the bound) names the resource only in Location.
    const id: string | undefined = answer.run_id ?? response.headers.get('location')?.split('/').pop();
    return { status: response.status, ok: response.ok, body: answer, id };
  };
  /** The readiness status, and what was not ready (the probes' answer) for failure messages. */
  const readiness = async (service: Service) => {
    const response = await fetch(services[service].url + '/health/ready', { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
    return { status: response?.status ?? 0, detail: response && !response.ok ? JSON.stringify(((await response.json().catch(() => ({}))) as { error?: unknown }).error ?? {}) : '' };
  };
  const ready = async (service: Service) => (await readiness(service)).status;

  /** One of each write: a run queued, a dataset registered, an experiment created; what was acknowledged is recorded. */
  async function writeEach(label: string, acknowledged: Acknowledged): Promise<void> {
    const n = ++written;
    const name = `${label}-${n}`;
    writeFileSync(join(dataRoot, 'raw', `${name}.csv`), CSV);
    const [run, dataset, experiment] = await Promise.all([
      call('evaluation', 'POST', `${EVAL}/runs`, { scenario_name: 'capitals', model_name: 'geo', model_version: 1, predictions: [{ id: 'q1', text: 'Paris' }] }),
      call('feature-store', 'POST', DATASETS, { name, source_type: 'csv', path: `raw/${name}.csv` }),
      call('lifecycle', 'POST', `${LIFECYCLE}/experiments`, { name }),
    ]);
    if (run.ok) acknowledged.runs.push(run.id!);
    if (dataset.ok) acknowledged.datasets.push(name);
    if (experiment.ok) acknowledged.experiments.push(name);
    if (label.endsWith('during')) {
      acknowledged.during.sent += 3;
      acknowledged.during.acknowledged += [run, dataset, experiment].filter((r) => r.ok).length;
    }
  }

  /** The sum of a counter family over a service's /metrics. */
  async function total(service: Service, family: string): Promise<number> {
    const metrics = await (await fetch(services[service].url + '/metrics')).text();
    return [...metrics.matchAll(new RegExp(`^${family}\\{[^}]*\\} (\\d+)$`, 'gm'))].reduce((sum, [, value]) => sum + Number(value), 0);
  }
  const setbacks = async () => {
    let sum = 0;
    for (const service of SERVICES) sum += (await total(service, 'mlops_consumer_failures_total')) + (await total(service, 'mlops_consumer_restarts_total'));
    return sum;
  };

  /**
   * Writes, then the outage: writes keep coming every 2 s and readiness is watched; then recovery.
   * Returns what was acknowledged and the readiness statuses seen during the outage.
   */
  async function throughOutage(label: string, begin: () => Promise<void>, end: () => Promise<void>) {
    const acknowledged: Acknowledged = { runs: [], datasets: [], experiments: [], during: { sent: 0, acknowledged: 0 } };
    const pids = SERVICES.map((service) => services[service].process.pid);
    const setbacksBefore = await setbacks();
    // Sent as the outage begins: their projections and the evaluation worker run into it (those acknowledged must land).
    const before = Promise.all([writeEach(`${label}-before`, acknowledged), writeEach(`${label}-before`, acknowledged)]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await begin();
    await before;
    const seen = Object.fromEntries(SERVICES.map((service) => [service, new Set<number>()])) as Record<Service, Set<number>>;
    const until = Date.now() + OUTAGE_MS;
    while (Date.now() < until) {
      await Promise.all([writeEach(`${label}-during`, acknowledged), ...SERVICES.map(async (service) => seen[service].add(await ready(service)))]);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    await end();
    await writeEach(`${label}-after`, acknowledged);

    await eventually(async () => {
      for (const service of SERVICES) {
        const { status, detail } = await readiness(service);
        expect({ service, ready: status, detail }).toEqual({ service, ready: 200, detail: '' });
      }
    }, 180_000, 500);
    await eventually(async () => {
      for (const id of acknowledged.runs) {
        const run = await call('evaluation', 'GET', `${EVAL}/runs/${id}`);
        expect({ id, status: run.body.status }).toEqual({ id, status: 'completed' });
      }
      for (const name of acknowledged.datasets) {
        const dataset = await call('feature-store', 'GET', `${DATASETS}/${name}`);
        expect({ name, status: dataset.status, rows: dataset.body.row_count }).toEqual({ name, status: 200, rows: 3 });
      }
      for (const name of acknowledged.experiments) {
        expect({ name, status: (await call('lifecycle', 'GET', `${LIFECYCLE}/experiments/${name}`)).status }).toEqual({ name, status: 200 });
      }
    }, 180_000, 500);
    // No process restarted (or died and came back): the same processes healed themselves.
    expect(SERVICES.map((service) => [services[service].process.pid, services[service].process.exitCode])).toEqual(pids.map((pid) => [pid, null]));
    for (const service of SERVICES) await expectConsumersRunning(service);
    // The outage did reach the consumers (failed batches or reactions, restarts), and they healed.
    expect(await setbacks()).toBeGreaterThan(setbacksBefore);
    return { acknowledged, seen };
  }

  /** Every consumer's gauge is 1 on /metrics, and there is at least one of each kind the service runs. */
  async function expectConsumersRunning(service: Service) {
    const metrics = await (await fetch(services[service].url + '/metrics')).text();
    const states = [...metrics.matchAll(/^mlops_consumer_state\{([^}]*)\} (\d+)$/gm)].map(([, labels, value]) => ({ consumer: /consumer="([^"]+)"/.exec(labels)![1], value: Number(value) }));
    expect(states.some(({ consumer }) => consumer.startsWith('projection:'))).toBe(true);
    expect(states.some(({ consumer }) => consumer === 'outbox-relay')).toBe(true);
    if (service === 'evaluation') expect(states.some(({ consumer }) => consumer === 'reactor:evaluation-worker')).toBe(true);
    expect(states.filter(({ value }) => value !== 1)).toEqual([]);
  }

  beforeAll(async () => {
    mkdirSync(join(dataRoot, 'raw'));
    [relay, kafka] = await Promise.all([storeRelay(isolatedEnv('probe').MONGO_URL), startPrivateKafka('outages')]);
    // The store through the relay, the private broker: both gone when the file's cleanup runs, which
    // therefore gets the shared servers' addresses (the private broker's topics go with its data).
    env = {
      ...isolatedEnv('outages', { READ_YOUR_WRITES_TIMEOUT_MS: '2000', FEATURE_STORE_DATA_ROOT: dataRoot, EVALUATION_DATA_ROOT: dataRoot }),
      KAFKA_BROKERS: kafka.brokers,
      MONGO_URL: relay.url,
    };
    // Made before the services start: three of them creating the same topics at once on a new broker race.
    const admin = new Kafka({ brokers: [kafka.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: Object.values(Topics).map((topic) => ({ topic: env.KAFKA_TOPIC_PREFIX + topic, numPartitions: 3 })) });
    await admin.disconnect();
    const started = await Promise.all(
      SERVICES.map((service) => {
        const database = `${env.MONGO_DB}_${service.replace('-', '_')}`;
        databases.push(database);
        return startServiceProcess(service, { ...env, MONGO_DB: database }, { timeoutMs: 240_000 });
      }),
    );
    SERVICES.forEach((service, i) => (services[service] = started[i]));

    // A model version (lifecycle) that evaluation learns of through the lifecycle topic, and a scenario.
    // Each step retried until acknowledged (2xx): the next one needs the previous in its read model.
    const acknowledgedEventually = (send: () => ReturnType<typeof call>) =>
      eventually(async () => {
        const response = await send();
        expect({ status: response.status, ok: response.ok, body: response.body }).toEqual({ status: response.status, ok: true, body: response.body });
        return response;
      }, 120_000, 500);
    await acknowledgedEventually(() => call('lifecycle', 'POST', `${LIFECYCLE}/experiments`, { name: 'geo' }));
    const run = await acknowledgedEventually(() => call('lifecycle', 'POST', `${LIFECYCLE}/runs`, { experiment_name: 'geo' }));
    await acknowledgedEventually(() => call('lifecycle', 'POST', `${LIFECYCLE}/models`, { model_name: 'geo', run_id: run.id, artifact_uri: 's3://models/geo/1' }));
    await acknowledgedEventually(() =>
      call('evaluation', 'POST', `${EVAL}/scenarios`, { name: 'capitals', task_type: 'text', cases: [{ id: 'q1', expected: 'Paris' }], assertions: [{ type: 'icontains', value: 'paris' }] }),
    );
    // Evaluation knows the model version (from the lifecycle topic) once a run can be queued against it.
    await acknowledgedEventually(() => call('evaluation', 'POST', `${EVAL}/runs`, { scenario_name: 'capitals', model_name: 'geo', model_version: 1, predictions: [{ id: 'q1', text: 'Paris' }] }));
  }, 400_000);

  afterAll(async () => {
    await Promise.all(
      SERVICES.map(async (service) => {
        const killer = setTimeout(() => services[service]?.process.kill('SIGKILL'), 30_000);
        await services[service]?.stop();
        clearTimeout(killer);
      }),
    );
    await relay?.close();
    await kafka?.destroy();
    const { MONGO_URL } = isolatedEnv('cleanup');
    for (const database of databases) await dropDatabase(MONGO_URL, database);
    rmSync(dataRoot, { recursive: true, force: true });
  }, 120_000);

  it('a 20 s store outage: not ready meanwhile, then every acknowledged run, dataset and experiment lands, with no restart', async () => {
    const { acknowledged, seen } = await throughOutage('store', () => relay.cut(), () => relay.restore());
    // At least the writes made after recovery; those sent as the store went away count if acknowledged.
    expect(acknowledged.runs.length).toBeGreaterThanOrEqual(1);
    expect(acknowledged.during.sent).toBeGreaterThan(0);
    for (const service of SERVICES) expect({ service, ready: [...seen[service]] }).toEqual({ service, ready: expect.arrayContaining([503]) });
    for (const service of SERVICES) expect({ service, ready: [...seen[service]] }).toEqual({ service, ready: expect.not.arrayContaining([200]) });
  }, 480_000);

  it('a broker outage (killed, down 20 s, restarted on its data): not ready meanwhile, then everything acknowledged lands, with no restart', async () => {
    const { acknowledged, seen } = await throughOutage('broker', () => kafka.kill(), () => kafka.restart());
    // The store stays up, so every write during the outage is acknowledged (202: the read model follows later).
    expect(acknowledged.during.sent).toBeGreaterThan(0);
    expect(acknowledged.during.acknowledged).toBe(acknowledged.during.sent);
    for (const service of SERVICES) expect({ service, ready: [...seen[service]] }).toEqual({ service, ready: expect.arrayContaining([503]) });
    for (const service of SERVICES) expect({ service, ready: [...seen[service]] }).toEqual({ service, ready: expect.not.arrayContaining([200]) });
  }, 480_000);
});
