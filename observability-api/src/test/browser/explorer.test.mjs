// Drives the explorer page in Debian's headless Chromium, once served by the API itself and once
// from another origin (CORS). Prints "OK <case>" per case; exits non-zero on the first failure.
import net from 'node:net';
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`missing environment variable ${name}`);
  return value;
};
const API = env('API_URL');
const CROSS_ORIGIN_PAGE = env('CROSS_ORIGIN_PAGE_URL');
const TOKEN = env('TOKEN');
const TRACE_ID = env('TRACE_ID');
// a trace of two services (explorer-svc calls explorer-db), besides TRACE_ID's
const CALL_TRACE_ID = env('CALL_TRACE_ID');
const PROJECT = env('PROJECT');
const OTLP = env('OTLP_URL');
const INGEST_TOKEN = env('INGEST_TOKEN');
const SEEDED = Number(env('SEEDED_RECORDS'));
const PAGED = Number(env('PAGED_RECORDS'));
// answers a token of PROJECT that expires in seven to eight seconds
const SHORT_TOKEN_URL = env('SHORT_TOKEN_URL');

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function ingest(body, extraResource, service) {
  const now = String(Date.now() * 1e6);
  const response = await fetch(OTLP + '/v1/logs', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + INGEST_TOKEN },
    body: JSON.stringify({ resourceLogs: [{ resource: { attributes: [
      { key: 'service.name', value: { stringValue: service || 'browser-test' } },
      { key: 'outpost.project', value: { stringValue: PROJECT } }, ...(extraResource || [])] },
      scopeLogs: [{ logRecords: [{ timeUnixNano: now, severityNumber: 9, body: { stringValue: body } }] }] }] }),
  });
  check(response.status === 200, `ingest answered ${response.status}`);
}

