// The console journey as a person sees it: open the control plane's console (one origin), sign in
// for a project, find a log line that observability-api (another origin) returns to the browser,
// follow its trace id to the span waterfall. Prints "OK <step>" per step; exits non-zero on failure.
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`missing environment variable ${name}`);
  return value;
};
const CONSOLE = env('CONSOLE_URL');
const PROJECT = env('PROJECT');
const LOG_TEXT = env('LOG_TEXT');
const SCREENSHOT = env('SCREENSHOT');

// Polls from here rather than with page.waitForFunction, which evaluates a string in the page: the
// console's Content-Security-Policy (no 'unsafe-eval') refuses that, as it should any injected script.
async function waitFor(page, label, fn, arg) {
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    if (await page.evaluate(fn, arg)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${label}: not within 10 s (page text: '${(await page.textContent('body')).slice(0, 300)}')`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let page;
try {
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${r.status()} from ${r.url()}`);
  });

  await page.goto(CONSOLE);
  await page.fill('#projects', PROJECT);
  await page.click('#signin-form button[type=submit]');
  await waitFor(page, 'signed in', (p) => document.querySelector('#whoami').textContent.includes(p), PROJECT);
  console.log('OK signed in');

  await page.fill('#q', `"${LOG_TEXT}"`);
  await page.click('#search');
  const row = page.locator('#logs-table tbody tr.log-row', { hasText: LOG_TEXT }).first();
  await row.waitFor({ timeout: 10000 });
  const apiOrigin = new URL(await page.textContent('#obs-url')).origin;
  if (apiOrigin === new URL(CONSOLE).origin) throw new Error('the API must be another origin than the console');
  console.log(`OK log line shown, read from ${apiOrigin}`);

  await row.locator('.trace-link').click();
  await waitFor(page, 'the waterfall', () => document.querySelectorAll('#waterfall .span-row').length >= 2);
  const spans = await page.locator('#waterfall .span-name').allTextContents();
  if (!spans.some((s) => s.startsWith('outpost-gateway'))) throw new Error('no gateway span in ' + spans);
  if (!spans.some((s) => s.startsWith('outpost-integration-runtime'))) throw new Error('no runtime span in ' + spans);
  console.log(`OK waterfall shows ${spans.length} spans`);

  if (problems.length) throw new Error('the page met problems: ' + problems.join('; '));
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  console.log('OK screenshot ' + SCREENSHOT);
} catch (e) {
  if (page) await page.screenshot({ path: SCREENSHOT, fullPage: true }).catch(() => {});
  console.error('FAILED ' + e.message);
  process.exitCode = 1;
} finally {
  await browser.close();
}
