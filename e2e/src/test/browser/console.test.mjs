// The console as a person uses it, in Debian's headless Chromium: served by the control plane (one
// origin), signed in through its IdP, reading logs and traces that observability-api (another origin)
// returns to the browser with the user's token. The first case follows the journey's log line to its
// trace; the others read what the IT wrote through the ingest (ConsoleTelemetry). Requests are only
// ever delayed here, never answered. Prints "OK <case>" or "FAILED <case>: why" per case; exits
// non-zero when one failed.
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
// in project shop; the first also holds a span of project other under its two of shop
const FIRST_TRACE = env('FIRST_TRACE');
const SECOND_TRACE = env('SECOND_TRACE');
// one span each: of shop/orders, named by a long REST path; of other/intruder, named to read as shop/orders'
const LONG_NAME_TRACE = env('LONG_NAME_TRACE');
const SPOOF_TRACE = env('SPOOF_TRACE');

function check(condition, message) {
  if (!condition) throw new Error(message);
}

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

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Fails when fn turns false within ms: what must not happen (an older answer shown) has no event to wait for.
async function stays(page, label, fn, ms) {
  const until = Date.now() + ms;
  do {
    if (!(await page.evaluate(fn))) throw new Error(`${label}: no longer (page text: '${(await page.textContent('body')).slice(0, 300)}')`);
    await pause(50);
  } while (Date.now() < until);
}

// Holds back the first request whose URL matches until release() is called, then lets it go on: its
// answer arrives after a later one's, as a slow one's does. held resolves once it is held; over once
// it is over, answered or given up by the page.
async function holdFirst(page, pattern) {
  let release, heldNow, overNow;
  const released = new Promise((resolve) => { release = resolve; });
  const held = new Promise((resolve) => { heldNow = resolve; });
  const over = new Promise((resolve) => { overNow = resolve; });
  let first = true;
  await page.route(pattern, async (route) => {
    if (!first) return route.continue();
    first = false;
    heldNow();
    await released;
    try {
      await route.continue();
      const response = await route.request().response(); // null when the page gave up on it
      if (response) await response.finished();
    } catch (e) {
      // the page gave up on it
    }
    overNow();
  });
  return { held, release, over };
}

async function signIn(page, subject, projects) {
  await page.fill('#sub', subject);
  await page.fill('#projects', projects);
  await page.click('#signin-form button[type=submit]');
  // as this subject: a page still signed in from an earlier case says "Signed in" before the new token comes
  await waitFor(page, 'signed in as ' + subject,
    (s) => document.querySelector('#whoami').textContent.startsWith('Signed in as ' + s + ' '), subject);
}

async function search(page, q) {
  await page.fill('#q', q);
  await page.click('#search');
}

// Searches and waits for the answer: the rows of the search that signing in starts may be shown until then.
async function searched(page, q) {
  await search(page, q);
  await waitFor(page, `the answer to '${q}'`, () => /record\(s\)|failed/.test(document.querySelector('#logs-status').textContent));
}

const rowBodies = (page) => page.$$eval('#logs-table tbody tr.log-row td.body', (tds) => tds.map((td) => td.textContent));
const spanNames = (page) => page.$$eval('#waterfall .span-name', (names) => names.map((n) => n.textContent));
const traceLink = (page, traceId) => page.locator(`#logs-table .trace-link[title="${traceId}"]`).first();

async function aLogLineLeadsToItsTrace(page) {
  await signIn(page, 'developer', PROJECT);
  check((await page.textContent('#whoami')).includes(PROJECT), 'not signed in for ' + PROJECT);
  await searched(page, `"${LOG_TEXT}"`);
  const row = page.locator('#logs-table tbody tr.log-row', { hasText: LOG_TEXT }).first();
  await row.waitFor({ timeout: 10000 });
  const apiOrigin = new URL(await page.textContent('#obs-url')).origin;
  check(apiOrigin !== new URL(CONSOLE).origin, 'the API must be another origin than the console');
  await row.locator('.trace-link').click();
  await waitFor(page, 'the waterfall', () => document.querySelectorAll('#waterfall .span-row').length >= 2);
  const spans = await spanNames(page);
  check(spans.some((s) => s.startsWith('outpost-gateway')), 'no gateway span in ' + spans);
  check(spans.some((s) => s.startsWith('outpost-integration-runtime')), 'no runtime span in ' + spans);
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
}

async function aSubjectOutsideAsciiIsShownAsTyped(page) {
  await signIn(page, 'José 日本', 'shop other');
  const who = await page.textContent('#whoami');
  check(who === 'Signed in as José 日本 for projects: shop, other', `whoami reads '${who}'`);
}

// The page shows the answer to what the user asked last, whichever answer arrives last.
async function aSlowSearchDoesNotOverwriteANewerOne(page) {
  await signIn(page, 'developer', 'shop');
  const slow = await holdFirst(page, /\/api\/v1\/logs\?.*q=slow/);
  await search(page, 'slow');
  await slow.held;
  await search(page, 'quick');
  const quickRows = () => {
    const bodies = [...document.querySelectorAll('#logs-table tbody tr.log-row td.body')].map((td) => td.textContent);
    return bodies.length === 2 && bodies.every((b) => b.startsWith('quick '));
  };
  await waitFor(page, "the newer search's rows", quickRows);
  slow.release();
  await slow.over;
  await stays(page, "the newer search's rows once the slow answer came", quickRows, 500);
  check(await page.inputValue('#q') === 'quick', 'the query box changed');
}