// Polls from here rather than with page.waitForFunction, which evaluates a string in the page: the
// page's Content-Security-Policy (no 'unsafe-eval') refuses that, as it should for any injected script.
async function waitFor(page, label, fn, arg, timeout) {
  const deadline = Date.now() + (timeout || 5000);
  let last;
  while (Date.now() < deadline) {
    try {
      if (await page.evaluate(fn, arg)) return;
    } catch (e) {
      last = e;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const error = await page.textContent('#error');
  throw new Error(`${label} (page error text: '${error}'${last ? '; ' + last.message.split('\n')[0] : ''})`);
}

async function exercise(browser, name, url, apiField) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  // every failed response is a problem except the deliberate bad query and the browser's favicon probe
  page.on('response', (r) => {
    const deliberate = r.status() === 400 && r.url().includes('q=body%3A%28');
    if (r.status() >= 400 && !deliberate && !r.url().endsWith('/favicon.ico')) {
      problems.push(`${r.status()} from ${r.url()}`);
    }
  });
  await page.goto(url);
  if (apiField !== null) await page.fill('#api', apiField);
  await page.fill('#token', TOKEN);

  await page.click('#search');
  await waitFor(page, `${name}: records listed`,
    (n) => document.querySelectorAll('#results .log-row').length >= n, SEEDED, 10000);
  const bodies = await page.$$eval('#results .log-row td.body', (tds) => tds.map((td) => td.textContent));
  check(bodies.some((b) => b.includes('explorer seed 0')), `${name}: seeded records not listed: ${bodies}`);
  // earlier cases add tailed records to the project: the histogram must count exactly what is listed
  await waitFor(page, `${name}: histogram total`, () => document.getElementById('total').textContent
    === String(document.querySelectorAll('#results .log-row').length));
  const listed = await page.$$eval('#results .log-row', (rows) => rows.length);
  const histogramSum = await page.$$eval('#histogram .bar', (bars) => bars.reduce((s, b) => s + Number(b.dataset.count), 0));
  check(histogramSum === listed, `${name}: histogram sums to ${histogramSum}, ${listed} records listed`);

  await page.fill('#q', 'severity:ERROR');
  await page.click('#search');
  await waitFor(page, `${name}: severity query`, () => document.querySelectorAll('#results .log-row').length === 1);

  await page.fill('#q', 'body:(');
  await page.click('#search');
  await waitFor(page, `${name}: bad query shown as 400`,
    () => document.getElementById('error').textContent.includes('400'));

  await page.fill('#trace-id', TRACE_ID);
  await page.click('#open-trace');
  await waitFor(page, `${name}: waterfall`, () => document.querySelectorAll('#waterfall .span-row').length === 2);
  const depths = await page.$$eval('#waterfall .span-row', (rows) => rows.map((r) => r.dataset.depth));
  check(depths.join() === '0,1', `${name}: waterfall depths ${depths}`);
  // each span names the project and integration its ingest token gave, whatever service name it sent
  const owners = await page.$$eval('#waterfall .span-row .owner', (spans) => spans.map((s) => s.textContent.trim()));
  check(owners.length === 2 && owners.every((o) => o.startsWith(PROJECT + '/')), `${name}: span owners ${owners}`);

  await page.click('#show-calls');
  await waitFor(page, `${name}: service calls`, () => document.querySelectorAll('#calls .call-row').length > 0);
  const calls = await page.$$eval('#calls .call-row', (rows) => rows.map((r) => r.textContent));
  check(calls.length === 1 && calls[0] === 'explorer-svcexplorer-db1', `${name}: service calls ${calls}`);

  await page.fill('#q', '');
  await page.click('#tail-toggle');
  await waitFor(page, `${name}: tail open`, () => document.getElementById('tail').dataset.state === 'open');
  const marker = `tail ${name} ${Date.now()}`;
  await ingest(marker);
  await waitTailed(page, `${name}: tailed record`, marker);
  await page.click('#tail-toggle');

  // "Older records" continues the listing it came from, whatever the form says by then
  await page.selectOption('#range', '86400000');
  await page.fill('#q', 'pager');
  await page.click('#search');
  await waitFor(page, `${name}: first page of ${PAGED}`, () => document.querySelectorAll('#results .log-row').length === 100
    && !document.getElementById('more').hidden);
  await page.fill('#q', 'explorer');
  await page.selectOption('#range', '900000');
  await page.click('#more');
  await waitFor(page, `${name}: older records`, (n) => document.querySelectorAll('#results .log-row').length === n, PAGED);
  check(await page.$eval('#partial', (el) => el.hidden), `${name}: a whole listing marked as cut by the time budget`);
  const paged = await page.$$eval('#results .log-row td.body', (tds) => tds.map((td) => td.textContent));
  check(paged.every((b) => b.startsWith('pager seed ')), `${name}: another listing's records appended`);
  check(new Set(paged).size === PAGED, `${name}: ${PAGED - new Set(paged).size} records listed twice`);

  check(problems.length === 0, `${name}: ${problems.join('; ')}`);
  await page.close();
  console.log('OK ' + name);
}

// A link that names another API must not make the page send the token there.
async function linkNamingAnotherApiIsIgnored(browser) {
  const page = await browser.newPage();
  const elsewhere = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(API)) elsewhere.push(r.url());
  });
  await page.goto(API + '/explorer/?api=' + encodeURIComponent(new URL(CROSS_ORIGIN_PAGE).origin));
  check(await page.inputValue('#api') === '', 'the API field was filled from the link');
  await page.fill('#token', TOKEN);
  await page.click('#search');
  await waitFor(page, 'results from the page\'s own API', () => document.querySelectorAll('#results .log-row').length > 0);
  check(elsewhere.length === 0, 'requests left for another origin: ' + elsewhere.join(', '));
  await page.close();
  console.log('OK a link naming another API is ignored');
}

// An integration may write a body of megabytes: rows show its start, and which integration wrote it
// (its token names it, whatever service name it gives).
async function largeBodiesAreShownCutWithTheirIntegration(browser) {
  const page = await browser.newPage();
  await page.goto(API + '/explorer/');
  await page.fill('#token', TOKEN);
  await page.click('#tail-toggle');
  await waitFor(page, 'tail open', () => document.getElementById('tail').dataset.state === 'open');
  const marker = `large ${Date.now()}`;
  await ingest(marker + ' ' + 'x'.repeat(200000), [{ key: 'outpost.integration', value: { stringValue: 'orders-sync' } }]);
  await waitTailed(page, 'large record tailed', marker);
  const tailed = await page.$$eval('#tail .tail-row', (rows, m) => rows.find((r) => r.textContent.includes(m)).textContent, marker);
  check(tailed.length < 2200, `a tail row holds ${tailed.length} characters`);
  check(tailed.includes('more characters'), 'the tail row does not say it is cut');
  check(tailed.includes(`[${PROJECT}/orders-sync] browser-test: `),
    `the tail row does not name the project and integration: ${tailed.slice(0, 120)}`);
  await page.click('#tail-toggle');

  // a tailed record may not be searchable yet: tails get it when it is stored, searches after the next refresh
  await page.fill('#q', `"${marker}"`);
  const searchable = Date.now() + 5000;
  do {
    await page.click('#search');
    await new Promise((resolve) => setTimeout(resolve, 200));
  } while (await page.$$eval('#results .log-row', (rows) => rows.length) === 0 && Date.now() < searchable);
  await waitFor(page, 'large record listed', () => document.querySelectorAll('#results .log-row').length === 1);
  const body = await page.$eval('#results .log-row td.body', (td) => td.textContent);
  check(body.startsWith(marker) && body.length < 2200, `a listed body holds ${body.length} characters`);
  check(await page.$eval('#results .log-row td.integration', (td) => td.textContent) === 'orders-sync',
    'the listing does not name the integration');
  await page.close();
  console.log('OK large bodies are shown cut, with their integration');
}

