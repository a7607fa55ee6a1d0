import type { Browser, Page } from 'playwright-core';
import { createApiClient, type EvaluationApi, evaluationApi, lifecycleApi } from '@mlops/client';
import { eventually, RunningPlatform, startPlatform } from '@mlops/testing';
import { CONSOLE_DIR, expectText, launchBrowser, screenshot } from './browser';

// The Evaluation Harness pages in a real Chromium: a model version evaluated from the console with
// an uploaded predictions CSV, followed to completion without a reload, and its report read.
describe('web console: Evaluation Harness', () => {
  let platform: RunningPlatform;
  let browser: Browser;
  let page: Page;
  let evaluation: EvaluationApi;
  // Eight cases, two countries; the predictions get 3 of 4 right in each class.
  const expected = [1, 1, 1, 0, 0, 0, 1, 0];
  const predicted = [1, 1, 0, 0, 0, 1, 1, 0];
  const scores = [0.95, 0.9, 0.4, 0.1, 0.2, 0.7, 0.8, 0.3];
  const cases = expected.map((label, i) => ({ id: `c${i + 1}`, input: { tenure: i * 3 }, expected: label, slices: { country: i < 4 ? 'DE' : 'FR' } }));
  const csv = ['id,label,score', ...predicted.map((label, i) => `c${i + 1},${label},${scores[i]}`)].join('\n');

  beforeAll(async () => {
    platform = await startPlatform('console-evaluation', { gatewayEnv: { GATEWAY_CONSOLE_DIR: CONSOLE_DIR } });
    browser = await launchBrowser();
    const client = createApiClient({ baseUrl: platform.url });
    const lifecycle = lifecycleApi(client);
    evaluation = evaluationApi(client);
    await lifecycle.createExperiment({ name: 'churn', owner: 'ml-team' });
    const { data: run } = await lifecycle.startRun({ experiment_name: 'churn', name: 'train' });
    await lifecycle.registerModelVersion({ model_name: 'churn-model', run_id: (run as { run_id: string }).run_id, artifact_uri: 's3://models/churn/1', stage: 'none' });
    await evaluation.createScenario({
      name: 'churn-holdout',
      task_type: 'binary_classification',
      description: 'Holdout customers of 2026 Q4',
      cases: cases as never[],
      metrics: ['accuracy', 'precision', 'recall', 'f1', 'roc_auc'],
      thresholds: { f1: { min: 0.7 }, accuracy: { min: 0.9 } },
    });
    // The harness learns model versions from the lifecycle's events: wait until it knows this one.
    await eventually(
      () => evaluation.queueRun({ scenario_name: 'churn-holdout', model_name: 'churn-model', model_version: 1, predictions: predicted.map((label, i) => ({ id: `c${i + 1}`, label })) as never[] }),
      60_000,
      500,
    );
    page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    // Five processes to start and a browser to launch: minutes on a loaded machine, not a performance bound.
  }, 420_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('lists the scenario with its gate, and its version history', async () => {
    await page.goto(platform.url + '/evaluation/scenarios');
    await expectText(page.locator('table.scenarios tr[data-scenario="churn-holdout"]'), /binary_classification.*v1.*8 inline cases.*f1 ≥ 0\.7/);
    await page.getByRole('link', { name: 'churn-holdout' }).click();
    await page.locator('table.scenario-versions tr[data-version="1"]').waitFor();
    await expectText(page.locator('.facts'), /accuracy ≥ 0\.9/);
  });

  it('queues a run from an uploaded CSV and follows it to completed without a reload', async () => {
    await page.evaluate('window.__sameDocument = true');
    await page.getByLabel('model version').selectOption('churn-model/1');
    await page.getByLabel('predictions file').setInputFiles({ name: 'predictions.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await expectText(page.getByLabel('predictions'), /c8,0,0\.3/);
    expect(await page.getByLabel('predictions format').inputValue()).toBe('csv');
    await page.getByRole('button', { name: 'Queue run' }).click();
    await page.locator('[data-testid="run-status"] .badge.run-completed').waitFor({ timeout: 60_000 });
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
  });

  it('shows the report: metrics against thresholds, the gate, slices and lineage', async () => {
    const row = (metric: string) => page.locator(`table.report-metrics tr[data-metric="${metric}"]`);
    await expectText(row('accuracy'), /0\.75.*≥ 0\.9.*fail/);
    await expectText(row('f1'), /0\.75.*≥ 0\.7.*pass/);
    await expectText(row('roc_auc'), /0\.9375/);
    await page.locator('.section-head .badge.gate-failed').waitFor();
    expect(await page.locator('table.slices tbody tr').count()).toBe(2);
    await expectText(page.locator('table.errors'), /c6.*0.*1/);
    expect(await page.locator('a[data-lineage="model"]').getAttribute('href')).toBe('/models/churn-model/1');
    expect(await page.locator('a[data-lineage="scenario"]').getAttribute('href')).toBe('/evaluation/scenarios/churn-holdout?version=1');
  });

  it('draws the ROC curve of the scores, with the AUC the API reports', async () => {
    const runId = new URL(page.url()).pathname.split('/').pop()!;
    const { data: report } = await evaluation.report(runId);
    // Scores .95 .9 .8 (+ + +), .7 (−), .4 (+), .3 .2 .1 (− − −): scikit-learn keeps 6 points.
    expect(report.roc_curve).toMatchObject({ reason: null, curves: [{ label: 1, auc: 0.9375, point_count: 6 }] });
    expect(report.roc_curve!.curves[0]).toMatchObject({ fpr: [0, 0, 0, 0.25, 0.25, 1], tpr: [0, 0.25, 0.75, 0.75, 1, 1], thresholds: [null, 0.95, 0.8, 0.7, 0.4, 0.1] });
    const curve = page.locator('svg[aria-label="ROC curve"] path.roc-curve[data-label="1"]');
    await curve.waitFor();
    expect(await curve.getAttribute('data-points')).toBe('6');
    // (0, 0) at the frame's bottom left, (1, 1) at its top right: 36 px padding, 300 px square.
    const d = (await curve.getAttribute('d'))!;
    expect(d.split(' ')).toEqual(['M36.00,336.00', 'L36.00,261.00', 'L36.00,111.00', 'L111.00,111.00', 'L111.00,36.00', 'L336.00,36.00']);
    await expectText(page.locator('.roc-legend li[data-label="1"] .roc-auc'), new RegExp(`^AUC ${report.roc_curve!.curves[0].auc}$`));
    await screenshot(page, 'evaluation-roc');
  });

  it('draws the confusion matrix as a heatmap, each cell shaded by its share of the actual class', async () => {
    const heatmap = page.locator('canvas.heatmap');
    await heatmap.waitFor();
    await expect(heatmap.getAttribute('data-drawn')).resolves.toBe('4');
    const cell = Number(await heatmap.getAttribute('data-cell'));
    const origin = Number(await heatmap.getAttribute('data-origin'));
    expect(JSON.parse((await heatmap.getAttribute('data-labels'))!)).toEqual(['0', '1']);
    // A pixel near each cell's corner, away from the count drawn in its middle.
    const pixel = async (row: number, column: number) =>
      page.evaluate(
        `Array.from(document.querySelector('canvas.heatmap').getContext('2d').getImageData(${origin + column * cell + 4}, ${origin + row * cell + 4}, 1, 1).data)`,
      ) as Promise<number[]>;
    const diagonal = [await pixel(0, 0), await pixel(1, 1)];
    const off = [await pixel(0, 1), await pixel(1, 0)];
    // 3 of 4 cases (0.75) on the diagonal, 1 of 4 (0.25) off it: white → deep blue.
    for (const p of diagonal) expect(p).toEqual([82, 110, 195, 255]);
    for (const p of off) expect(p).toEqual([187, 201, 235, 255]);
    // Outside the cells nothing is drawn.
    expect(await page.evaluate(`Array.from(document.querySelector('canvas.heatmap').getContext('2d').getImageData(${origin + 2 * cell + 2}, ${origin + 2}, 1, 1).data)`)).toEqual([0, 0, 0, 0]);
    await screenshot(page, 'evaluation-report');
  });

  it('links the model version to its evaluation runs, which list both runs completed', async () => {
    await page.locator('a[data-lineage="model"]').click();
    await page.getByRole('link', { name: 'Evaluation runs of this version' }).click();
    await eventually(async () => {
      const statuses = await Promise.all((await page.locator('table.evaluation-runs tbody tr').all()).map((row) => row.getAttribute('data-status')));
      expect(statuses).toEqual(['completed', 'completed']);
    }, 30_000, 200);
    await screenshot(page, 'evaluation-runs');
    const { data } = await evaluation.listRuns({ model_name: 'churn-model', model_version: 1 });
    expect(data.items).toHaveLength(2);
  });

  it('says plainly that a run without scores has no ROC curve', async () => {
    const { data } = await evaluation.listRuns({ scenario_name: 'churn-holdout' });
    const reports = await Promise.all(data.items.map(async (r) => ({ id: r.run_id, report: (await evaluation.report(r.run_id)).data })));
    // The run queued before the suite sent labels only.
    const unscored = reports.find((r) => r.report.roc_curve?.curves.length === 0)!;
    expect(unscored).toBeDefined();
    await page.goto(platform.url + `/evaluation/runs/${unscored.id}`);
    await expectText(page.getByTestId('roc-none'), /^No scores: The predictions carry no scores/);
    expect(await page.locator('svg[aria-label="ROC curve"]').count()).toBe(0);
  });

  it('creates a scenario from the console, the API’s problem shown in the form first, then a new version of it', async () => {
    await page.goto(platform.url + '/evaluation/scenarios');
    // The list first: rows arriving while the form's summary is clicked move it from under the click.
    await page.locator('table.scenarios tr[data-scenario="churn-holdout"]').waitFor();
    await page.getByText('Create a scenario').click();
    await page.getByLabel('scenario name', { exact: true }).fill('churn-small');
    await page.getByLabel('scenario task type').selectOption('binary_classification');
    await page.getByLabel('scenario description').fill('Four customers');
    await page.getByLabel('scenario cases', { exact: true }).fill(JSON.stringify(cases.slice(0, 4).map((c) => ({ ...c, slices: undefined }))));
    await page.getByLabel('scenario thresholds').fill('f1 >= 0.8');
    // A metric the task does not compute: the service's 400 problem+json, in the form.
    await page.getByLabel('scenario metrics').fill('f1, rmse');
    await page.getByRole('button', { name: 'Create scenario' }).click();
    const form = page.getByRole('form', { name: 'create scenario' });
    await expectText(form.getByRole('alert'), /400.*rmse/s);
    expect((await evaluation.listScenarios()).data.items.map((s) => s.name)).toEqual(['churn-holdout']);
    // The gate in a notation the form cannot read is caught before anything is sent.
    await page.getByLabel('scenario thresholds').fill('f1 > 0.8');
    await page.getByRole('button', { name: 'Create scenario' }).click();
    await expectText(form.getByRole('alert'), /“f1 > 0\.8” is not/);
    await page.getByLabel('scenario thresholds').fill('f1 >= 0.8');
    await page.getByLabel('scenario metrics').fill('accuracy, f1');
    await page.getByRole('button', { name: 'Create scenario' }).click();
    await page.getByRole('heading', { name: 'Scenario churn-small' }).waitFor();
    await page.locator('table.scenario-versions tr[data-version="1"]').waitFor();
    const { data: created } = await evaluation.getScenario('churn-small');
    expect(created).toMatchObject({ version: 1, description: 'Four customers', metrics: ['accuracy', 'f1'], thresholds: [{ metric: 'f1', min: 0.8, max: null }], cases: { case_count: 4 } });

    // The new-version form starts from v1; only the changed gate and tags are sent.
    await page.getByText('New version (v2)').click();
    expect(await page.getByLabel('scenario thresholds').inputValue()).toBe('f1 >= 0.8');
    await page.getByLabel('scenario thresholds').fill('f1 >= 0.7, accuracy >= 0.75');
    await page.getByLabel('scenario tags').fill('holdout');
    await page.getByRole('button', { name: 'Create version 2' }).click();
    await expectText(page.locator('table.scenario-versions tr[data-version="2"]'), /tags.*thresholds|thresholds.*tags/);
    const { data: v2 } = await evaluation.scenarioVersion('churn-small', 2);
    expect(v2).toMatchObject({ tags: ['holdout'], cases: { case_count: 4 } });
    expect(v2.thresholds).toEqual(expect.arrayContaining([{ metric: 'f1', min: 0.7, max: null }, { metric: 'accuracy', min: 0.75, max: null }]));
    await screenshot(page, 'scenario-new-version');
  });

  it('shows an empty list and the problem detail of an unknown run', async () => {
    await page.goto(platform.url + '/evaluation/runs?scenario_name=no-such-scenario');
    await page.getByText('No evaluation runs match.').waitFor();
    await page.goto(platform.url + '/evaluation/runs/00000000-0000-4000-8000-000000000000');
    await expectText(page.getByRole('alert'), /404/);
  });
});
