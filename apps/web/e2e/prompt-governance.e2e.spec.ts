import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createApiClient, promptGovernanceApi, type PromptGovernanceApi } from '@mlops/client';
import { RunningPlatform, startPlatform } from '@mlops/testing';
import { CONSOLE_DIR, expectText, launchBrowser, screenshot, signIn } from './browser';

// Prompt Governance in a real Chromium, with API keys on: a template goes from draft through
// review to the production label, with two people in two browser sessions (four-eyes).
const ALICE = 'alice-key-0123456789abcdef';
const BOB = 'bob-key-0123456789abcdef';
const VIEWER = 'viewer-key-0123456789abcdef';

describe('web console: Prompt Governance', () => {
  let platform: RunningPlatform;
  let browser: Browser;
  let alice: { context: BrowserContext; page: Page };
  let bob: { context: BrowserContext; page: Page };
  let api: PromptGovernanceApi;

  beforeAll(async () => {
    platform = await startPlatform('console-prompts', {
      gatewayEnv: {
        GATEWAY_CONSOLE_DIR: CONSOLE_DIR,
        GATEWAY_API_KEYS: `${ALICE}=alice:prompt-approver,${BOB}=bob:prompt-approver,${VIEWER}=viewer`,
      },
    });
    browser = await launchBrowser();
    api = promptGovernanceApi(createApiClient({ baseUrl: platform.url, apiKey: ALICE }));
    await api.createTemplate({
      id: 'support-answer',
      name: 'Support answer',
      template: 'Answer the customer question: {{question}}',
      variables: ['question'],
      config: { model: 'gpt-4o-mini', temperature: 0.2 },
      tags: ['support'],
      type: 'text',
    });
    const open = async () => {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      return { context, page: await context.newPage() };
    };
    alice = await open();
    bob = await open();
    // Five processes to start and a browser to launch: minutes on a loaded machine, not a performance bound.
  }, 420_000);

  afterAll(async () => {
    await alice?.context.close();
    await bob?.context.close();
    await browser?.close();
    await platform?.stop();
  });

  it('asks for an API key, refuses a wrong one, and keeps the right one for this tab only', async () => {
    const { page, context } = alice;
    await page.goto(platform.url + '/prompts');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByPlaceholder('API key').fill('not-a-configured-key-000');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('The gateway did not accept that key.').waitFor();
    await page.getByPlaceholder('API key').fill(ALICE);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.locator('table.templates tr[data-template="support-answer"]').waitFor();
    expect(await page.evaluate("sessionStorage.getItem('mlops.apiKey')")).toBe(ALICE);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    expect(await context.cookies()).toEqual([]);
    // A reload keeps the tab signed in; another tab of the same browser is asked again.
    await page.reload();
    await page.locator('table.templates tr[data-template="support-answer"]').waitFor();
    const other = await context.newPage();
    await other.goto(platform.url + '/prompts');
    await other.getByRole('heading', { name: 'Sign in' }).waitFor();
    await other.close();
  });

  it('creates a version, diffs it against the first, and highlights the evaluation’s findings in the text', async () => {
    const { page } = alice;
    await page.getByRole('link', { name: 'support-answer' }).click();
    await page.locator('table.versions tr[data-version="1"]').waitFor();
    await page.getByLabel('template text').fill('Answer the customer question politely: {{question}} Escalations go to support@example.com.');
    await page.getByLabel('commit message').fill('Politer, with the escalation address');
    await page.getByRole('button', { name: 'Create version 2' }).click();
    await page.locator('table.versions tr[data-version="2"]').waitFor();
    const diff = page.locator('.text-diff');
    await expectText(diff.locator('ins'), /politely/);
    await expectText(diff.locator('ins'), /support@example\.com/);
    expect(await diff.locator('del').count()).toBe(0);
    await page.getByRole('button', { name: 'Evaluate v2' }).click();
    await expectText(page.getByTestId('evaluation'), /90\/100, passed/);
    await expectText(page.locator('[data-testid="template-text"] mark.finding-warning'), /^support@example\.com$/);
    await screenshot(page, 'prompt-template');
  });

  it('refuses the author’s own approval plainly (four-eyes), and a second approver approves', async () => {
    const { page } = alice;
    await page.getByRole('button', { name: 'Submit v2 for review' }).click();
    await page.locator('table.versions tr[data-version="2"] .badge.status-pending_review').waitFor();
    await page.goto(platform.url + '/prompts/reviews');
    const review = page.locator('[data-review="support-answer/v2"]');
    await review.waitFor();
    await review.getByRole('button', { name: 'Approve v2' }).click();
    await expectText(review.getByTestId('four-eyes'), /403/);
    await expectText(review.getByTestId('four-eyes'), /alice submitted version 2 and may not approve it/);
    await screenshot(page, 'prompt-four-eyes');

    await signIn(bob.page, platform.url + '/prompts/reviews', BOB);
    const queued = bob.page.locator('[data-review="support-answer/v2"]');
    await queued.waitFor();
    // Rejecting needs a reason: the button stays off until one is typed.
    expect(await queued.getByRole('button', { name: 'Reject v2' }).isDisabled()).toBe(true);
    await queued.getByLabel('rejection reason v2').fill('x');
    expect(await queued.getByRole('button', { name: 'Reject v2' }).isEnabled()).toBe(true);
    await queued.getByLabel('rejection reason v2').fill('');
    await screenshot(bob.page, 'approval-queue');
    await queued.getByLabel('approval comment v2').fill('Reads well');
    await queued.getByRole('button', { name: 'Approve v2' }).click();
    await bob.page.getByText('Nothing is waiting for review.').waitFor();
    const { data } = await api.getTemplate('support-answer');
    expect(data.versions[1]).toMatchObject({ status: 'approved', submitted_by: 'alice', reviewed_by: 'bob', review_comment: 'Reads well' });
  });

  it('points production at the approved version, shows the label history, and renders it in the playground', async () => {
    const { page } = alice;
    await page.goto(platform.url + '/prompts/support-answer');
    // production refuses a version that is not approved: v1 is still a draft.
    await page.getByLabel('label version').selectOption('1');
    await page.getByRole('button', { name: 'Point label' }).click();
    await expectText(page.getByRole('alert'), /approved/);
    await page.getByLabel('label version').selectOption('2');
    await page.getByRole('button', { name: 'Point label' }).click();
    await expectText(page.locator('table.labels tr[data-label="production"]'), /v2.*alice/);
    await page.locator('table.label-history tr[data-move="production:->2"]').waitFor();

    await page.getByLabel('render target').selectOption('label:production');
    await page.getByRole('button', { name: 'Render', exact: true }).click();
    await expectText(page.getByRole('alert'), /Missing variables: question/);
    await page.getByLabel('variable question').fill('Where is my order?');
    await page.getByRole('button', { name: 'Render', exact: true }).click();
    await expectText(page.getByTestId('rendered'), /v2 by label production/);
    await expectText(page.getByTestId('rendered'), /Answer the customer question politely: Where is my order\? Escalations go to support@example\.com\./);
    await screenshot(page, 'prompt-render');
  });

  it('shows usage per day; a caller without the approver role sees no queue and is told why, an approver approves from it', async () => {
    const day = (d: number) => `2026-11-${String(d).padStart(2, '0')}T10:00:00.000Z`;
    const record = (d: number, outcome: 'success' | 'error', latency: number) => ({
      caller: 'support-bot', environment: 'production', input_tokens: 100, output_tokens: 50, latency_ms: latency, cost: 0.01, outcome, timestamp: day(d),
    });
    await api.logUsage('support-answer', 2, { records: [record(1, 'success', 100), record(1, 'error', 300), record(2, 'success', 200)] });
    await alice.page.goto(platform.url + '/prompts/support-answer/2/usage');
    await expectText(alice.page.getByTestId('usage-totals'), /3\s*calls.*33\.3%\s*errors/);
    const calls = alice.page.locator('.day-bars[data-chart="calls per day"] rect.bar');
    expect(await Promise.all((await calls.all()).map((bar) => bar.getAttribute('data-value')))).toEqual(['2', '1']);
    await screenshot(alice.page, 'prompt-usage');

    await api.addVersion('support-answer', { template: 'Answer briefly: {{question}}' }, (await api.getTemplate('support-answer')).etag);
    await api.submit('support-answer', 3, (await api.getTemplate('support-answer')).etag);
    const viewer = await browser.newContext();
    const page = await viewer.newPage();
    await signIn(page, platform.url + '/prompts/reviews', VIEWER);
    // The gateway tells the console who the caller is: no approver role, so no queue and no review controls.
    await expectText(page.getByTestId('not-approver'), /needs the prompt-approver role\. You are signed in as viewer with no roles \(by API key\)/);
    expect(await page.getByTestId('approval-queue').count()).toBe(0);
    expect(await page.locator('[data-review]').count()).toBe(0);
    await page.goto(platform.url + '/prompts/support-answer?version=3');
    await page.locator('table.versions tr[data-version="3"] .badge.status-pending_review').waitFor();
    await page.getByTestId('not-approver').waitFor();
    expect(await page.getByRole('button', { name: 'Approve v3' }).count()).toBe(0);
    // The service still decides: the same key is refused an approval sent past the console.
    const viewerApi = promptGovernanceApi(createApiClient({ baseUrl: platform.url, apiKey: VIEWER }));
    await expect(viewerApi.approve('support-answer', 3, undefined, (await api.getTemplate('support-answer')).etag)).rejects.toMatchObject({ status: 403 });
    await viewer.close();

    // An approver's tab shows the queue, and approves from it.
    await bob.page.goto(platform.url + '/prompts/reviews');
    const queued = bob.page.locator('[data-review="support-answer/v3"]');
    await queued.getByRole('button', { name: 'Approve v3' }).click();
    await bob.page.getByText('Nothing is waiting for review.').waitFor();
    expect((await api.getTemplate('support-answer')).data.versions[2]).toMatchObject({ status: 'approved', reviewed_by: 'bob' });
  });
});