// A TCP proxy in front of the API whose connections can be cut, as a restarting pod or a load
// balancer's idle timeout cuts them.
async function cuttableProxy() {
  const api = new URL(API);
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(api.port), api.hostname);
    for (const [from, to] of [[client, upstream], [upstream, client]]) {
      sockets.add(from);
      from.pipe(to);
      from.on('error', () => to.destroy());
      from.on('close', () => { sockets.delete(from); to.destroy(); });
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    cut: () => sockets.forEach((s) => s.destroy()),
    close: () => { sockets.forEach((s) => s.destroy()); server.close(); },
  };
}

async function waitTailed(page, label, marker) {
  await waitFor(page, label,
    (m) => [...document.querySelectorAll('#tail .tail-row')].some((r) => r.textContent.includes(m)), marker);
}

// A tail whose connection is cut is opened again, and says where records may be missing.
async function aCutTailIsOpenedAgain(browser) {
  const proxy = await cuttableProxy();
  const page = await browser.newPage();
  try {
    await page.goto(proxy.url + '/explorer/');
    await page.fill('#token', TOKEN);
    await page.click('#tail-toggle');
    await waitFor(page, 'tail open', () => document.getElementById('tail').dataset.state === 'open');
    const before = `before the cut ${Date.now()}`;
    await ingest(before);
    await waitTailed(page, 'record before the cut', before);
    // the reconnect held until the page has been read: on a loaded machine it came before the read
    const reconnect = await holdFirst(page, /\/api\/v1\/logs\/tail/);
    proxy.cut();
    await waitFor(page, 'tail reconnecting, saying so', () => document.getElementById('tail').dataset.state === 'reconnecting'
      && document.getElementById('error').textContent.includes('reconnecting in 1 s'));
    reconnect.release();
    await waitFor(page, 'tail open again', () => document.getElementById('tail').dataset.state === 'open', null, 10000);
    check(await page.$$eval('#tail .tail-gap', (rows) => rows.length) === 1, 'no mark where records may be missing');
    check(await page.textContent('#error') === '', 'the error stays after reconnecting');
    const after = `after the cut ${Date.now()}`;
    await ingest(after);
    await waitTailed(page, 'record after the cut', after);
    await page.click('#tail-toggle');
    await waitFor(page, 'tail stopped', () => document.getElementById('tail').dataset.state === 'closed');
  } finally {
    await page.close();
    proxy.close();
  }
  console.log('OK a cut tail is opened again');
}

// The server ends a tail when its token expires: the page says so and does not open it again.
async function aTailWhoseTokenExpiresStopsSayingSo(browser) {
  const token = await (await fetch(SHORT_TOKEN_URL)).text();
  const page = await browser.newPage();
  const tails = [];
  page.on('request', (r) => { if (r.url().includes('/api/v1/logs/tail')) tails.push(r.url()); });
  try {
    await page.goto(API + '/explorer/');
    await page.fill('#token', token);
    await page.click('#tail-toggle');
    await waitFor(page, 'short tail open', () => document.getElementById('tail').dataset.state === 'open');
    await waitFor(page, 'tail ended at the token\'s expiry', () => document.getElementById('tail').dataset.state === 'closed',
      null, 15000);
    check((await page.textContent('#error')).includes('the token has expired'), 'the page does not say why the tail ended');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    check(tails.length === 1, `the tail was opened ${tails.length} times with an expired token`);
  } finally {
    await page.close();
  }
  console.log('OK a tail whose token expires stops, saying so');
}

