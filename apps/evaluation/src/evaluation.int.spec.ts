import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { CloudEvent, evaluationCatalog, EventValidator, featureStoreCatalog, lifecycleCatalog, Topics } from '@mlops/events';
import { EventStore, reactorEventsHandled, requestRebuild, storedEvents } from '@mlops/event-sourcing';
import {
  connectMongo, countStoredEvents, dropDatabase, eventually, isolatedEnv, listen, publishRaw, readTopic, RunningApp, ServiceProcess, sortById, startGateway, startServiceProcess,
} from '@mlops/testing';
import golden from '../fixtures/sklearn/golden.json';
import { createEvaluationApp } from './app';

const EVAL = '/api/v1/ml/evaluation';
const LIFECYCLE = '/api/v1/ml/lifecycle';
const json = { 'content-type': 'application/json' };
const fixture = (name: string) => golden.classification.find((c) => c.name === name)! as unknown as {
  y_true: (number | string)[]; y_pred: (number | string)[]; y_score?: number[]; y_proba?: number[][]; labels: (number | string)[]; expected: Record<string, any>;
};
const COUNTRIES = ['DE', 'FR', '<b>NL</b>'];

/**
 * The Evaluation Harness through the real gateway, with the real lifecycle service as its own
 * process on the same topics: model versions reach evaluation through the lifecycle topic, and run
 * results come back to the lifecycle checklist through the evaluation topic.
 */
