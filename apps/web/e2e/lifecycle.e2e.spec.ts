import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createApiClient, lifecycleApi, type LifecycleApi } from '@mlops/client';
import { eventually, RunningPlatform, startPlatform } from '@mlops/testing';
import { CONSOLE_DIR, expectText, launchBrowser, screenshot } from './browser';

// The Model Lifecycle pages in a real Chromium against the whole platform: seeded through the API
// as a user's training code would, then driven from experiment to active deployment by clicks.
describe('web console: Model Lifecycle', () => {
  let platform: RunningPlatform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let api: LifecycleApi;
  const runIds: Record<string, string> = {};
  const steps = { 'run-a': 50, 'run-b': 60, 'run-c': 70 };
  const finalAuc = { 'run-a': 0.81, 'run-b': 0.93, 'run-c': 0.75 };

  beforeAll(async () => {
    // One after the other: five processes starting at once already fill a small CI machine.
    platform = await startPlatform('console', { gatewayEnv: { GATEWAY_CONSOLE_DIR: CONSOLE_DIR } });
    browser = await launchBrowser();
    api = lifecycleApi(createApiClient({ baseUrl: platform.url }));
    await seed().catch((error) => {
      const tail = (name: 'gateway' | 'lifecycle') => (name === 'gateway' ? platform.gateway : platform.services.lifecycle).output().slice(-2000);
      throw new Error(`seeding through the API failed: ${error}\n--- gateway:\n${tail('gateway')}\n--- lifecycle:\n${tail('lifecycle')}`);
    });
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    // Five processes to start and a browser to launch: minutes on a loaded machine, not a performance bound.
  }, 420_000);

  async function seed() {
    await api.createExperiment({ name: 'churn', description: 'Churn classifier. '.repeat(20), owner: 'ml-team', tags: ['tabular'] });
    for (const [name, count] of Object.entries(steps) as [keyof typeof steps, number][]) {
      const { data: run } = await api.startRun({ experiment_name: 'churn', name, params: { lr: name === 'run-a' ? 0.1 : 0.01, depth: 6, optimizer: name } });
      const runId = (run as { run_id: string }).run_id;
      runIds[name] = runId;
      const points = Array.from({ length: count }, (_, step) => ({ key: 'val/auc', step, value: (finalAuc[name] * (step + 1)) / count }));
      points.push(...Array.from({ length: count }, (_, step) => ({ key: 'loss', step, value: 1 / (step + 1) })));
      const { etag } = await api.updateRun(runId, { metrics: points });
      await api.updateRun(runId, { status: 'completed' }, etag);
    }
    await api.registerModelVersion({ model_name: 'churn-model', run_id: runIds['run-a'], artifact_uri: 's3://models/churn/1', metrics: { auc: 0.81, latency_ms: 12 }, stage: 'none' });
    await api.registerModelVersion({ model_name: 'churn-model', run_id: runIds['run-b'], artifact_uri: 's3://models/churn/2', metrics: { auc: 0.93, latency_ms: 15 }, stage: 'staging' });
  }

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await platform?.stop();
  });

  it('lists the experiment and shows its runs sorted by a metric, with counts and the best run', async () => {
    await page.goto(platform.url + '/');
    await page.getByRole('link', { name: 'churn', exact: true }).click();
    await page.locator('table.runs tbody tr').nth(2).waitFor();
    await expectText(page.getByTestId('run-counts'), /3\s*total/);
    await page.locator('th.metric', { hasText: 'val/auc' }).click();
    const order = async () => Promise.all((await page.locator('table.runs tbody tr').all()).map((row) => row.getAttribute('data-run')));
    // The sorted page comes from the server (sort_metric): wait for it to replace the unsorted one.
    await eventually(async () => expect(await order()).toEqual(['run-b', 'run-a', 'run-c']));
    await expectText(page.getByTestId('best-run'), /run-b.*0\.93/);
    await page.locator('th.metric', { hasText: 'val/auc' }).click();
    await eventually(async () => expect(await order()).toEqual(['run-c', 'run-a', 'run-b']));
    await screenshot(page, 'experiment');
  });

  it('draws every point of a run’s metric history and overlays several runs with a params diff', async () => {
    await page.getByRole('link', { name: 'run-b' }).click();
    await page.locator('.chart[data-metric="val/auc"][data-points="60"] canvas').waitFor();
    await screenshot(page, 'run');
    await page.goBack();
    await page.getByLabel('select run-a').check();
    await page.getByLabel('select run-c').check();
    await page.getByRole('button', { name: /Compare 2 selected/ }).click();
    await page.locator(`.chart[data-metric="val/auc"][data-points="${steps['run-a'] + steps['run-c']}"] canvas`).waitFor();
    const diff = await page.locator('table.params-diff tbody th').allTextContents();
    expect(diff).toEqual(['lr', 'optimizer']);
    await screenshot(page, 'runs-compare');
  });

  it('compares two model versions: deltas as bars, checklist side by side', async () => {
    await page.getByRole('link', { name: 'Model registry' }).click();
    await page.getByLabel('select churn-model v1').check();
    await page.getByLabel('select churn-model v2').check();
    await page.getByRole('button', { name: /Compare churn-model v1, v2/ }).click();
    const bar = page.locator('.metric-delta[data-metric="auc"] rect.bar');
    await bar.waitFor();
    expect(Number(await bar.getAttribute('data-value'))).toBeCloseTo(0.12, 6);
    await expect(page.locator('[data-compared]').count()).resolves.toBe(2);
    await screenshot(page, 'models-compare');
  });

  it('refuses a promotion with the missing checklist items named, then promotes once they are ticked', async () => {
    await page.goto(platform.url + '/models/churn-model/2');
    await page.getByRole('button', { name: 'Promote to production' }).click();
    const problem = page.getByRole('alert');
    await expectText(problem, /422/);
    for (const item of ['evaluation_passed', 'bias_review', 'security_review']) await expectText(problem, new RegExp(item));
    for (const item of ['evaluation_passed', 'bias_review', 'security_review']) {
      // A controlled checkbox: it shows ticked once the API answered, so click and wait for who ticked it.
      await page.getByLabel(`check ${item}`).click();
      await page.locator(`tr[data-item="${item}"] td`, { hasText: 'anonymous' }).waitFor();
    }
    await page.getByRole('button', { name: 'Promote to production' }).click();
    await page.locator('.badge.stage-production').first().waitFor();
    await screenshot(page, 'model-version');
    const { data } = await api.getModelVersion('churn-model', 2);
    expect(data.stage).toBe('production');
  });

  it('moves a deployment through its states offering only legal transitions, promotes the canary', async () => {
    const { data } = await api.createDeployment({ model_name: 'churn-model', model_version: 2, environment: 'production', config: { replicas: 2, traffic_percent: 20 } });
    const id = (data as { deployment_id: string }).deployment_id;
    await page.goto(`${platform.url}/deployments/${id}`);
    const offered = () => page.getByLabel('transitions').getByRole('button').allTextContents();
    await page.locator('[data-state="pending"][data-current]').waitFor();
    expect(await offered()).toEqual(['Move to validating', 'Mark failed', 'Terminate']);
    for (const next of ['validating', 'deploying', 'active']) {
      await page.getByRole('button', { name: `Move to ${next}` }).click();
      await page.locator(`[data-state="${next}"][data-current]`).waitFor();
    }
    expect(await offered()).toEqual(['Roll back', 'Mark failed', 'Terminate', 'Promote canary to 100%']);
    await expectText(page.getByTestId('traffic'), /20%/);
    await page.getByRole('button', { name: 'Promote canary to 100%' }).click();
    await expectText(page.getByTestId('traffic'), /100%/);
    await screenshot(page, 'deployment');
    expect((await api.getDeployment(id)).data).toMatchObject({ status: 'active', config: { traffic_percent: 100 } });
  });

  it('shows a 412 when another client changed the deployment first, and acts after a reload', async () => {
    const { data: list } = await api.listDeployments({ model_name: 'churn-model', status: 'active' });
    const id = list.items[0].deployment_id;
    await page.goto(`${platform.url}/deployments/${id}`);
    await page.locator('[data-state="active"][data-current]').waitFor();
    const { etag } = await api.getDeployment(id);
    await api.updateDeployment(id, { health: 'degraded', metrics: { latency_p99_ms: 180, error_rate: 0.02, rps: 40 } }, etag);
    await page.getByRole('button', { name: 'Roll back' }).click();
    await expectText(page.getByRole('alert'), /Changed by someone else/);
    await page.getByRole('button', { name: 'Reload' }).click();
    await page.locator('.badge.health-degraded').waitFor();
    await page.getByRole('button', { name: 'Roll back' }).click();
    await page.locator('[data-state="rollback"][data-current]').waitFor();
    await page.getByRole('button', { name: 'Terminate' }).click();
    await page.locator('[data-state="terminated"][data-current]').waitFor();
    expect(await page.getByLabel('transitions').getByRole('button').count()).toBe(0);
  });

  it('lists deployments and drift events, filtered by severity', async () => {
    for (const severity of ['low', 'critical'] as const) {
      await api.recordDriftEvent({ model_name: 'churn-model', model_version: 2, feature: 'tenure_months', metric: 'psi', value: severity === 'low' ? 0.05 : 0.4, threshold: 0.2, severity });
    }
    await page.goto(platform.url + '/deployments');
    await page.locator('table.deployments tbody tr').first().waitFor();
    await screenshot(page, 'deployments');
    await page.goto(platform.url + '/drift-events');
    await page.locator('table.drift-events tbody tr').nth(1).waitFor();
    await page.getByLabel('Severity').selectOption('critical');
    // The filtered page replaces the table: wait for the one critical row, and no other.
    await eventually(async () => {
      const rows = page.locator('table.drift-events tbody tr');
      expect(await rows.count()).toBe(1);
      expect(await rows.first().getAttribute('data-severity')).toBe('critical');
    });
    await screenshot(page, 'drift-events');
  });

  it('shows an empty state and a problem+json detail', async () => {
    await page.goto(platform.url + '/experiments');
    await page.getByLabel('Owner').fill('nobody-owns-this');
    await page.getByText('No experiments match.').waitFor();
    await page.goto(platform.url + '/experiments/no-such-experiment');
    await expectText(page.getByRole('alert'), /404/);
    await screenshot(page, 'not-found');
  });
});