// Holds back the first request whose URL matches until release() is called, then lets it go on: its
// answer arrives after a later one's, as a slow search's does. held resolves once it is held; over
// once it is over, answered or given up by the page.
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

// Fails when fn turns false within ms: what must not happen (an older answer shown) has no event to wait for.
async function stays(page, label, fn, ms) {
  const until = Date.now() + ms;
  do {
    check(await page.evaluate(fn), `${label}: no longer (page error text: '${await page.textContent('#error')}')`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  } while (Date.now() < until);
}

const rowBodies = (page) => page.$$eval('#results .log-row td.body', (tds) => tds.map((td) => td.textContent));
const spanNames = (page) => page.$$eval('#waterfall .span-row', (rows) => rows.map((r) => r.textContent));

// The page shows the answer to what the user asked last, whichever answer arrives last.
async function aSlowSearchDoesNotOverwriteANewerOne(page) {
  await page.selectOption('#range', '86400000');
  const slow = await holdFirst(page, /\/api\/v1\/logs\?.*q=pager/);
  await page.fill('#q', 'pager');
  await page.click('#search');
  await slow.held;
  await page.fill('#q', '"explorer seed"');
  await page.click('#search');
  const newerRows = (n) => {
    const bodies = [...document.querySelectorAll('#results .log-row td.body')].map((td) => td.textContent);
    return bodies.length === n && bodies.every((b) => b.startsWith('explorer seed'));
  };
  await waitFor(page, "the newer search's rows", newerRows, SEEDED, 10000);
  slow.release();
  await slow.over;
  await stays(page, "the newer search's rows once the slow answer came", () => {
    const bodies = [...document.querySelectorAll('#results .log-row td.body')].map((td) => td.textContent);
    return bodies.length > 0 && bodies.every((b) => b.startsWith('explorer seed'));
  }, 500);
  const bodies = await rowBodies(page);
  check(bodies.length === SEEDED && bodies.every((b) => b.startsWith('explorer seed')),
    `the rows are not the newer search's: ${bodies.length} rows, first '${bodies[0]}'`);
  check(await page.textContent('#total') === String(SEEDED), `the count is ${await page.textContent('#total')}`);
  check(await page.$eval('#more', (el) => el.hidden), '"Older records" continues the slow search');
}

async function aSlowTraceDoesNotOverwriteANewerOne(page) {
  const slow = await holdFirst(page, new RegExp('/api/v1/traces/' + TRACE_ID));
  await page.fill('#trace-id', TRACE_ID);
  await page.click('#open-trace');
  await slow.held;
  await page.fill('#trace-id', CALL_TRACE_ID);
  await page.click('#open-trace');
  const newerTrace = () => [...document.querySelectorAll('#waterfall .span-row')].some((r) => r.textContent.includes('SELECT'))
    && ![...document.querySelectorAll('#waterfall .span-row')].some((r) => r.textContent.includes('GET /explore'));
  await waitFor(page, "the newer trace's waterfall", newerTrace, null, 10000);
  slow.release();
  await slow.over;
  await stays(page, "the newer trace's waterfall once the slow answer came", newerTrace, 500);
  const names = await spanNames(page);
  check(names.length === 2 && names.some((n) => n.includes('SELECT')) && !names.some((n) => n.includes('GET /explore')),
    `the waterfall is not the newer trace's: ${names}`);
  check((await page.textContent('#trace-summary')).includes('explorer-db'),
    `the summary is not the newer trace's: ${await page.textContent('#trace-summary')}`);
}

// A search that failed leaves nothing of the one before, which would read as its answer.
async function aFailedSearchLeavesNoEarlierResults(page) {
  await page.selectOption('#range', '86400000');
  await page.fill('#q', 'pager');
  await page.click('#search');
  await waitFor(page, 'first page', () => document.querySelectorAll('#results .log-row').length === 100
    && !document.getElementById('more').hidden);
  await page.fill('#q', 'body:( pager');
  await page.click('#search');
  await waitFor(page, 'the bad query told', () => document.getElementById('error').textContent.includes('400'));
  check((await rowBodies(page)).length === 0, 'the earlier rows stay');
  check(await page.$eval('#more', (el) => el.hidden), '"Older records" stays, continuing the earlier search');
  check(await page.$$eval('#histogram .bar', (bars) => bars.length) === 0, 'the earlier histogram stays');
  check(await page.$eval('#count', (el) => el.hidden), `the earlier count stays: ${await page.textContent('#total')}`);
}

// A trace that failed leaves nothing of the one before, and says why beside the trace, where the user looks.
async function aFailedTraceLeavesNoEarlierTrace(page) {
  await page.fill('#trace-id', TRACE_ID);
  await page.click('#open-trace');
  await waitFor(page, 'the waterfall', () => document.querySelectorAll('#waterfall .span-row').length === 2);
  await page.fill('#trace-id', 'ab'.repeat(16));
  await page.click('#open-trace');
  await waitFor(page, 'the missing trace told', () => {
    const error = document.getElementById('trace-error');
    return error !== null && error.textContent.includes('404');
  });
  check(await page.textContent('#trace-summary') === '', `the earlier summary stays: ${await page.textContent('#trace-summary')}`);
  check((await spanNames(page)).length === 0, 'the earlier waterfall stays');
  check(await page.$eval('#trace-error', (el) => el.closest('section').contains(document.getElementById('waterfall'))),
    'the error is not in the trace section');
}

async function anEmptyTraceIdAsksForOne(page) {
  await page.fill('#trace-id', TRACE_ID);
  await page.click('#open-trace');
  await waitFor(page, 'the waterfall', () => document.querySelectorAll('#waterfall .span-row').length === 2);
  const asked = [];
  page.on('request', (r) => { if (r.url().includes('/api/v1/traces')) asked.push(r.url()); });
  await page.fill('#trace-id', ' ');
  await page.click('#open-trace');
  await waitFor(page, 'a trace id asked for', () => {
    const error = document.getElementById('trace-error');
    return error !== null && error.textContent.includes('Trace id');
  });
  check(asked.length === 0, `the page asked the API: ${asked}`);
  check(await page.textContent('#trace-summary') === '', 'the earlier summary stays');
  check((await spanNames(page)).length === 0, 'the earlier waterfall stays');
}

async function aQueryApiWithoutItsSchemeIsNamed(page) {
  await page.fill('#api', new URL(API).host);
  await page.click('#tail-toggle');
  await waitFor(page, 'the tail says what is wrong', () => document.getElementById('error').textContent.includes('Query API'));
  check(await page.textContent('#tail-toggle') === 'Start live tail', 'the tail reads as started');
  await page.click('#search');
  await waitFor(page, 'the search says what is wrong', () => document.getElementById('error').textContent.includes('Query API'));
}

// '.' and '..' are kept by encodeURIComponent, and the URL resolves /api/v1/traces/. to the trace search
async function anIdThatIsNoTraceIdIsNamedAndNotAsked(page) {
  const asked = [];
  page.on('request', (r) => { if (r.url().includes('/api/v1/traces')) asked.push(r.url()); });
  for (const id of ['.', '..', 'not-a-trace-id']) {
    await page.fill('#trace-id', id);
    await page.click('#open-trace');
    await waitFor(page, `'${id}' named as no trace id`, () => {
      const error = document.getElementById('trace-error');
      return error !== null && error.textContent.includes('Trace id') && error.textContent.includes('32 hexadecimal digits');
    });
    await page.fill('#trace-id', '');
  }
  check(asked.length === 0, `the page asked the API: ${asked}`);
}

const uniqueWord = (prefix) => `${prefix}${Date.now()}${Math.floor(Math.random() * 1e6)}`;
const LONG_NAME = 's'.repeat(3000);

// what ends past the viewport's right edge, or holds more than its box shows
const overflowing = (page, selector) => page.$$eval(selector, (els) => {
  const width = document.documentElement.clientWidth;
  return els.filter((el) => el.getBoundingClientRect().right > width + 1 || el.scrollWidth > el.clientWidth + 1)
    .map((el) => el.className || el.tagName);
});

// One record with a name of thousands of characters (no space) widens only its own row: every row's
// Message and Project cells stay on screen.
async function aLongNameKeepsEveryRowOnScreen(page) {
  const word = uniqueWord('wide');
  await ingest(`${word} ordinary one`);
  await ingest(`${word} long service`, [], LONG_NAME);
  await ingest(`${word} long integration`, [{ key: 'outpost.integration', value: { stringValue: 'i'.repeat(3000) } }]);
  await ingest(`${word} ordinary two`);
  await page.fill('#q', word);
  const searchable = Date.now() + 5000;
  do {
    await page.click('#search');
    await new Promise((resolve) => setTimeout(resolve, 300));
  } while (await page.$$eval('#results .log-row', (rows) => rows.length) < 4 && Date.now() < searchable);
  await waitFor(page, 'the four records listed', () => document.querySelectorAll('#results .log-row').length === 4);
  const off = await overflowing(page, '#results .log-row td');
  check(off.length === 0, `cells past the viewport's right edge: ${off.join(', ')}`);
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(scroll <= 0, `the page scrolls ${scroll} px sideways`);
}

async function tailed(page, record, service) {
  await page.click('#tail-toggle');
  await waitFor(page, 'tail open', () => document.getElementById('tail').dataset.state === 'open');
  await ingest(record, [], service);
  await waitTailed(page, 'the record tailed', record);
  await page.click('#tail-toggle');
}

// Two projects' records with one service name are told apart in the tail; a name of thousands of
// characters does not widen the page.
async function aTailRowNamesItsProject(page) {
  const marker = uniqueWord('owned');
  await tailed(page, `${marker} long`, LONG_NAME);
  const row = await page.$$eval('#tail .tail-row', (rows, m) => rows.find((r) => r.textContent.includes(m)).textContent, marker);
  check(row.includes(`[${PROJECT}/-] ${LONG_NAME}: `), `the tail row does not name its project: ${row.slice(0, 120)}`);
  const off = await overflowing(page, '#tail .tail-row');
  check(off.length === 0, `tail rows past the viewport's right edge: ${off.length}`);
}

// A U+202E in a service name reverses nothing but that name.
async function aTailRowKeepsEachFieldsDirectionApart(page) {
  const body = `${uniqueWord('isolated')} reads left to right`;
  await tailed(page, body, 'evil\u202Eservice');
  // where the body starts and ends on screen: its first and last characters' left edges
  const edges = await page.evaluate((text) => {
    const row = [...document.querySelectorAll('#tail .tail-row')].find((r) => r.textContent.includes(text));
    const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(text);
      if (at < 0) continue;
      const left = (i) => {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        return range.getBoundingClientRect().left;
      };
      return { first: left(at), last: left(at + text.length - 1) };
    }
    return null;
  }, body);
  check(edges !== null, 'the body is not in one piece of text');
  check(edges.first < edges.last, `the body is shown reversed: its first character at ${edges.first} px, its last at ${edges.last} px`);
}

