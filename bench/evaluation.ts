/**
 * Evaluation Harness benchmark: a 100,000-case binary classification run end to end through the
 * gateway (scenario creation, POST /runs → 202, then queued → running → completed by the worker),
 * and the metric computation alone (in process, no I/O).
 *
 * Against a running platform (`bash tools/platform.sh up`) it uses GATEWAY_URL; without one it
 * starts its own gateway, lifecycle and evaluation processes on the local infrastructure
 * (`bash tools/infra.sh up`) under a private topic prefix and database, and stops them after.
 *
 *   npm run bench:evaluation          # BENCH_CASES=100000 BENCH_RUNS=3 GATEWAY_URL=http://127.0.0.1:8080
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { dropDatabase, isolatedEnv, ServiceProcess, startGateway, startServiceProcess } from '@mlops/testing';
import { parseInlineCases } from '../apps/evaluation/src/scenarios/scenario-cases';
import { DEFAULT_METRICS } from '../apps/evaluation/src/scenarios/scenario-definition';
import { accuracy, balancedAccuracy, logLoss, precisionRecallF1, rocAuc } from '../apps/evaluation/src/metrics/classification';
import { evaluate } from '../apps/evaluation/src/runs/evaluate';
import { parsePredictions } from '../apps/evaluation/src/runs/predictions';

const CASES = Number(process.env.BENCH_CASES ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const EVAL = '/api/v1/ml/evaluation';
const LIFECYCLE = '/api/v1/ml/lifecycle';
const headers = { 'content-type': 'application/json', 'x-actor': 'bench' };
const tag = Date.now().toString(36);
const round = (n: number) => Math.round(n * 10) / 10;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Deterministic data: a noisy score correlated with the label, three slices. */
function dataset(n: number) {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const cases = [];
  const predictions = [];
  for (let i = 0; i < n; i++) {
    const expected = random() < 0.4 ? 1 : 0;
    const score = Math.min(1, Math.max(0, expected * 0.3 + random() * 0.7));
    cases.push({ id: `c${i}`, expected, slices: { country: ['DE', 'FR', 'NL'][i % 3], plan: i % 2 ? 'pro' : 'free' } });
    predictions.push({ id: `c${i}`, label: score >= 0.5 ? 1 : 0, score, attributions: { tenure: random() - 0.5, plan: random() - 0.5, usage: random() - 0.5 } });
  }
  return { cases, predictions };
}

async function call(gateway: string, method: string, path: string, body?: unknown, expected = [200, 201, 202]) {
  const response = await fetch(gateway + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!expected.includes(response.status)) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

function metricComputation(data: ReturnType<typeof dataset>) {
  const definition = {
    description: '', tags: [], cases: { source: 'inline' as const, payload: { sha256: '', size_bytes: 0 }, case_count: CASES, slice_keys: ['country', 'plan'] },
    labels: [0, 1], positive_label: 1, metrics: DEFAULT_METRICS.binary_classification, thresholds: [{ metric: 'f1', min: 0.5, max: null }], assertions: [],
  };
  const cases = parseInlineCases('binary_classification', data.cases, CASES);
  const timings = { validate_ms: [] as number[], evaluate_ms: [] as number[], metrics_ms: [] as number[] };
  const yTrue = Int32Array.from(data.cases, (c) => c.expected);
  const yPred = Int32Array.from(data.predictions, (p) => p.label);
  const scores = Float64Array.from(data.predictions, (p) => p.score);
  const input = { classes: [0, 1], yTrue, yPred, positive: 1, scores };
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const predictions = parsePredictions('binary_classification', definition, cases, data.predictions);
    const t1 = performance.now();
    evaluate({ task: 'binary_classification', definition, cases, predictions, errorAnalysisLimit: 20 });
    const t2 = performance.now();
    for (const metric of [accuracy, balancedAccuracy, (i: typeof input) => precisionRecallF1(i, 'binary'), rocAuc, logLoss]) metric(input);
    timings.metrics_ms.push(performance.now() - t2);
    timings.validate_ms.push(t1 - t0);
    timings.evaluate_ms.push(t2 - t1);
  }
  return {
    cases: CASES,
    metrics: definition.metrics.length,
    slices: 5,
    repetitions: 5,
    metrics_only_ms: round(median(timings.metrics_ms)),
    match_and_validate_predictions_ms: round(median(timings.validate_ms)),
    full_report_ms: round(median(timings.evaluate_ms)),
  };
}