async function aSlowTraceDoesNotOverwriteANewerOne(page) {
  await signIn(page, 'developer', 'shop');
  await searched(page, 'traced');
  await waitFor(page, 'rows', () => document.querySelectorAll('#logs-table .trace-link').length === 2);
  const slow = await holdFirst(page, new RegExp('/api/v1/traces/' + FIRST_TRACE));
  await traceLink(page, FIRST_TRACE).click();
  await slow.held;
  await traceLink(page, SECOND_TRACE).click();
  await waitFor(page, "the newer trace's waterfall", () => /^1 span\(s\)/.test(document.querySelector('#trace-status').textContent));
  slow.release();
  await slow.over;
  await stays(page, "the newer trace's waterfall once the slow answer came",
    () => /^1 span\(s\)/.test(document.querySelector('#trace-status').textContent), 500);
  check(await page.textContent('#trace-id') === SECOND_TRACE, 'the heading is not the newer trace');
  const names = await spanNames(page);
  check(names.length === 1 && names[0].includes('GET /second'), `the waterfall is not the newer trace's: ${names}`);
  const status = await page.textContent('#trace-status');
  check(status.startsWith('1 span(s)'), `the status is not the newer trace's: ${status}`);
}

// A listing holds the newest 100 records: one that more records match says so.
async function aListingCutAtItsLimitSaysMoreMatch(page) {
  await signIn(page, 'developer', 'shop');
  await searched(page, 'many');
  const bodies = await rowBodies(page);
  check(bodies.length === 100 && bodies.every((b) => b.startsWith('many ')), `the rows are not a hundred of 'many': ${bodies.length}`);
  const status = await page.textContent('#logs-status');
  check(status.includes('more match'), `the status does not say more match: '${status}'`);
}

// The row's own project, as the explorer does: another project's integration that learnt the id may
// have sent spans into the trace.
async function aTraceOpenedFromARowIsReadInTheRowsProject(page) {
  await signIn(page, 'developer', 'shop other');
  await searched(page, 'traced');
  await waitFor(page, 'rows', () => document.querySelectorAll('#logs-table .trace-link').length === 2);
  await traceLink(page, FIRST_TRACE).click();
  await waitFor(page, 'the waterfall', () => document.querySelectorAll('#waterfall .span-row').length > 0);
  await pause(300);
  const rows = await page.$$eval('#waterfall .span-row', (spans) => spans.map((s) => s.textContent));
  check(rows.length === 2 && rows.every((r) => r.includes('shop/orders')), `the waterfall holds ${rows}`);
}

/**
 * Where the last occurrence of `text` in the waterfall's row `index` is painted, and what hides it: past
 * the viewport, cut off by a box that clips its content (an ellipsis), or under another element.
 */
function whereShown([index, text]) {
  const row = document.querySelectorAll('#waterfall .span-row')[index];
  row.scrollIntoView({ block: 'center' });
  let found = null;
  const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.lastIndexOf(text);
    if (at >= 0) found = { node, at };
  }
  if (!found) return { hidden: 'not in the row' };
  const range = document.createRange();
  range.setStart(found.node, found.at);
  range.setEnd(found.node, found.at + text.length);
  const box = range.getBoundingClientRect();
  if (box.width === 0 || box.left < 0 || box.right > document.documentElement.clientWidth) {
    return { hidden: `outside the viewport (${Math.round(box.left)} to ${Math.round(box.right)} px)` };
  }
  for (let el = found.node.parentElement; el && el !== document.body; el = el.parentElement) {
    const style = getComputedStyle(el);
    if (style.overflowX === 'visible') continue;
    const clip = el.getBoundingClientRect();
    if (box.left < clip.left - 1 || box.right > clip.right + 1) {
      return { hidden: `cut off by its .${el.className} (${Math.round(box.left)} to ${Math.round(box.right)} px shown in `
        + `${Math.round(clip.left)} to ${Math.round(clip.right)} px)` };
    }
  }
  const top = document.elementFromPoint((box.left + box.right) / 2, (box.top + box.bottom) / 2);
  if (!top || !top.contains(found.node)) return { hidden: `under ${top ? top.className : 'nothing'}` };
  return { hidden: null };
}

