import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { eventually, repoRoot } from '@mlops/testing';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CONSOLE_DIR = join(repoRoot, 'apps', 'web', 'dist');
/** Screenshots for review (git-ignored, under .cache). */
export const SCREENSHOTS = join(repoRoot, '.cache', 'screenshots');

/**
 * Debian's Chromium, headless, as tools/setup/chromium.sh installs it; the console built by
 * tools/setup/console-build.sh (run again here: it returns at once when the build is current).
 * A missing browser fails the suite, never skips it.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No browser at ${CHROMIUM}: run \`bash tools/setup/chromium.sh\` (apt-get install chromium)`);
  execFileSync('bash', [join(repoRoot, 'tools', 'setup', 'console-build.sh')], { stdio: 'pipe' });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const screenshot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** Waits until the located elements' text matches (pages render after their queries answer). */
export async function expectText(locator: Locator, pattern: RegExp) {
  await eventually(async () => {
    const text = (await locator.allTextContents()).join(' ');
    if (!pattern.test(text)) throw new Error(`expected ${pattern} in ${JSON.stringify(text)}`);
  }, 15_000, 100);
}

/** Signs a tab in with an API key through the console's own prompt (the gateway has keys on). */
export async function signIn(page: Page, url: string, key: string) {
  await page.goto(url);
  await page.getByPlaceholder('API key').fill(key);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