async function selfHosted(): Promise<{ gateway: string; stop: () => Promise<void> }> {
  const env = isolatedEnv('benchevaluation', { LOG_LEVEL: 'warn' });
  const lifecycleEnv = { ...env, MONGO_DB: `${env.MONGO_DB}_lc` };
  const [evaluation, lifecycle] = await Promise.all([startServiceProcess('evaluation', env), startServiceProcess('lifecycle', lifecycleEnv)]);
  const gateway: ServiceProcess = await startGateway({ EVALUATION_URL: evaluation.url, LIFECYCLE_URL: lifecycle.url, PROXY_TIMEOUT_MS: '120000' });
  return {
    gateway: gateway.url,
    stop: async () => {
      await gateway.stop();
      await Promise.all([evaluation.stop(), lifecycle.stop()]);
      await dropDatabase(env.MONGO_URL, env.MONGO_DB);
      await dropDatabase(env.MONGO_URL, lifecycleEnv.MONGO_DB);
    },
  };
}

async function main() {
  const data = dataset(CASES);
  const computation = metricComputation(data);
  console.table([computation]);

  const configured = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';
  const running = await fetch(`${configured}/health`).then(() => true).catch(() => false);
  const platform = running ? { gateway: configured, stop: async () => undefined } : await selfHosted();
  const { gateway } = platform;
  try {
    await call(gateway, 'POST', `${LIFECYCLE}/experiments`, { name: `bench-${tag}` });
    const run = await call(gateway, 'POST', `${LIFECYCLE}/runs`, { experiment_name: `bench-${tag}` });
    const model = `bench-${tag}`;
    await call(gateway, 'POST', `${LIFECYCLE}/models`, { model_name: model, run_id: run.run_id, artifact_uri: 's3://bench/model' });

    const scenario = `bench-${tag}`;
    const body = { name: scenario, task_type: 'binary_classification', cases: data.cases, thresholds: { f1: { min: 0.5 }, roc_auc: { min: 0.6 } } };
    const t0 = performance.now();
    await call(gateway, 'POST', `${EVAL}/scenarios`, body);
    const scenarioMs = performance.now() - t0;

    const rows = [];
    for (let i = 0; i < RUNS; i++) {
      const runBody = { scenario_name: scenario, model_name: model, model_version: 1, predictions: data.predictions };
      const sent = performance.now();
      let queued;
      // The model version reaches evaluation through the lifecycle topic: the first attempt may be early.
      for (let attempt = 0; ; attempt++) {
        try {
          queued = await call(gateway, 'POST', `${EVAL}/runs`, runBody, [202]);
          break;
        } catch (error) {
          if (attempt > 50 || !String(error).includes(' 404 ')) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
      const accepted = performance.now();
      let doc;
      for (;;) {
        doc = await call(gateway, 'GET', `${EVAL}/runs/${queued.run_id}`);
        if (doc.status === 'completed' || doc.status === 'failed') break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const done = performance.now();
      if (doc.status !== 'completed') throw new Error(`run failed: ${doc.failure_reason}`);
      const reportStart = performance.now();
      await call(gateway, 'GET', `${EVAL}/runs/${queued.run_id}/report`);
      rows.push({
        run: i + 1,
        cases: CASES,
        post_to_202_ms: round(accepted - sent),
        queued_to_completed_ms: Date.parse(doc.completed_at) - Date.parse(doc.queued_at),
        post_to_completed_seen_ms: round(done - sent),
        report_ms: round(performance.now() - reportStart),
        gate_passed: doc.gate.passed,
      });
    }
    console.table([{ scenario: `POST /scenarios with ${CASES} inline cases`, ms: round(scenarioMs), body_mb: round(JSON.stringify(body).length / 1e6) }]);
    console.table(rows);
    const report = { gateway, self_hosted: !running, machine: { cpus: cpus().length, node: process.version }, metric_computation: computation, scenario_create_ms: round(scenarioMs), runs: rows };
    const dir = join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `evaluation-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2));
    console.log(`written ${file}`);
  } finally {
    await platform.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
