import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createApiClient, featureStoreApi, type FeatureStoreApi, lifecycleApi } from '@mlops/client';
import { eventually, RunningPlatform, startPlatform } from '@mlops/testing';
import { CONSOLE_DIR, expectText, launchBrowser, screenshot } from './browser';

// The Feature Store pages in a real Chromium: a CSV registered and profiled, refreshed after its
// schema changed, a feature defined over it and given a new version from the console, and its versions compared.
describe('web console: Feature Store', () => {
  let platform: RunningPlatform;
  let browser: Browser;
  let page: Page;
  let api: FeatureStoreApi;
  let csvPath: string;
  const csv = 'customer_id,amount,country\n1,10.5,DE\n2,,FR\n3,7.25,DE\n4,100,FR\n5,3,DE\n';

  beforeAll(async () => {
    platform = await startPlatform('console-features', { gatewayEnv: { GATEWAY_CONSOLE_DIR: CONSOLE_DIR } });
    browser = await launchBrowser();
    api = featureStoreApi(createApiClient({ baseUrl: platform.url }));
    mkdirSync(join(platform.dataRoot, 'raw'), { recursive: true });
    csvPath = join(platform.dataRoot, 'raw', 'transactions.csv');
    writeFileSync(csvPath, csv);
    page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    // Five processes to start and a browser to launch: minutes on a loaded machine, not a performance bound.
  }, 420_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('registers a CSV from the console and shows its size, sha256 and per-column profile', async () => {
    await page.goto(platform.url + '/datasets');
    await page.getByText('No datasets match.').waitFor();
    await page.getByText('Register a dataset').click();
    await page.getByLabel('dataset name').fill('transactions');
    await page.getByLabel('dataset path').fill('raw/transactions.csv');
    await page.getByLabel('dataset tags').fill('payments');
    await page.getByRole('button', { name: 'Register' }).click();
    const facts = page.getByTestId('dataset-facts');
    await expectText(facts.locator('[data-fact="rows"]'), /^5 rows$/);
    await expectText(facts.locator('[data-fact="size"]'), new RegExp(`\\(${Buffer.byteLength(csv)} bytes\\)`));
    await expectText(facts.locator('[data-fact="sha256"]'), new RegExp(createHash('sha256').update(csv).digest('hex')));
    const amount = page.locator('table.profile tr[data-column="amount"]');
    // One null of five rows, four distinct values; mean of 10.5, 7.25, 100 and 3.
    expect(await amount.locator('.small-bar rect.fill').first().getAttribute('data-value')).toBe('1');
    await expectText(amount, /DOUBLE.*3.*100.*30\.19/);
    await screenshot(page, 'dataset');
  });

  it('refreshes the profile and records the schema change', async () => {
    writeFileSync(csvPath, csv.replace('country\n', 'country,segment\n').replace(/(DE|FR)\n/g, '$1,retail\n'));
    await page.getByRole('button', { name: 'Refresh profile' }).click();
    await expectText(page.getByTestId('schema-change'), /added segment VARCHAR/);
    await page.locator('table.profile tr[data-column="segment"]').waitFor();
  });

  it('defines a feature from the console, then compares its versions with the breaking changes flagged', async () => {
    await page.goto(platform.url + '/features');
    await page.getByText('Define a feature').click();
    await page.getByLabel('feature name').fill('txn_amount');
    await page.getByLabel('feature entity').fill('customer_id');
    await page.getByLabel('value type').selectOption('double');
    await page.getByLabel('source dataset').selectOption('transactions');
    await page.getByLabel('source column or expression').fill('amount');
    await page.getByRole('button', { name: 'Define feature' }).click();
    await page.locator('table.feature-versions tr[data-version="1"]').waitFor();
    // A new version from the console: a column the dataset lacks is the service's 422, shown in the form.
    const form = page.getByRole('form', { name: 'new feature version' });
    expect(await form.getByLabel('version value type').inputValue()).toBe('double');
    expect(await form.getByLabel('version source column or expression').inputValue()).toBe('amount');
    await form.getByLabel('version source column or expression').fill('amount_eur');
    await form.getByLabel('version changelog').fill('Amounts are required and never negative');
    await form.getByRole('button', { name: 'Create version 2' }).click();
    await expectText(form.getByRole('alert'), /422.*amount_eur/s);
    expect((await api.getFeature('txn_amount')).data.latest_version.version).toBe(1);
    await form.getByLabel('version source column or expression').fill('amount');
    await form.getByLabel('version nullable').uncheck();
    await form.getByLabel('version min').fill('0');
    await form.getByRole('button', { name: 'Create version 2' }).click();
    const v2 = page.locator('table.feature-versions tr[data-version="2"]');
    await expectText(v2, /breaking nullable true → false.*min none → 0/);
    await expectText(page.locator('table.feature-versions tr[data-version="1"]'), /compatible/);
    const diff = (field: string) => page.locator(`table.feature-diff tr[data-field="${field}"]`);
    await expectText(diff('schema.nullable'), /true.*false/);
    await expectText(diff('schema.min'), /—.*0/);
    expect(await page.locator('table.feature-diff tbody tr').count()).toBe(2);
    const { data: feature } = await api.getFeature('txn_amount');
    expect(feature.latest_version).toMatchObject({ version: 2, value_type: 'double', schema: { nullable: false, min: 0, max: null }, source: { kind: 'column', column: 'amount' }, changelog: 'Amounts are required and never negative' });
    await screenshot(page, 'feature');
  });

  it('filters the features list, deprecates the feature, and links a drift event to it', async () => {
    await page.goto(platform.url + '/features');
    await page.getByLabel('Entity', { exact: true }).fill('customer_id');
    await page.locator('table.features tr[data-feature="txn_amount"]').waitFor();
    await page.getByRole('combobox', { name: /^Status/ }).selectOption('deprecated');
    await page.getByText('No features match.').waitFor();
    await page.goto(platform.url + '/features/txn_amount');
    await page.getByLabel('deprecation reason').fill('Replaced by txn_amount_eur');
    await page.getByRole('button', { name: 'Deprecate' }).click();
    await expectText(page.locator('.facts .problem'), /Deprecated.*Replaced by txn_amount_eur/);
    expect((await api.getFeature('txn_amount')).data.status).toBe('deprecated');

    const lifecycle = lifecycleApi(createApiClient({ baseUrl: platform.url }));
    await lifecycle.createExperiment({ name: 'spend', owner: 'ml-team' });
    const { data: run } = await lifecycle.startRun({ experiment_name: 'spend', name: 'train' });
    await lifecycle.registerModelVersion({ model_name: 'spend-model', run_id: (run as { run_id: string }).run_id, artifact_uri: 's3://models/spend/1', stage: 'none' });
    await eventually(() =>
      lifecycle.recordDriftEvent({ model_name: 'spend-model', model_version: 1, feature: 'txn_amount', metric: 'psi', value: 0.4, threshold: 0.2, severity: 'high' }),
    );
    await page.goto(platform.url + '/drift-events');
    await page.locator('table.drift-events a[href="/features/txn_amount"]').click();
    await page.getByRole('heading', { name: 'Feature txn_amount' }).waitFor();
  });
});