describe('evaluation harness on a real Kafka broker and MongoDB-protocol server, through the gateway', () => {
  const dataRoot = mkdtempSync(join(tmpdir(), 'evaluation-data-'));
  const env = isolatedEnv('evaluation', { EVALUATION_DATA_ROOT: dataRoot, EVALUATION_UPSTREAM_GRACE_MS: '5000' });
  const lifecycleEnv = { ...env, MONGO_DB: `${env.MONGO_DB}_lc` };
  const topic = env.KAFKA_TOPIC_PREFIX + Topics.evaluation;
  let service: RunningApp;
  let lifecycle: ServiceProcess;
  let gateway: ServiceProcess;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  const http = () => request(gateway.url);
  const eventCount = () => countStoredEvents(mongo.db);
  const completedRun = (runId: string, status = 'completed') =>
    eventually(async () => {
      const run = await http().get(`${EVAL}/runs/${runId}`).expect(200);
      expect(run.body.status).toBe(status);
      return run.body;
    }, 60_000, 200);
  const checklistItem = async () =>
    (await http().get(`${LIFECYCLE}/models/churn-clf/1`).expect(200)).body.checklist.find((i: { key: string }) => i.key === 'evaluation_passed');

  // The golden "binary random" fixture as a scenario: scikit-learn's numbers must come out of the whole pipeline.
  const binary = fixture('binary random');
  const binaryCases = binary.y_true.map((expected, i) => ({ id: `c${i}`, expected, slices: { country: COUNTRIES[i % 3] }, input: { row: i } }));
  const binaryPredictions = binary.y_true.map((_, i) => ({ id: `c${i}`, label: binary.y_pred[i], score: binary.y_score![i], attributions: { tenure: (i % 5) - 2, plan: i % 2 ? 0.5 : -0.5 } }));

  beforeAll(async () => {
    [service, lifecycle] = await Promise.all([listen((await createEvaluationApp(env)).app), startServiceProcess('lifecycle', lifecycleEnv)]);
    gateway = await startGateway({ EVALUATION_URL: service.url, LIFECYCLE_URL: lifecycle.url });
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
    await http().post(`${LIFECYCLE}/experiments`).set(json).send({ name: 'churn' }).expect(201);
    const run = await http().post(`${LIFECYCLE}/runs`).set(json).send({ experiment_name: 'churn', params: { depth: 6 } }).expect(201);
    await http().post(`${LIFECYCLE}/models`).set(json).set('x-actor', 'ana').send({ model_name: 'churn-clf', run_id: run.body.run_id, artifact_uri: 's3://models/churn/1', description: 'GBM churn model' }).expect(201);
    // Evaluation learns of the version from the lifecycle topic, not from a call.
    await eventually(async () => expect(await mongo.db.collection('known_model_versions').findOne({ _id: 'model:churn-clf' } as never)).toBeTruthy(), 60_000, 200);
  });
  afterAll(async () => {
    await gateway?.stop();
    await service?.close();
    await lifecycle?.stop();
    await mongo?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
    await dropDatabase(env.MONGO_URL, lifecycleEnv.MONGO_DB);
    rmSync(dataRoot, { recursive: true, force: true });
  });

  describe('scenarios', () => {
    it('creates a scenario (201, Location, ETag) with its cases in the payload store, and lists it with filters', async () => {
      const created = await http().post(`${EVAL}/scenarios`).set(json).set('x-actor', 'ana').send({
        name: 'churn-holdout', task_type: 'binary_classification', tags: ['q4'], cases: binaryCases,
        metrics: ['accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'f1_macro', 'f1_weighted', 'roc_auc', 'log_loss'],
        thresholds: { f1: { min: 0.7 }, log_loss: { max: 0.6 } },
      }).expect(201);
      expect(created.headers.location).toBe(`${EVAL}/scenarios/churn-holdout`);
      expect(created.headers.etag).toBe('"1"');
      expect(created.body).toMatchObject({
        name: 'churn-holdout', task_type: 'binary_classification', version: 1, labels: [0, 1], positive_label: 1, created_by: 'ana',
        cases: { source: 'inline', case_count: 300, slice_keys: ['country'], payload: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } },
        thresholds: [{ metric: 'f1', min: 0.7, max: null }, { metric: 'log_loss', min: null, max: 0.6 }],
      });
      // The event stays small: the cases are a reference.
      const [commit] = await mongo.db.collection('events').find({ stream_id: 'scenario:churn-holdout' }).toArray();
      expect(JSON.stringify(commit.events).length).toBeLessThan(4000);

      await http().post(`${EVAL}/scenarios`).set(json).send({ name: 'answers', task_type: 'text', cases: [{ id: 'q1', expected: 'Paris' }], assertions: [{ type: 'icontains', value: 'paris' }] }).expect(201);
      const text = await http().get(`${EVAL}/scenarios`).query({ task_type: 'text' }).expect(200);
      expect(text.body.items.map((s: { name: string }) => s.name)).toEqual(['answers']);
      const tagged = await http().get(`${EVAL}/scenarios`).query({ tag: 'q4', limit: 1 }).expect(200);
      expect(tagged.body).toMatchObject({ items: [{ name: 'churn-holdout' }], next_cursor: null });
      const page = await http().get(`${EVAL}/scenarios`).query({ limit: 1 }).expect(200);
      expect(page.body.next_cursor).toEqual(expect.any(String));
      const next = await http().get(`${EVAL}/scenarios`).query({ limit: 1, cursor: page.body.next_cursor }).expect(200);
      expect([page.body.items[0].name, next.body.items[0].name]).toEqual(['answers', 'churn-holdout']);
      await http().post(`${EVAL}/scenarios`).set(json).send({ name: 'answers', task_type: 'text', cases: [{ id: 'q1', expected: 'x' }] }).expect(409);
    });

    it('PATCH makes a new version (If-Match honoured, 412 when stale) while the old version stays readable', async () => {
      const current = await http().get(`${EVAL}/scenarios/answers`).expect(200);
      const changed = await http().patch(`${EVAL}/scenarios/answers`).set(json).set('If-Match', current.headers.etag).send({ assertions: [{ type: 'not-contains', value: 'sorry' }], description: 'capitals' }).expect(200);
      expect(changed.headers.etag).toBe('"2"');
      expect(changed.body).toMatchObject({ version: 2, versions: [{ version: 1, changed: [] }, { version: 2, changed: ['description', 'assertions'] }] });
      const before = await eventCount();
      const stale = await http().patch(`${EVAL}/scenarios/answers`).set(json).set('If-Match', current.headers.etag).send({ description: 'x' });
      expect(stale.status).toBe(412);
      expect(stale.headers['content-type']).toMatch(/^application\/problem\+json/);
      const same = await http().patch(`${EVAL}/scenarios/answers`).set(json).send({ description: 'capitals' }).expect(200);
      expect(same.headers.etag).toBe('"2"');
      expect(await eventCount()).toBe(before);
      const v1 = await http().get(`${EVAL}/scenarios/answers/versions/1`).expect(200);
      expect(v1.body).toMatchObject({ version: 1, description: '', assertions: [{ type: 'icontains', value: 'paris' }] });
      await http().patch(`${EVAL}/scenarios/nope`).set(json).send({ description: 'x' }).expect(404);
      await http().get(`${EVAL}/scenarios/answers/versions/9`).expect(404);
    });

    const bad: [string, Record<string, unknown>][] = [
      ['an unknown task type', { name: 'b1', task_type: 'ranking', cases: [{ id: 1, expected: 1 }] }],
      ['neither cases nor dataset', { name: 'b2', task_type: 'regression' }],
      ['both cases and dataset', { name: 'b3', task_type: 'regression', cases: [{ id: 1, expected: 1 }], dataset: { dataset_id: 'x', label_column: 'y' } }],
      ['a case without expected', { name: 'b4', task_type: 'regression', cases: [{ id: 1 }] }],
      ['duplicate case ids', { name: 'b5', task_type: 'regression', cases: [{ id: 1, expected: 1 }, { id: 1, expected: 2 }] }],
      ['an unknown case field', { name: 'b6', task_type: 'regression', cases: [{ id: 1, expected: 1, weight: 2 }] }],
      ['a metric of another task', { name: 'b7', task_type: 'regression', cases: [{ id: 1, expected: 1 }], metrics: ['accuracy'] }],
      ['a threshold on a metric not computed', { name: 'b8', task_type: 'regression', cases: [{ id: 1, expected: 1 }], metrics: ['mae'], thresholds: { rmse: { max: 1 } } }],
      ['a threshold without bounds', { name: 'b9', task_type: 'regression', cases: [{ id: 1, expected: 1 }], thresholds: { mae: {} } }],
      ['mixed label types', { name: 'b10', task_type: 'multiclass_classification', cases: [{ id: 1, expected: 'a' }, { id: 2, expected: 3 }] }],
      ['three classes in a binary task', { name: 'b11', task_type: 'binary_classification', cases: [{ id: 1, expected: 'a' }, { id: 2, expected: 'b' }, { id: 3, expected: 'c' }] }],
      ['an invalid regex assertion', { name: 'b12', task_type: 'text', cases: [{ id: 1, expected: 'a' }], assertions: [{ type: 'regex', value: '(' }] }],
      ['an unknown field', { name: 'b13', task_type: 'regression', cases: [{ id: 1, expected: 1 }], colour: 'red' }],
      ['an operator name', { name: { $ne: '' }, task_type: 'regression', cases: [{ id: 1, expected: 1 }] }],
    ];
    it.each(bad)('rejects %s with 400 problem+json and errors[], writing nothing', async (_label, body) => {
      const before = await eventCount();
      const response = await http().post(`${EVAL}/scenarios`).set(json).send(body);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors.length).toBeGreaterThan(0);
      expect(await eventCount()).toBe(before);
    });
  });

  describe('runs', () => {
    let passedRunId: string;

    it('queues a run (202, Location), which the worker completes with scikit-learn’s metrics; the lifecycle checks evaluation_passed', async () => {
      const queued = await http().post(`${EVAL}/runs`).set(json).set('x-actor', 'bo').send({ scenario_name: 'churn-holdout', model_name: 'churn-clf', model_version: 1, predictions: binaryPredictions }).expect(202);
      passedRunId = queued.body.run_id;
      expect(queued.headers.location).toBe(`${EVAL}/runs/${passedRunId}`);
      expect(queued.headers.etag).toEqual(expect.stringMatching(/^"\d+"$/));
      expect(['queued', 'running', 'completed']).toContain(queued.body.status);
      expect(queued.body).toMatchObject({ scenario_version: 1, model_name: 'churn-clf', model_version: 1, case_count: 300, queued_by: 'bo' });

      const run = await completedRun(passedRunId);
      const value = (key: string) => run.metrics.find((m: { key: string }) => m.key === key).value;
      for (const [key, sklearn] of [['accuracy', 'accuracy'], ['balanced_accuracy', 'balanced_accuracy'], ['precision', 'precision'], ['recall', 'recall'], ['f1', 'f1'], ['f1_macro', 'f1_macro'], ['f1_weighted', 'f1_weighted'], ['roc_auc', 'roc_auc'], ['log_loss', 'log_loss']]) {
        expect(Math.abs(value(key) - binary.expected[sklearn])).toBeLessThanOrEqual(1e-9);
      }
      expect(run.gate).toEqual({
        passed: true,
        status: 'passed',
        thresholds: [
          { metric: 'f1', min: 0.7, max: null, value: value('f1'), passed: true },
          { metric: 'log_loss', min: null, max: 0.6, value: value('log_loss'), passed: true },
        ],
      });
      // The item records the run and the scenario version that decided it.
      await eventually(async () => expect(await checklistItem()).toMatchObject({ checked: true, checked_by: `evaluation:churn-holdout:v1:${passedRunId}` }), 60_000, 200);
    });

    it('serves the report: thresholds, confusion matrix, slices worst first, error analysis, explainability, model card and lineage', async () => {
      const report = await http().get(`${EVAL}/runs/${passedRunId}/report`).expect(200);
      expect(report.headers.etag).toEqual(expect.stringMatching(/^"\d+"$/));
      const r = report.body;
      expect(r.confusion_matrix).toEqual({ labels: [0, 1], rows: binary.expected.confusion_matrix.matrix.map((counts: number[], i: number) => ({ actual: i, counts })) });
      expect(r.slices.ranked_by).toEqual({ metric: 'f1', lower_is_better: false });
      const f1s = r.slices.items.map((s: { metrics: { key: string; value: number }[] }) => s.metrics.find((m) => m.key === 'f1')!.value);
      expect(f1s).toEqual([...f1s].sort((a, b) => a - b));
      expect(r.slices.items.map((s: { value: string }) => s.value).sort()).toEqual([...COUNTRIES].sort());
      expect(r.slices.items.reduce((n: number, s: { case_count: number }) => n + s.case_count, 0)).toBe(300);
      const confidences = r.error_analysis.items.map((i: { confidence: number }) => i.confidence);
      expect(r.error_analysis).toMatchObject({ kind: 'most_confident_wrong', total: Math.round((1 - binary.expected.accuracy) * 300) });
      expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
      expect(r.error_analysis.items[0]).toMatchObject({ id: expect.any(String), input: { row: expect.any(Number) } });
      expect(r.explainability.available).toBe(true);
      expect(r.explainability.feature_importance.map((f: { feature: string }) => f.feature)).toEqual(['tenure', 'plan']);
      expect(r.explainability.feature_importance[1]).toEqual({ feature: 'plan', mean_abs_attribution: 0.5, mean_attribution: 0 });
      expect(r.explainability.by_slice).toHaveLength(3);
      expect(Object.keys(r.compliance.model_card)).toEqual(['model_details', 'model_parameters', 'quantitative_analysis', 'considerations']);
      expect(r.compliance.model_card.model_details).toMatchObject({ name: 'churn-clf', overview: 'GBM churn model', version: { name: '1' }, owners: [{ name: 'ana' }], path: 's3://models/churn/1' });
      expect(r.compliance.model_card.quantitative_analysis.performance_metrics).toContainEqual(expect.objectContaining({ type: 'f1', slice: 'overall', threshold: { min: 0.7, max: null } }));
      expect(r.compliance.lineage).toMatchObject({
        scenario: { name: 'churn-holdout', version: 1, created_by: 'ana' },
        dataset: null,
        model: { model_name: 'churn-clf', version: 1, artifact_uri: 's3://models/churn/1', registered_by: 'ana', stage_at_queue: 'none', stage_now: 'none' },
        run: { run_id: passedRunId, started_by: 'bo', queued_at: expect.any(String), cases_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      });

      const html = await http().get(`${EVAL}/runs/${passedRunId}/report`).query({ format: 'html' }).expect(200);
      expect(html.headers['content-type']).toMatch(/^text\/html/);
      expect(html.text).toContain('Gate: <span class="pass">PASS</span>');
      expect(html.text).toContain('&lt;b&gt;NL&lt;/b&gt;');
      expect(html.text).not.toContain('<b>NL</b>');

      // The compliance record keeps the model as it was evaluated; lineage also shows how it stands now.
      await http().patch(`${LIFECYCLE}/models/churn-clf/1`).set(json).send({ stage: 'staging' }).expect(200);
      await eventually(async () => {
        const later = (await http().get(`${EVAL}/runs/${passedRunId}/report`).expect(200)).body;
        expect(later.compliance.lineage.model).toMatchObject({ stage_at_queue: 'none', stage_now: 'staging' });
        expect(later.compliance.model_card.model_parameters.stage).toBe('none');
      }, 30_000, 200);
    });

    it('runs a multiclass scenario with probabilities against scikit-learn’s one-vs-rest ROC-AUC and log loss', async () => {
      const multi = fixture('multiclass random');
      await http().post(`${EVAL}/scenarios`).set(json).send({
        name: 'species', task_type: 'multiclass_classification', cases: multi.y_true.map((expected, i) => ({ id: i, expected })),
        metrics: ['accuracy', 'precision_macro', 'recall_weighted', 'f1_micro', 'roc_auc', 'log_loss'],
      }).expect(201);
      const predictions = multi.y_true.map((_, i) => ({ id: i, probabilities: Object.fromEntries(multi.labels.map((label, k) => [label, multi.y_proba![i][k]])) }));
      const queued = await http().post(`${EVAL}/runs`).set(json).send({ scenario_name: 'species', model_name: 'churn-clf', model_version: 1, predictions }).expect(202);
      const run = await completedRun(queued.body.run_id);
      for (const { key, value } of run.metrics) expect(Math.abs(value - multi.expected[key])).toBeLessThanOrEqual(1e-9);
      // No thresholds: the run is not evaluated (see the scenario without a gate below).
      expect(run.gate).toEqual({ passed: false, status: 'not_evaluated', thresholds: [] });
    });

    it('evaluates text outputs with exact match and the scenario version’s assertions', async () => {
      await http().patch(`${EVAL}/scenarios/answers`).set(json).send({
        cases: [
          { id: 'q1', expected: 'Paris', slices: { lang: 'en' } },
          { id: 'q2', expected: 'Berlin', slices: { lang: 'de' }, assertions: [{ type: 'levenshtein', value: 'Berlin', threshold: 1 }] },
          { id: 'q3', expected: null, slices: { lang: 'de' }, assertions: [{ type: 'is-json' }] },
        ],
      }).expect(200);
      const queued = await http().post(`${EVAL}/runs`).set(json).send({
        scenario_name: 'answers', model_name: 'churn-clf', model_version: 1,
        predictions: [{ id: 'q1', text: 'Paris' }, { id: 'q2', text: 'Berlyn' }, { id: 'q3', text: 'sorry, {"city": null}' }],
      }).expect(202);
      const run = await completedRun(queued.body.run_id);
      expect(run).toMatchObject({ scenario_version: 3, metrics: [{ key: 'exact_match', value: 0.5 }, { key: 'assertion_pass_rate', value: 2 / 3 }] });
      const report = await http().get(`${EVAL}/runs/${queued.body.run_id}/report`).expect(200);
      expect(report.body.assertions).toEqual([{ type: 'not-contains', value: 'sorry', passed: 2, evaluated: 3, pass_rate: 2 / 3 }]);
      expect(report.body.error_analysis).toMatchObject({ kind: 'failed_text_checks', total: 2 });
      expect(report.body.error_analysis.items.map((i: { id: string }) => i.id)).toEqual(['q2', 'q3']);
      expect(report.body.slices.items.map((s: { value: string }) => s.value)).toEqual(['de', 'en']);
      await http().post(`${EVAL}/runs`).set(json).send({ scenario_name: 'answers', model_name: 'churn-clf', model_version: 1, predictions: [{ id: 'q1', label: 'Paris' }, { id: 'q2', text: 'x' }, { id: 'q3', text: 'x' }] }).expect(400);
    });

    it('fails a run that cannot be evaluated, with the reason; the report answers 422', async () => {
      await http().post(`${EVAL}/scenarios`).set(json).send({ name: 'huge-values', task_type: 'regression', cases: [{ id: 'a', expected: 1e308 }, { id: 'b', expected: -1e308 }] }).expect(201);
      const queued = await http().post(`${EVAL}/runs`).set(json).send({ scenario_name: 'huge-values', model_name: 'churn-clf', model_version: 1, predictions: [{ id: 'a', value: -1e308 }, { id: 'b', value: 1e308 }] }).expect(202);
      const run = await completedRun(queued.body.run_id, 'failed');
      expect(run.failure_reason).toMatch(/not finite/);
      const report = await http().get(`${EVAL}/runs/${queued.body.run_id}/report`);
      expect(report.status).toBe(422);
      expect(report.body.detail).toMatch(/failed/);
    });

    it('a later run that fails the gate unchecks evaluation_passed', async () => {
      await http().patch(`${EVAL}/scenarios/churn-holdout`).set(json).send({ thresholds: { f1: { min: 0.99 } } }).expect(200);
      const queued = await http().post(`${EVAL}/runs`).set(json).send({ scenario_name: 'churn-holdout', model_name: 'churn-clf', model_version: 1, predictions: binaryPredictions }).expect(202);
      const run = await completedRun(queued.body.run_id);
      expect(run).toMatchObject({ scenario_version: 2, gate: { passed: false } });
      await eventually(async () => expect(await checklistItem()).toMatchObject({ checked: false, checked_by: null }), 60_000, 200);
      // The first run keeps its scenario version and its verdict.
      expect((await http().get(`${EVAL}/runs/${passedRunId}`).expect(200)).body).toMatchObject({ scenario_version: 1, gate: { passed: true } });
    });

    it('lists runs with filters and a cursor', async () => {
      const failed = await http().get(`${EVAL}/runs`).query({ status: 'failed' }).expect(200);
      expect(failed.body.items.map((r: { scenario_name: string }) => r.scenario_name)).toEqual(['huge-values']);
      const holdout = await http().get(`${EVAL}/runs`).query({ scenario_name: 'churn-holdout', status: 'completed' }).expect(200);
      expect(holdout.body.items).toHaveLength(2);
      const first = await http().get(`${EVAL}/runs`).query({ limit: 2 }).expect(200);
      const rest = await http().get(`${EVAL}/runs`).query({ limit: 2, cursor: first.body.next_cursor }).expect(200);
      expect(new Set([...first.body.items, ...rest.body.items].map((r: { run_id: string }) => r.run_id)).size).toBe(4);
      const last = await http().get(`${EVAL}/runs`).query({ limit: 2, cursor: rest.body.next_cursor }).expect(200);
      expect(last.body).toMatchObject({ items: [expect.anything()], next_cursor: null });
      await http().get(`${EVAL}/runs`).query({ status: 'paused' }).expect(400);
    });

    it('a run of a scenario without thresholds is not evaluated: it neither passes nor ticks evaluation_passed', async () => {
      const gateReactions = async () => {
        const metrics = await (await fetch(`${lifecycle.url}/metrics`)).text();
        return Number(/^mlops_reactor_events_handled_total\{[^}]*reactor="evaluation-gate"[^}]*\} (\d+)/m.exec(metrics)?.[1] ?? 0);
      };
      expect(await checklistItem()).toMatchObject({ checked: false });
      const before = await gateReactions();
      await http().post(`${EVAL}/scenarios`).set(json).send({ name: 'no-gate', task_type: 'binary_classification', cases: binaryCases, metrics: ['accuracy'] }).expect(201);
      const queued = await http().post(`${EVAL}/runs`).set(json).send({ scenario_name: 'no-gate', model_name: 'churn-clf', model_version: 1, predictions: binaryPredictions }).expect(202);
      const run = await completedRun(queued.body.run_id);
      expect(run.gate).toEqual({ passed: false, status: 'not_evaluated', thresholds: [] });
      const report = await http().get(`${EVAL}/runs/${queued.body.run_id}/report`).expect(200);
      expect(report.body.gate).toEqual({ passed: false, status: 'not_evaluated', thresholds: [] });
      expect(report.body.slices.items.map((s: { gate: { status: string } }) => s.gate.status)).toEqual(['not_evaluated', 'not_evaluated', 'not_evaluated']);
      const html = await http().get(`${EVAL}/runs/${queued.body.run_id}/report?format=html`).expect(200);
      expect(html.text).toContain('NOT EVALUATED');
      // The lifecycle has reacted to the run (the counter moved) and left the item as it was.
      await eventually(async () => expect(await gateReactions()).toBeGreaterThan(before), 60_000, 200);
      expect(await checklistItem()).toMatchObject({ checked: false, checked_by: null });
    });

    const ids = binaryCases.map((c) => c.id);
    const runWith = (predictions: unknown[], over: Record<string, unknown> = {}) =>
      http().post(`${EVAL}/runs`).set(json).send({ scenario_name: 'churn-holdout', model_name: 'churn-clf', model_version: 1, predictions, ...over });
    const rejected: [string, number, () => request.Test][] = [
      ['an unknown scenario', 404, () => runWith(binaryPredictions, { scenario_name: 'nope' })],
      ['an unknown scenario version', 404, () => runWith(binaryPredictions, { scenario_version: 7 })],
      ['a model version evaluation does not know', 404, () => runWith(binaryPredictions, { model_version: 9 })],
      ['predictions missing case ids', 422, () => runWith(binaryPredictions.slice(1))],
      ['predictions for unknown case ids', 422, () => runWith([...binaryPredictions, { id: 'zz', score: 0.1 }])],
      ['labels without the scores version 1’s log-loss gate needs', 422, () => runWith(ids.map((id) => ({ id, label: 1 })), { scenario_version: 1 })],
      ['a score outside [0, 1]', 400, () => runWith(ids.map((id) => ({ id, score: 2 })))],
      ['a label of the wrong type', 400, () => runWith(ids.map((id) => ({ id, label: 'yes', score: 0.5 })))],
      ['a regression value for a classification task', 400, () => runWith(ids.map((id) => ({ id, value: 0.5 })))],
      ['a duplicated prediction', 400, () => runWith([...binaryPredictions, binaryPredictions[0]])],
      ['a non-numeric attribution', 400, () => runWith(binaryPredictions.map((p) => ({ ...p, attributions: { tenure: 'high' } })))],
      ['no predictions', 400, () => runWith([])],
      ['a missing model_version', 400, () => http().post(`${EVAL}/runs`).set(json).send({ scenario_name: 'churn-holdout', model_name: 'churn-clf', predictions: binaryPredictions })],
    ];
    it.each(rejected)('rejects %s (%i, problem+json), writing nothing', async (_label, status, send) => {
      const before = await eventCount();
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await eventCount()).toBe(before);
    });

    it('answers 404 for an unknown run and its report, 422 for the report of an unfinished run', async () => {
      await http().get(`${EVAL}/runs/${randomUUID()}`).expect(404);
      await http().get(`${EVAL}/runs/${randomUUID()}/report`).expect(404);
      await http().get(`${EVAL}/runs/not-a-uuid`).expect(400);
    });
  });

  describe('dataset-backed scenarios', () => {
    it('reads the cases of a registered Feature Store dataset through DuckDB', async () => {
      const rows = Array.from({ length: 40 }, (_, i) => ({ customer_id: `cust-${i}`, churned: i % 3 === 0 ? 1 : 0, region: i % 2 ? 'north' : 'south', tenure: i }));
      const csv = ['customer_id,churned,region,tenure', ...rows.map((r) => `${r.customer_id},${r.churned},${r.region},${r.tenure}`)].join('\n') + '\n';
      writeFileSync(join(dataRoot, 'holdout.csv'), csv);
      const registered: CloudEvent = {
        specversion: '1.0', id: randomUUID(), source: '/mlops/feature-store', type: 'mlops.feature-store.dataset.registered.v1', subject: 'dataset:churn-holdout',
        time: new Date().toISOString(), datacontenttype: 'application/json', streamversion: 1, actor: 'dana', correlationid: randomUUID(),
        data: {
          id: 'churn-holdout', name: 'churn-holdout', description: 'holdout', source_type: 'csv', path: 'holdout.csv', table_name: null, tags: [],
          schema: [{ column: 'customer_id', type: 'VARCHAR' }, { column: 'churned', type: 'BIGINT' }, { column: 'region', type: 'VARCHAR' }, { column: 'tenure', type: 'BIGINT' }],
          row_count: 40, size_bytes: csv.length, content_sha256: createHash('sha256').update(csv).digest('hex'),
          profile: [{ column: 'churned', type: 'BIGINT', null_count: 0, approx_distinct: 2, min: 0, max: 1, mean: 0.35, stddev: 0.48 }],
        },
      };
      expect(new EventValidator([featureStoreCatalog]).validate(registered)).toEqual({ valid: true, errors: [] });
      await publishRaw(env.KAFKA_BROKERS, env.KAFKA_TOPIC_PREFIX + Topics.featureStore, [{ key: registered.subject, value: JSON.stringify(registered) }]);
      await eventually(async () => expect(await mongo.db.collection('known_datasets').findOne({ _id: 'dataset:churn-holdout' } as never)).toBeTruthy(), 30_000, 200);

      const missingColumn = await http().post(`${EVAL}/scenarios`).set(json).send({ name: 'from-dataset', task_type: 'binary_classification', dataset: { dataset_id: 'churn-holdout', label_column: 'label' } });
      expect(missingColumn.status).toBe(400);
      await http().post(`${EVAL}/scenarios`).set(json).send({ name: 'from-dataset', task_type: 'binary_classification', dataset: { dataset_id: 'nope', label_column: 'churned' } }).expect(404);
      const created = await http().post(`${EVAL}/scenarios`).set(json).send({
        name: 'from-dataset', task_type: 'binary_classification', labels: [0, 1],
        dataset: { dataset_id: 'churn-holdout', label_column: 'churned', id_column: 'customer_id', slice_columns: ['region'], input_columns: ['tenure'] },
        metrics: ['accuracy', 'recall'], thresholds: { accuracy: { min: 0.5 } },
      }).expect(201);
      expect(created.body.cases).toMatchObject({ source: 'dataset', dataset_id: 'churn-holdout', dataset_row_count: 40 });

      const predictions = rows.map((r) => ({ id: r.customer_id, label: r.tenure < 30 ? r.churned : 1 - r.churned }));
      await http().post(`${EVAL}/runs`).set(json).send({ scenario_name: 'from-dataset', model_name: 'churn-clf', model_version: 1, predictions: predictions.slice(1) }).expect(422);
      const queued = await http().post(`${EVAL}/runs`).set(json).send({ scenario_name: 'from-dataset', model_name: 'churn-clf', model_version: 1, predictions }).expect(202);
      const run = await completedRun(queued.body.run_id);
      expect(run.metrics).toEqual([{ key: 'accuracy', value: 30 / 40 }, { key: 'recall', value: 10 / 14 }]);
      const report = await http().get(`${EVAL}/runs/${queued.body.run_id}/report`).expect(200);
      expect(report.body.slices.items.map((s: { value: string; case_count: number }) => [s.value, s.case_count]).sort()).toEqual([['north', 20], ['south', 20]]);
      expect(report.body.compliance.lineage.dataset).toMatchObject({
        dataset_id: 'churn-holdout', source_type: 'csv', path: 'holdout.csv', row_count_at_run: 40,
        content_sha256_at_run: registered.data.content_sha256, profile: registered.data.profile,
      });
      expect(report.body.error_analysis.items[0]).toMatchObject({ input: { tenure: expect.any(Number) } });
    });
  });

  it('documents every evaluation route in the gateway’s one OpenAPI document', async () => {
    const document = await http().get('/openapi.json').expect(200);
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining([`${EVAL}/scenarios`, `${EVAL}/scenarios/{name}`, `${EVAL}/runs`, `${EVAL}/runs/{run_id}`, `${EVAL}/runs/{run_id}/report`]),
    );
    expect(document.body.paths[`${EVAL}/scenarios/{name}`]).toHaveProperty('patch');
    expect(document.body.info['x-unavailable-services'] ?? []).not.toContain('evaluation');
  });

  describe('facts from other services, still on their way', () => {
    it('waits briefly for a model version whose lifecycle event has not arrived yet, then 404s one that never comes', async () => {
      const registered: CloudEvent = {
        specversion: '1.0', id: randomUUID(), source: '/mlops/lifecycle', type: lifecycleCatalog.typeOf('ModelVersionRegistered'), subject: 'model:late-clf',
        time: new Date().toISOString(), datacontenttype: 'application/json', streamversion: 1, actor: 'ana', correlationid: randomUUID(),
        data: { model_name: 'late-clf', version: 1, run_id: randomUUID(), artifact_uri: 's3://models/late/1', description: '', tags: [], metrics: [], params: [], checklist: [], stage: 'none' },
      };
      expect(new EventValidator([lifecycleCatalog]).validate(registered)).toEqual({ valid: true, errors: [] });
      const queue = (model_name: string) => http().post(`${EVAL}/runs`).set(json).send({ scenario_name: 'churn-holdout', model_name, model_version: 1, predictions: binaryPredictions });
      // The run is posted first; the model version's event is published while the request waits.
      const early = queue('late-clf').then((response) => response);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await publishRaw(env.KAFKA_BROKERS, env.KAFKA_TOPIC_PREFIX + Topics.lifecycle, [{ key: registered.subject, value: JSON.stringify(registered) }]);
      const earlyResponse = await early;
      expect([earlyResponse.status, earlyResponse.body.detail]).toEqual([202, undefined]);
      await completedRun(earlyResponse.body.run_id);

      const before = await eventCount();
      const started = Date.now();
      const never = await queue('never-registered');
      expect(never.status).toBe(404);
      expect(Date.now() - started).toBeGreaterThanOrEqual(Number(env.EVALUATION_UPSTREAM_GRACE_MS) - 50);
      expect(await eventCount()).toBe(before);
    });
  });

  describe('events and read models', () => {
    it('publishes every evaluation event to Kafka, each valid against its schema, keyed by stream', async () => {
      const commits = await mongo.db.collection('events').find().toArray();
      const total = commits.reduce((n, c) => n + c.events.length, 0);
      const published = await readTopic(env.KAFKA_BROKERS, topic, (all) => all.length >= total);
      expect(published).toHaveLength(total);
      const validator = new EventValidator([evaluationCatalog]);
      for (const { key, event } of published) {
        expect(validator.validate(event)).toEqual({ valid: true, errors: [] });
        expect(key).toBe(event.subject);
      }
      const types = new Set(published.map((p) => p.event.type.replace('mlops.evaluation.', '')));
      expect([...types].sort()).toEqual(['run.completed.v1', 'run.failed.v1', 'run.queued.v1', 'run.started.v1', 'scenario.created.v1', 'scenario.version_created.v1']);
      const started = published.find((p) => p.event.type.endsWith('run.started.v1'))!.event;
      expect(started.actor).toBe('evaluation-worker');
      expect(started.causationid).toEqual(expect.any(String));
      expect(Math.max(...published.map((p) => Buffer.byteLength(JSON.stringify(p.event))))).toBeLessThan(16_000);
    });

    it('ignores a re-sent run.queued: the worker decides nothing for a finished run', async () => {
      const [commit] = await mongo.db.collection('events').find({ stream_id: `evaluation_run:${(await http().get(`${EVAL}/runs`).query({ status: 'completed', limit: 1 })).body.items[0].run_id}`, version: 1 }).toArray();
      const queued = storedEvents(commit)[0] as CloudEvent;
      const handled = async () => (await reactorEventsHandled.get()).values.find((v) => v.labels.reactor === 'evaluation-worker')?.value ?? 0;
      const [before, handledBefore] = [await eventCount(), await handled()];
      await publishRaw(env.KAFKA_BROKERS, topic, [{ key: queued.subject, value: JSON.stringify(queued) }]);
      await eventually(async () => expect((await handled()) - handledBefore).toBe(1), 30_000);
      expect(await eventCount()).toBe(before);
    });

    it('completes a run queued while the service was down: the worker follows the event, not the request', async () => {
      const template = (await http().get(`${EVAL}/runs`).query({ scenario_name: 'species', limit: 1 }).expect(200)).body.items[0];
      const [commit] = await mongo.db.collection('events').find({ stream_id: `evaluation_run:${template.run_id}`, version: 1 }).toArray();
      const port = Number(new URL(service.url).port);
      await service.close();
      // Appended straight to the store while nothing runs: only the outbox and the worker can finish it.
      const runId = randomUUID();
      const store = await EventStore.create(mongo.db, evaluationCatalog);
      await store.append(`evaluation_run:${runId}`, 0, [{ type: 'EvaluationRunQueued', data: { ...storedEvents(commit)[0].data, run_id: runId } }], {
        actor: 'offline-client', correlationId: randomUUID(), now: new Date(),
      });
      const restarted = (await createEvaluationApp(env)).app;
      await restarted.listen(port, '127.0.0.1');
      service = { app: restarted, url: `http://127.0.0.1:${port}`, close: () => restarted.close() };
      const run = await completedRun(runId);
      expect(run).toMatchObject({ queued_by: 'offline-client', scenario_name: 'species', metrics: template.metrics });
    });

    it('rebuilds its read models identically from the topics', async () => {
      for (const name of ['scenarios', 'evaluation_runs', 'known_model_versions', 'known_datasets']) {
        const before = sortById(await mongo.db.collection<{ _id: string }>(name).find().toArray());
        await requestRebuild(mongo.db, name);
        await eventually(async () => expect(sortById(await mongo.db.collection<{ _id: string }>(name).find().toArray())).toEqual(before), 60_000, 500);
      }
    });
  });
});
