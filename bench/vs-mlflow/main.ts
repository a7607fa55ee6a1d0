/**
 * Side-by-side benchmark: our lifecycle API through the gateway vs `mlflow server` on the same
 * PostgreSQL, the same load tool (autocannon), the same data, rounds alternated ours, MLflow, ours,
 * MLflow. See bench/README.md for what each row measures.
 *
 *   npm run bench:vs-mlflow                          # every scenario, BENCH_DURATION_S=20, BENCH_ROUNDS=2
 *   npm run bench:vs-mlflow -- --quick               # 5 s rounds, smaller seeds (smoke run)
 *   npm run bench:vs-mlflow -- --only ingest100,get-experiment
 *   npm run bench:vs-mlflow -- --replicas 3          # adds: unloaded POST p50 on 3 extra lifecycle replicas
 *   npm run bench:vs-mlflow -- --growth              # ours only: empty store vs after 100,000 commits / 10,000 runs
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { mongo } from 'mongoose';
import { load, percentile, round } from './load';
import { runClientLogBatch } from './client-log-batch';
import { ensureVenv, startMlflow } from './mlflow-server';
import { cleanupAll, freePort, onCleanup, runOrThrow, spawnGroup, waitHttpOk } from './processes';
import { Better, formatFigure, formatMet, formatRatio, markdownTable, median, RoundFigure, speedRatio, summarise, Target } from './report';
import { seedGrowth } from './growth-seed';
import { Mlflow, Ours, points, System } from './systems';
import { untilQuiet } from './quiet';

const ROOT = join(__dirname, '..', '..');
const RESULTS = join(ROOT, 'bench', 'results');
const EXPERIMENTS = '/api/v1/ml/lifecycle/experiments';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    growth: { type: 'boolean', default: false },
    only: { type: 'string' },
    replicas: { type: 'string' },
    'no-mlflow': { type: 'boolean', default: false },
  },
});

const quick = args.quick!;
const env = (name: string, full: number, small: number) => Number(process.env[name] ?? (quick ? small : full));
const settings = {
  duration_s: env('BENCH_DURATION_S', 20, 5),
  rounds: env('BENCH_ROUNDS', 2, 2),
  ingest_clients: env('BENCH_INGEST_CLIENTS', 16, 16),
  create_clients: env('BENCH_CREATE_CLIENTS', 16, 16),
  get_connections: env('BENCH_GET_CONNECTIONS', 32, 32),
  get_experiments: env('BENCH_GET_EXPERIMENTS', 200, 50),
  history_points: env('BENCH_HISTORY_POINTS', 10_000, 2_000),
  history_reads: env('BENCH_HISTORY_READS', 3, 2),
  search_runs: env('BENCH_SEARCH_RUNS', 5_000, 500),
  page_size: 100,
  first_page_reads: env('BENCH_FIRST_PAGE_READS', 20, 10),
  walks: env('BENCH_WALKS', 2, 1),
  sequential_batches: env('BENCH_SEQUENTIAL_BATCHES', 150, 60),
  overhead_samples: env('BENCH_OVERHEAD_SAMPLES', 300, 100),
  replica_samples: env('BENCH_REPLICA_SAMPLES', 100, 30),
  growth_commits: env('BENCH_GROWTH_COMMITS', 100_000, 10_000),
  growth_runs: env('BENCH_GROWTH_RUNS', 10_000, 1_000),
  growth_points_per_update: env('BENCH_GROWTH_POINTS_PER_COMMIT', 1, 1),
  client_batch: env('BENCH_CLIENT_BATCH', 100, 100),
  client_processes: env('BENCH_CLIENT_PROCESSES', 8, 4),
  client_warmup_s: env('BENCH_CLIENT_WARMUP_S', 20, 20),
};
const tag = `vs${Date.now().toString(36)}`;
const log = (message: string) => console.error(`[bench] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What one system holds for the scenarios, seeded before anything is timed. */
interface Seeded {
  experimentNames: string[];
  searchExperiment: string;
  historyRun: string;
  ingestExperiment: string;
}

interface Scenario {
  id: string;
  title: string;
  unit: string;
  better: Better;
  target?: Target;
  oursOnly?: boolean;
  measure(system: System, seeded: Seeded, round: number): Promise<{ figure: number } & Record<string, unknown>>;
}

interface Context {
  ours: Ours;
  /** Our lifecycle service itself, not through the gateway. */
  direct: string;
}