// Whose span it is (the project and integration its token names) stays on screen whatever the client
// named it: a long name pushed it out of its column, and one could write another owner in its place.
async function aSpansOwnerIsShownWhateverItsName(page) {
  await signIn(page, 'developer', 'shop other');
  await searched(page, 'longname OR spoofing');
  await waitFor(page, 'rows', () => document.querySelectorAll('#logs-table .trace-link').length === 2);
  const hidden = [];
  for (const [trace, owner] of [[LONG_NAME_TRACE, 'shop/orders'], [SPOOF_TRACE, 'other/intruder']]) {
    await traceLink(page, trace).click();
    await waitFor(page, `the waterfall of ${owner}`, (t) => document.querySelector('#trace-id').textContent === t
      && document.querySelectorAll('#waterfall .span-row').length === 1, trace);
    const shown = await page.evaluate(whereShown, [0, owner]);
    if (shown.hidden !== null) hidden.push(`the owner ${owner} is not visible: ${shown.hidden}`);
  }
  check(hidden.length === 0, hidden.join('; '));
}

// what ends past the viewport's right edge, or holds more than its box shows
const overflowing = (page, selector) => page.$$eval(selector, (els) => {
  const width = document.documentElement.clientWidth;
  return els.filter((el) => el.getBoundingClientRect().right > width + 1 || el.scrollWidth > el.clientWidth + 1)
    .map((el) => el.className || el.tagName);
});

// One record with a name of thousands of characters (no space) widens only its own row: every row's
// Message, Project and Trace cells stay on screen.
async function aLongNameKeepsEveryRowOnScreen(page) {
  await signIn(page, 'developer', 'shop');
  await searched(page, 'wide');
  check((await rowBodies(page)).length === 4, `the rows are not the four of 'wide': ${await rowBodies(page)}`);
  const off = await overflowing(page, '#logs-table tbody tr.log-row td');
  check(off.length === 0, `cells past the viewport's right edge: ${off.join(', ')}`);
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(scroll <= 0, `the page scrolls ${scroll} px sideways`);
}

// A sign-in sent at once, while config.json is on its way, is the page's: the form had no handler until
// the config came, so the browser submitted it itself, reloading the page without the sign-in.
async function aSignInBeforeTheConfigArrivesIsKept(page) {
  const config = await holdFirst(page, /\/console\/config\.json$/);
  await page.goto(CONSOLE);
  await config.held;
  let reloaded = false;
  page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) reloaded = true; });
  try {
    await page.fill('#sub', 'early');
    await page.fill('#projects', 'shop');
    // not waiting for a navigation the click starts: one is the failure looked for
    await page.click('#signin-form button[type=submit]', { noWaitAfter: true });
    const deadline = Date.now() + 10000;
    for (let who = ''; !who.startsWith('Signed in as early '); who = await page.textContent('#whoami').catch(() => '')) {
      check(!reloaded, 'the page reloaded: the browser submitted the sign-in form itself, and the sign-in is lost');
      check(Date.now() < deadline, `not signed in within 10 s: '${who}'`);
      await pause(50);
    }
  } finally {
    config.release();
  }
  // its search, which needs the config, runs once it came
  await waitFor(page, 'the search after the sign-in', () => /record\(s\)/.test(document.querySelector('#logs-status').textContent));
}

// The searches go on with the kept token: the form says whom it is for, not its defaults.
async function aReloadKeepsTheSignedInSubjectAndProjectsInTheForm(page) {
  await signIn(page, 'alice', 'shop other');
  await page.goto(CONSOLE);
  await waitFor(page, 'signed in after the reload', () => document.querySelector('#whoami').textContent.startsWith('Signed in'));
  const form = [await page.inputValue('#sub'), await page.inputValue('#projects')];
  check(form.join('|') === 'alice|shop other', `the form reads '${form.join("', '")}'`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let failed = 0;
async function runCase(name, test) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${r.status()} from ${r.url()}`);
  });
  try {
    await page.goto(CONSOLE);
    await test(page);
    check(problems.length === 0, 'the page met problems: ' + problems.join('; '));
    console.log('OK ' + name);
  } catch (e) {
    failed++;
    console.error(`FAILED ${name}: ${e.message}`);
    if (test === aLogLineLeadsToItsTrace) await page.screenshot({ path: SCREENSHOT, fullPage: true }).catch(() => {});
  } finally {
    await page.close();
  }
}
try {
  await runCase("a log line read from another origin leads to its trace's waterfall", aLogLineLeadsToItsTrace);
  await runCase('a subject outside ASCII is shown as typed', aSubjectOutsideAsciiIsShownAsTyped);
  await runCase('a slow search does not overwrite a newer one', aSlowSearchDoesNotOverwriteANewerOne);
  await runCase('a slow trace does not overwrite a newer one', aSlowTraceDoesNotOverwriteANewerOne);
  await runCase('a listing cut at its limit says more match', aListingCutAtItsLimitSaysMoreMatch);
  await runCase("a trace opened from a row is read in the row's project", aTraceOpenedFromARowIsReadInTheRowsProject);
  await runCase("a span's owner is shown whatever its name", aSpansOwnerIsShownWhateverItsName);
  await runCase('a long name keeps every row on screen', aLongNameKeepsEveryRowOnScreen);
  await runCase('a reload keeps the signed-in subject and projects in the form', aReloadKeepsTheSignedInSubjectAndProjectsInTheForm);
  await runCase('a sign-in sent before the config arrives is kept', aSignInBeforeTheConfigArrivesIsKept);
} finally {
  await browser.close();
}
if (failed > 0) process.exitCode = 1;
