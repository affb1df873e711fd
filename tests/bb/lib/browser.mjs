// A real browser for the black-box tests: Debian's Chromium (/usr/bin/chromium,
// installed by `scripts/deps.sh browser`), driven headless by playwright-core.
// Nothing is downloaded: playwright-core ships no browser, it drives the system's.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { REPO } from './harness.mjs';

/** The browser the tests drive: $CHROMIUM or Debian's. */
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Where screenshots and other artifacts of the browser tests go (kept after the run). */
export const ARTIFACTS = process.env.USERD_ARTIFACTS || path.join(REPO, 'build/artifacts');

/**
 * Starts headless Chromium; the caller closes it (browser.close()).
 * --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
 */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/**
 * A new page that records the console errors and failed requests of what it
 * loads: page.problems lists them, so a test can assert there were none.
 */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => page.problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  return page;
}

/** Saves a screenshot of the page (or of one locator) as build/artifacts/<name>.png; returns the path. */
export async function screenshot(target, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await target.screenshot({ path: file });
  return file;
}