function scenarios(ctx: Context): Scenario[] {
  const newRuns = async (system: System, seeded: Seeded, count: number, label: string) => {
    const runs: string[] = [];
    for (let i = 0; i < count; i++) runs.push(await system.createRun(seeded.ingestExperiment, `${label}-${i}`));
    return runs;
  };
  const ingest = (id: string, batch: number, target: Target): Scenario => ({
    id,
    title: batch === 1 ? `metric ingest, 1 point per request, ${settings.ingest_clients} clients` : `metric ingest, ${batch}-point batches, ${settings.ingest_clients} clients`,
    unit: 'points/s',
    better: 'higher',
    target,
    measure: async (system, seeded, r) => {
      // Fresh runs each round, one per client: a run's batches are sequential, as a training loop logs them.
      const runs = await newRuns(system, seeded, settings.ingest_clients, `${id}-r${r}`);
      const result = await load(
        system.url,
        settings.duration_s,
        runs.map((run) => ({ connections: 1, requests: system.ingestRequests(run, batch) })),
        system.headers,
      );
      return { figure: round(result.rps * batch, 0), requests_per_s: result.rps, ...result };
    },
  });
  const timedReads = async (times: number, read: () => Promise<{ items: number; pages: number }>, expectItems: number) => {
    const ms: number[] = [];
    let pages = 0;
    for (let i = 0; i < times; i++) {
      const started = performance.now();
      const walk = await read();
      ms.push(performance.now() - started);
      if (walk.items !== expectItems) throw new Error(`read ${walk.items} items, expected ${expectItems}`);
      pages = walk.pages;
    }
    return { ms, pages };
  };
  return [
    ingest('ingest100', 100, { text: '≥ 5× MLflow', minSpeedRatio: 5 }),
    ingest('ingest1', 1, { text: '≥ 2× MLflow', minSpeedRatio: 2 }),
    {
      id: 'create-experiment',
      title: `create experiment, ${settings.create_clients} clients`,
      unit: 'rps',
      better: 'higher',
      target: { text: '≥ 2× MLflow', minSpeedRatio: 2 },
      measure: async (system, _seeded, r) => {
        const result = await load(
          system.url,
          settings.duration_s,
          [{ connections: settings.create_clients, requests: system.createExperimentRequests(`${tag}-create-r${r}`) }],
          system.headers,
        );
        return { figure: result.rps, ...result };
      },
    },
    {
      id: 'get-experiment',
      title: `GET experiment by name, ${settings.get_connections} connections`,
      unit: 'rps',
      better: 'higher',
      target: { text: '≥ 3× MLflow', minSpeedRatio: 3 },
      measure: async (system, seeded) => {
        const result = await load(
          system.url,
          settings.duration_s,
          [{ connections: settings.get_connections, requests: system.getExperimentRequests(seeded.experimentNames) }],
          system.headers,
        );
        return { figure: result.rps, ...result };
      },
    },
    {
      id: 'history',
      title: `read a ${settings.history_points.toLocaleString('en-US')}-point metric history whole`,
      unit: 's',
      better: 'lower',
      target: { text: '≤ ½ MLflow’s time', minSpeedRatio: 2 },
      measure: async (system, seeded) => {
        const { ms, pages } = await timedReads(settings.history_reads, () => system.readHistory(seeded.historyRun, 'loss'), settings.history_points);
        return { figure: round(percentile(ms, 50) / 1000, 3), reads_ms: ms.map((m) => round(m)), pages };
      },
    },
    {
      id: 'first-page',
      title: `first page of 100 runs of an experiment with ${settings.search_runs.toLocaleString('en-US')} runs`,
      unit: 'ms',
      better: 'lower',
      target: { text: '≤ MLflow’s time', minSpeedRatio: 1 },
      measure: async (system, seeded) => {
        const { ms } = await timedReads(settings.first_page_reads, () => system.firstPage(seeded.searchExperiment, settings.page_size), settings.page_size);
        return { figure: round(percentile(ms, 50)), reads_ms: ms.map((m) => round(m)) };
      },
    },
    {
      id: 'walk',
      title: `walk all ${settings.search_runs.toLocaleString('en-US')} runs in pages of 100`,
      unit: 's',
      better: 'lower',
      target: { text: '≤ MLflow’s time', minSpeedRatio: 1 },
      measure: async (system, seeded) => {
        const { ms, pages } = await timedReads(settings.walks, () => system.walkRuns(seeded.searchExperiment, settings.page_size), settings.search_runs);
        return { figure: round(percentile(ms, 50) / 1000, 3), reads_ms: ms.map((m) => round(m)), pages };
      },
    },
    {
      id: 'sequential',
      title: `one client, ${settings.sequential_batches} batches of 100 into one run: p50 of the last third`,
      unit: 'ms',
      better: 'lower',
      measure: async (system, seeded, r) => {
        const [run] = await newRuns(system, seeded, 1, `sequential-r${r}`);
        const ms: number[] = [];
        for (let i = 0; i < settings.sequential_batches; i++) {
          const started = performance.now();
          await system.logBatch(run, points(i * 100, 100));
          ms.push(performance.now() - started);
        }
        const third = Math.floor(settings.sequential_batches / 3);
        const first = round(percentile(ms.slice(0, third), 50));
        const last = round(percentile(ms.slice(-third), 50));
        return { figure: last, first_third_p50_ms: first, last_third_p50_ms: last, batches: ms.length };
      },
    },
    {
      id: 'client-log-batch',
      title: `mlflow client log_batch, ${settings.client_batch}-metric batches, ${settings.client_processes} client processes`,
      unit: 'points/s',
      better: 'higher',
      // The same Python code against both: only the tracking URI differs (ours: the gateway, which serves /api/2.0/mlflow).
      measure: (system, _seeded, r) =>
        runClientLogBatch({
          python: join(ensureVenv(), 'python'),
          trackingUri: system.url,
          experiment: `${tag}-client-log-batch-r${r}`,
          batch: settings.client_batch,
          clients: settings.client_processes,
          seconds: settings.duration_s,
          warmupSeconds: settings.client_warmup_s,
          token: system.name === 'ours' ? process.env.BENCH_MLFLOW_TOKEN : undefined,
        }),
    },
    {
      id: 'gateway-overhead',
      title: 'gateway overhead, unloaded GET: p50 via gateway − p50 direct',
      unit: 'ms',
      better: 'lower',
      target: { text: '≤ 1 ms', maxOurs: 1 },
      oursOnly: true,
      measure: async (system, seeded) => {
        // Unloaded: after the load of the scenarios before it has been digested.
        const settled = await untilQuiet();
        const path = `${EXPERIMENTS}/${encodeURIComponent(seeded.experimentNames[0])}`;
        const via: number[] = [];
        const direct: number[] = [];
        const timed = async (url: string, into: number[]) => {
          const started = performance.now();
          const response = await fetch(url, { headers: system.headers });
          await response.arrayBuffer();
          if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`);
          into.push(performance.now() - started);
        };
        // Interleaved, so drift in the machine's load hits both alike.
        for (let i = 0; i < settings.overhead_samples; i++) {
          await timed(system.url + path, via);
          await timed(ctx.direct + path, direct);
        }
        const gw = percentile(via, 50);
        const svc = percentile(direct, 50);
        return { figure: round(gw - svc, 2), via_gateway_p50_ms: round(gw, 2), direct_p50_ms: round(svc, 2), samples: via.length, settled };
      },
    },
  ];
}

async function seedSystem(system: System, selected: Set<string>): Promise<Seeded> {
  const started = performance.now();
  const seeded: Seeded = { experimentNames: [], searchExperiment: '', historyRun: '', ingestExperiment: '' };
  seeded.ingestExperiment = await system.createExperiment(`${tag}-ingest`);
  if (selected.has('get-experiment') || selected.has('gateway-overhead')) {
    const count = selected.has('get-experiment') ? settings.get_experiments : 1;
    for (let i = 0; i < count; i++) {
      const name = `${tag}-get-${i}`;
      await system.createExperiment(name);
      seeded.experimentNames.push(name);
    }
  }
  if (selected.has('history')) {
    const handle = await system.createExperiment(`${tag}-history`);
    seeded.historyRun = await system.createRun(handle, 'history');
    for (let step = 0; step < settings.history_points; step += 1000) {
      const count = Math.min(1000, settings.history_points - step);
      // One key only, so the history holds exactly history_points points.
      await system.logBatch(seeded.historyRun, points(step, count, ['loss']));
    }
    for (let i = 0; (await system.readHistory(seeded.historyRun, 'loss')).items < settings.history_points; i++) {
      if (i > 600) throw new Error(`${system.name}: the seeded history is incomplete`);
      await sleep(500);
    }
  }
  if (selected.has('first-page') || selected.has('walk')) {
    seeded.searchExperiment = await system.createExperiment(`${tag}-search`);
    let next = 0;
    const worker = async () => {
      while (next < settings.search_runs) {
        const i = next++;
        await system.createRun(seeded.searchExperiment, `run-${String(i).padStart(5, '0')}`, { fast: true });
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    // The fast path did not wait for our read model: wait until a walk sees every run.
    for (let i = 0; ; i++) {
      const walk = await system.walkRuns(seeded.searchExperiment, 500);
      if (walk.items === settings.search_runs) break;
      if (i > 600) throw new Error(`${system.name}: ${walk.items} of ${settings.search_runs} seeded runs visible`);
      await sleep(500);
    }
  }
  log(`${system.name}: seeded in ${round((performance.now() - started) / 1000)} s`);
  return seeded;
}

interface ScenarioResult {
  id: string;
  title: string;
  unit: string;
  better: Better;
  rounds: RoundFigure[];
}

/** Rounds alternate the systems: ours, MLflow, ours, MLflow, … */
async function runScenarios(list: Scenario[], systems: System[], seeded: Map<System, Seeded>, label = ''): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const scenario of list) {
    const rounds: RoundFigure[] = [];
    const takingPart = systems.filter((s) => !scenario.oursOnly || s.name === 'ours');
    for (let r = 0; r < settings.rounds; r++) {
      for (const system of takingPart) {
        const figure = await scenario.measure(system, seeded.get(system)!, r);
        rounds.push({ ...figure, system: system.name, round: r + 1 });
        log(`${label}${scenario.id} round ${r + 1} ${system.name}: ${formatFigure(figure.figure, scenario.unit)}`);
      }
    }
    results.push({ id: scenario.id, title: scenario.title, unit: scenario.unit, better: scenario.better, rounds });
  }
  return results;
}

/** --replicas N: unloaded POST /experiments p50 straight to each of N extra lifecycle processes vs the one alone. */
async function measureReplicas(count: number, ctx: Context) {
  const post = async (base: string, samples: number, label: string) => {
    const ms: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      const response = await fetch(base + EXPERIMENTS, { method: 'POST', headers: ctx.ours.headers, body: JSON.stringify({ name: `${tag}-${label}-${i}` }) });
      await response.arrayBuffer();
      if (response.status !== 201 && response.status !== 202) throw new Error(`POST ${base}: ${response.status}`);
      ms.push(performance.now() - started);
    }
    return round(percentile(ms, 50), 2);
  };
  await post(ctx.direct, 10, 'warm');
  const single = await post(ctx.direct, settings.replica_samples, 'single');
  log(`replicas: single replica p50 ${single} ms`);
  const infra = readEnvFile(join(ROOT, '.cache', 'infra', 'env'));
  const dataRoot = process.env.MLOPS_DATA_ROOT ?? join(ROOT, 'data');
  const started = [];
  for (let i = 0; i < count; i++) {
    const port = 3012 + i;
    const proc = spawnGroup(`lifecycle replica :${port}`, process.execPath, [join(ROOT, 'dist/apps/lifecycle/src/main.js')], {
      cwd: ROOT,
      log: join(ROOT, '.cache', 'bench', `lifecycle-${port}.log`),
      // What tools/platform.sh gives lifecycle: the infra env file, the data roots, the rest default.
      env: { ...process.env, ...infra, FEATURE_STORE_DATA_ROOT: dataRoot, EVALUATION_DATA_ROOT: dataRoot, PORT: String(port) },
    });
    started.push({ port, proc });
  }
  for (const { port, proc } of started) await waitHttpOk(`http://127.0.0.1:${port}/health/ready`, 120, proc);
  // Let the consumer groups settle on their new members before timing anything.
  for (const { port } of started) await post(`http://127.0.0.1:${port}`, 10, `warm-${port}`);
  await sleep(5000);
  const replicas: { port: number; p50_ms: number }[] = [];
  for (const { port } of started) {
    replicas.push({ port, p50_ms: await post(`http://127.0.0.1:${port}`, settings.replica_samples, `replica-${port}`) });
    log(`replicas: :${port} p50 ${replicas.at(-1)!.p50_ms} ms`);
  }
  const original = await post(ctx.direct, settings.replica_samples, 'original-with-replicas');
  for (const { proc } of started) await proc.stop();
  const worst = Math.max(...replicas.map((r) => r.p50_ms));
  return { samples: settings.replica_samples, single_p50_ms: single, replicas, original_with_replicas_p50_ms: original, worst_over_single: round(worst / single, 2) };
}

function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => [m[1], m[2].replace(/^["']|["']$/g, '')] as const);
  return Object.fromEntries(entries);
}

/** The platform on :8080, started (and stopped at the end) only when it is not running. */
async function ensurePlatform(gateway: string): Promise<void> {
  const health = await fetch(`${gateway}/health`).catch(() => null);
  if (health?.ok) return;
  log(health ? `the platform answers ${health.status}: bash tools/platform.sh up` : 'no platform running: bash tools/platform.sh up (stopped again at the end)');
  if (!health) onCleanup('platform', async () => void runOrThrow('bash', [join(ROOT, 'tools/platform.sh'), 'down'], { cwd: ROOT }));
  runOrThrow('bash', [join(ROOT, 'tools/platform.sh'), 'up'], { cwd: ROOT });
  await waitHttpOk(`${gateway}/health`, 120);
}

/** --growth: our own lifecycle + gateway on a private database and topic prefix, dropped at the end. */
async function startIsolatedLifecycle(): Promise<{ gateway: string; direct: string; mongoUrl: string; db: string }> {
  const infra = readEnvFile(join(ROOT, '.cache', 'infra', 'env'));
  const mongoUrl = process.env.MONGO_URL ?? infra.MONGO_URL ?? 'mongodb://127.0.0.1:27017/';
  const brokers = process.env.KAFKA_BROKERS ?? infra.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const db = `bench_${tag}`;
  const prefix = `bench.${tag}.`;
  log('building dist/ (npm run build)');
  runOrThrow('npm', ['run', '--silent', 'build'], { cwd: ROOT, quiet: true });
  onCleanup('growth database and topics', async () => {
    const client = new mongo.MongoClient(mongoUrl);
    await client.connect();
    await client.db(db).dropDatabase();
    await client.close();
    const admin = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics });
    await admin.disconnect();
  });
  const lifecyclePort = await freePort();
  const lifecycle = spawnGroup('lifecycle (growth)', process.execPath, [join(ROOT, 'dist/apps/lifecycle/src/main.js')], {
    cwd: ROOT,
    log: join(ROOT, '.cache', 'bench', `lifecycle-${tag}.log`),
    env: { ...process.env, ...infra, HOST: '127.0.0.1', PORT: String(lifecyclePort), MONGO_DB: db, KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: 'warn' },
  });
  const direct = `http://127.0.0.1:${lifecyclePort}`;
  await waitHttpOk(`${direct}/health/ready`, 120, lifecycle);
  const gatewayPort = await freePort();
  const gw = spawnGroup('gateway (growth)', process.execPath, [join(ROOT, 'dist/apps/gateway/src/main.js')], {
    cwd: ROOT,
    log: join(ROOT, '.cache', 'bench', `gateway-${tag}.log`),
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(gatewayPort), LIFECYCLE_URL: direct, LOG_LEVEL: 'warn' },
  });
  const gateway = `http://127.0.0.1:${gatewayPort}`;
  await waitHttpOk(`${gateway}/health/ready`, 120, gw);
  return { gateway, direct, mongoUrl, db };
}

async function growStore(ours: Ours, iso: { mongoUrl: string; db: string }) {
  const experiments: string[] = [];
  for (let i = 0; i < 10; i++) experiments.push(await ours.createExperiment(`${tag}-growth-${i}`));
  log(`growth: appending ${settings.growth_commits.toLocaleString('en-US')} commits for ${settings.growth_runs.toLocaleString('en-US')} runs`);
  const seeded = await seedGrowth({
    mongoUrl: iso.mongoUrl,
    db: iso.db,
    experiments,
    runs: settings.growth_runs,
    commits: settings.growth_commits,
    pointsPerUpdate: settings.growth_points_per_update,
    onProgress: (done) => log(`growth: ${done.toLocaleString('en-US')} commits appended`),
  });
  log(`growth: ${seeded.commits.toLocaleString('en-US')} commits appended in ${round(seeded.seconds)} s; waiting for the projections`);
  const started = performance.now();
  const perExperiment = settings.growth_runs / experiments.length;
  for (let i = 0; ; i++) {
    const getJson = async (path: string): Promise<any> => (await fetch(ours.url + path)).json();
    const counts = await Promise.all(experiments.map(async (name) => (await getJson(`${EXPERIMENTS}/${name}`)).run_counts.total as number));
    const versions = await Promise.all(seeded.sample.map(async (s) => (await getJson(`/api/v1/ml/lifecycle/runs/${s.run_id}`)).version as number));
    const caughtUp = seeded.sample.filter((s, j) => versions[j] === s.version).length;
    if (counts.every((c) => c >= perExperiment) && caughtUp === seeded.sample.length) break;
    if (i % 20 === 0) {
      log(`growth: ${counts.reduce((a, b) => a + b, 0)} runs in the read model, ${caughtUp}/${seeded.sample.length} sampled runs at their last version`);
    }
    await sleep(500);
  }
  return { ...seeded, sample: seeded.sample.length, projected_after_s: round((performance.now() - started) / 1000) };
}

function gitCommit(): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'apps', 'libs'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return { commit, dirty };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

function machine() {
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model,
    memory_gib: round(totalmem() / 2 ** 30, 1),
    loadavg_at_start: loadavg().map((l) => round(l, 2)),
  };
}

function comparisonTable(results: ScenarioResult[], list: Scenario[]): string {
  const rows = results.map((result) => {
    const scenario = list.find((s) => s.id === result.id)!;
    const summary = summarise(result.rounds, result.better, scenario.target);
    let ours = formatFigure(summary.ours, result.unit);
    let theirs = formatFigure(summary.mlflow, result.unit);
    if (result.id === 'sequential') {
      const show = (system: string) => {
        const rounds = result.rounds.filter((r) => r.system === system);
        if (!rounds.length) return '—';
        const first = rounds.map((r) => r.first_third_p50_ms as number);
        const last = rounds.map((r) => r.last_third_p50_ms as number);
        return `${formatFigure(median(first), 'ms')} → ${formatFigure(median(last), 'ms')}`;
      };
      ours = show('ours');
      theirs = show('mlflow');
    }
    // A 202 is stored but answered before its read model caught up: say how many there were.
    const oursRounds = result.rounds.filter((r) => r.system === 'ours' && typeof r.accepted_202 === 'number');
    const accepted = oursRounds.reduce((sum, r) => sum + (r.accepted_202 as number), 0);
    const answered = oursRounds.reduce((sum, r) => sum + (r.ok as number), 0);
    if (accepted) ours += ` (${Math.round((100 * accepted) / answered)} % were 202)`;
    return { row: [result.title, ours, theirs, formatRatio(summary.speed_ratio), summary.target, formatMet(summary.met)], summary };
  });
  return markdownTable(['scenario', 'ours', 'MLflow', 'speed ours/MLflow (>1: ours faster)', 'target', 'met'], rows.map((r) => r.row), [1, 2, 3]);
}

function growthTable(empty: ScenarioResult[], grown: ScenarioResult[]): string {
  const rows = empty.map((before) => {
    const after = grown.find((g) => g.id === before.id)!;
    const of = (r: ScenarioResult) => summarise(r.rounds, r.better).ours;
    const a = of(before);
    const b = of(after);
    // Overhead is a difference near zero: compare it against the 1 ms bound instead of as a ratio.
    const ratio = before.id === 'gateway-overhead' || a === null || b === null ? null : speedRatio(b, a, before.better);
    const met = before.id === 'gateway-overhead' ? (b === null ? null : b <= 1) : ratio === null ? null : ratio >= 0.8;
    return [before.title, formatFigure(a, before.unit), formatFigure(b, before.unit), formatRatio(ratio), before.id === 'gateway-overhead' ? '≤ 1 ms' : '≥ 0.80×', formatMet(met)];
  });
  return markdownTable(['scenario', 'empty store', 'grown store', 'speed grown/empty (>1: faster when grown)', 'target', 'met'], rows, [1, 2, 3]);
}

async function main() {
  const growth = args.growth!;
  const replicaCount = args.replicas === undefined ? 0 : Number(args.replicas);
  if (!Number.isInteger(replicaCount) || replicaCount < 0 || replicaCount > 3) throw new Error('--replicas takes 1, 2 or 3 (ports 3012..3014)');
  if (growth && replicaCount) throw new Error('--growth and --replicas are separate runs');
  const gatewayUrl = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';
  const date = new Date().toISOString();
  const started = performance.now();

  let ours: Ours;
  let direct: string;
  let iso: Awaited<ReturnType<typeof startIsolatedLifecycle>> | undefined;
  if (growth) {
    iso = await startIsolatedLifecycle();
    ours = new Ours(iso.gateway);
    direct = iso.direct;
  } else {
    await ensurePlatform(gatewayUrl);
    ours = new Ours(gatewayUrl);
    direct = process.env.BENCH_LIFECYCLE_URL ?? 'http://127.0.0.1:3002';
  }
  const ctx: Context = { ours, direct };
  const all = scenarios(ctx);
  const wanted = args.only ? new Set(args.only.split(',').map((s) => s.trim()).filter(Boolean)) : null;
  const known = new Set([...all.map((s) => s.id), 'replicas']);
  for (const id of wanted ?? []) if (!known.has(id)) throw new Error(`--only: unknown scenario ${id}; known: ${[...known].join(', ')}`);
  const list = all.filter((s) => !wanted || wanted.has(s.id));
  const selected = new Set(list.map((s) => s.id));

  const withMlflow = !growth && !args['no-mlflow'] && list.some((s) => !s.oursOnly);
  const systems: System[] = [ours];
  let mlflowInfo: { version: string; workers: number; database: string } | null = null;
  if (withMlflow) {
    log('starting mlflow server');
    const server = await startMlflow({ logDir: join(ROOT, '.cache', 'bench') });
    mlflowInfo = { version: server.version, workers: server.workers, database: server.database };
    log(`mlflow ${server.version} at ${server.url} (${server.workers} workers, database ${server.database})`);
    systems.push(new Mlflow(server.url));
  }

  const seeded = new Map<System, Seeded>();
  if (list.length) for (const system of systems) seeded.set(system, await seedSystem(system, selected));

  const report: Record<string, unknown> = {
    date,
    mode: growth ? 'growth' : 'vs-mlflow',
    git: gitCommit(),
    machine: machine(),
    versions: { node: process.version, mlflow: mlflowInfo?.version ?? null },
    mlflow: mlflowInfo,
    settings: { ...settings, quick, only: wanted ? [...wanted] : null, replicas: replicaCount, gateway: ours.url, lifecycle: direct },
  };
  const tables: string[] = [];
  if (growth) {
    const empty = await runScenarios(list, systems, seeded, 'empty: ');
    const grew = await growStore(ours, iso!);
    const grown = await runScenarios(list, systems, seeded, 'grown: ');
    Object.assign(report, { growth: grew, empty_store: empty, grown_store: grown });
    tables.push(growthTable(empty, grown));
  } else {
    const results = await runScenarios(list, systems, seeded);
    report.scenarios = results.map((r) => ({ ...r, summary: summarise(r.rounds, r.better, list.find((s) => s.id === r.id)!.target) }));
    if (results.length) tables.push(comparisonTable(results, list));
    if (replicaCount && (!wanted || wanted.has('replicas'))) {
      const replicas = await measureReplicas(replicaCount, ctx);
      report.replicas = replicas;
      tables.push(
        markdownTable(
          ['unloaded POST /experiments, one at a time', 'p50 ms', 'target', 'met'],
          [
            ['single replica (:3002 alone)', String(replicas.single_p50_ms), '', ''],
            ...replicas.replicas.map((r) => [`replica :${r.port} (with ${replicaCount} extra)`, String(r.p50_ms), '', '']),
            [':3002 while the replicas run', String(replicas.original_with_replicas_p50_ms), '', ''],
            [`worst replica / single`, `${replicas.worst_over_single}×`, '≤ 1.2×', formatMet(replicas.worst_over_single <= 1.2)],
          ],
          [1],
        ),
      );
    }
  }
  (report.machine as Record<string, unknown>).loadavg_at_end = loadavg().map((l) => round(l, 2));
  report.wall_s = round((performance.now() - started) / 1000);

  const heading = growth
    ? `Growth: ours on an empty store vs after ${settings.growth_commits.toLocaleString('en-US')} commits / ${settings.growth_runs.toLocaleString('en-US')} runs`
    : `Ours vs MLflow ${mlflowInfo?.version ?? ''} (same PostgreSQL, autocannon, ${settings.rounds} rounds of ${settings.duration_s} s alternated)`;
  console.log(`\n${heading} — ${date}, ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  console.log(tables.join('\n\n'));
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, `${growth ? 'growth' : 'vs-mlflow'}-${date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(`\nwritten ${file}`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