// Each case on a page of its own; one that fails is told and the others still run.
let failedCases = 0;
async function runCase(browser, name, test) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(API + '/explorer/');
    await page.fill('#token', TOKEN);
    await test(page);
    check(errors.length === 0, 'page errors: ' + errors.join('; '));
    console.log('OK ' + name);
  } catch (e) {
    failedCases++;
    console.error(`FAILED ${name}: ${e.message}`);
  } finally {
    await page.close();
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  await runCase(browser, 'a slow search does not overwrite a newer one', aSlowSearchDoesNotOverwriteANewerOne);
  await runCase(browser, 'a slow trace does not overwrite a newer one', aSlowTraceDoesNotOverwriteANewerOne);
  await runCase(browser, 'a failed search leaves no earlier results', aFailedSearchLeavesNoEarlierResults);
  await runCase(browser, 'a failed trace leaves no earlier trace', aFailedTraceLeavesNoEarlierTrace);
  await runCase(browser, 'an empty trace id asks for one', anEmptyTraceIdAsksForOne);
  await runCase(browser, 'a Query API without its scheme is named', aQueryApiWithoutItsSchemeIsNamed);
  await runCase(browser, 'an id that is no trace id is named and not asked for', anIdThatIsNoTraceIdIsNamedAndNotAsked);
  await runCase(browser, 'a long name keeps every row on screen', aLongNameKeepsEveryRowOnScreen);
  await runCase(browser, 'a tail row names its project', aTailRowNamesItsProject);
  await runCase(browser, "a tail row keeps each field's direction apart", aTailRowKeepsEachFieldsDirectionApart);
  await exercise(browser, 'same-origin', API + '/explorer', null);
  await exercise(browser, 'cross-origin', CROSS_ORIGIN_PAGE, API);
  await linkNamingAnotherApiIsIgnored(browser);
  await largeBodiesAreShownCutWithTheirIntegration(browser);
  await aCutTailIsOpenedAgain(browser);
  await aTailWhoseTokenExpiresStopsSayingSo(browser);
  if (failedCases > 0) throw new Error(`${failedCases} case(s) failed`);
} catch (e) {
  console.error('FAILED ' + e.message);
  process.exitCode = 1;
} finally {
  await browser.close();
}
