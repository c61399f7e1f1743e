// Outpost explorer: plain JS against the query API. The token stays in this tab (sessionStorage)
// and is sent as a bearer header, never in a URL, so the page also works from another origin.
'use strict';

const $ = (id) => document.getElementById(id);
let nextCursor = null;
// the filters of the listing "Older records" continues: its cursor belongs to them, not to the form's
// current values (a new "now" would move the range, an edited query would mix listings)
let listed = null;
let tailAbort = null;

// A part of the page shows one answer at a time: a new request aborts the one before, whose answer,
// arriving after the new one's, would show what the user has replaced.
class LatestRequest {
  /** Aborts the request before, and returns the new one's signal. */
  start() {
    if (this.controller) this.controller.abort();
    this.controller = new AbortController();
    return this.controller.signal;
  }
}
const listing = new LatestRequest();
const traceView = new LatestRequest();
const callsView = new LatestRequest();

// The API the token goes to is typed by the user, never taken from the URL: a link naming another
// host would otherwise send that host the token the user pastes.
$('api').value = sessionStorage.getItem('outpost.api') || '';
$('token').value = sessionStorage.getItem('outpost.token') || '';

function apiBase() {
  return ($('api').value.trim() || location.origin).replace(/\/+$/, '');
}

function headers() {
  sessionStorage.setItem('outpost.token', $('token').value.trim());
  sessionStorage.setItem('outpost.api', $('api').value.trim());
  return { Authorization: 'Bearer ' + $('token').value.trim(), Accept: 'application/json' };
}

function showError(message) {
  $('error').textContent = message || '';
}

// The field is typed by hand: a host without its scheme is no URL, and the browser's own words for
// that ("Failed to construct 'URL'") do not say which field is wrong.
function apiUrl(path) {
  const base = apiBase();
  let url = null;
  try {
    url = new URL(base + path);
  } catch (e) {
    // told below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(`Query API: '${base}' is not an http or https URL; give it whole, as http://127.0.0.1:8082`);
  }
  return url;
}

async function call(path, query, signal) {
  const url = apiUrl(path);
  Object.entries(query || {}).forEach(([k, v]) => { if (v !== '' && v != null) url.searchParams.set(k, v); });
  const response = await fetch(url, { headers: headers(), signal });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    // this API's {error, message}, or Jaeger's envelope {errors: [{code, msg}]}
    const jaeger = Array.isArray(body.errors) && body.errors.length > 0 ? body.errors[0].msg : null;
    throw new Error(`${response.status} ${body.error || ''}: ${body.message || jaeger || response.statusText}`);
  }
  return body;
}

// The range ends at the server's now, not the browser's: a laptop's clock minutes slow hid the newest
// records, one an hour fast had every search refused.
function filters() {
  return {
    q: $('q').value.trim(),
    lookback: `${Number($('range').value)}ms`,
    severity: $('severity').value,
    project: $('project').value.trim(),
  };
}

// A record's body is shown up to this many characters: an integration can write bodies of megabytes,
// which a row of the listing or the tail would hold whole (the API still returns them whole).
const SHOWN_CHARS = 2000;

function shown(text) {
  if (text == null || text.length <= SHOWN_CHARS) return text;
  return `${text.slice(0, SHOWN_CHARS)} … (${text.length - SHOWN_CHARS} more characters)`;
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text == null ? '' : text;
  if (className) td.className = className;
  return td;
}

// a service, project or integration name is whatever its sender gave, as long as it liked
function nameCell(text, className) {
  const name = document.createElement('div');
  name.className = 'name';
  name.textContent = text == null ? '' : text;
  const td = cell('', className);
  td.append(name);
  return td;
}

function renderRecords(records, append) {
  const tbody = $('results');
  if (!append) tbody.replaceChildren();
  for (const r of records) {
    const tr = document.createElement('tr');
    tr.className = 'log-row';
    // the integration is the one its token names, whatever service name it gave
    tr.append(cell(r.timestamp), cell(r.severity, 'sev-' + r.severity), nameCell(r.service), nameCell(r.integration, 'integration'),
      nameCell(r.project), cell(shown(r.body), 'body'));
    const trace = document.createElement('td');
    if (r.traceId) {
      const link = document.createElement('a');
      link.className = 'trace';
      link.textContent = r.traceId.slice(0, 8) + '…';
      link.title = r.traceId;
      // the row's own project: another project's integration that learnt the id may have sent spans of it
      link.addEventListener('click', () => { $('trace-id').value = r.traceId; openTrace(r.project); });
      trace.append(link);
    }
    tr.append(trace);
    tbody.append(tr);
  }
}

function renderHistogram(histogram) {
  const max = Math.max(1, ...histogram.buckets.map((b) => b.count));
  const bars = histogram.buckets.map((b) => {
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.dataset.count = b.count;
    bar.style.height = (100 * b.count / max) + '%';
    bar.title = `${b.start}: ${b.count}`;
    return bar;
  });
  $('histogram').replaceChildren(...bars);
  $('total').textContent = histogram.total;
  $('count').hidden = false;
}

// A search that failed shows nothing of the listing before: its rows, count and "Older records"
// would read as the answer to the query now in the box.
function clearListing() {
  $('results').replaceChildren();
  $('histogram').replaceChildren();
  $('count').hidden = true;
  $('partial').hidden = true;
  $('unreadable').hidden = true;
  $('more').hidden = true;
  listed = null;
  nextCursor = null;
}

async function search(append) {
  const signal = listing.start();
  showError('');
  // the listing on screen is being replaced: its next page is no longer what "Older records" would add
  if (!append) $('more').hidden = true;
  try {
    const f = append ? listed : filters();
    const page = await call('/api/v1/logs', { ...f, limit: 100, cursor: append ? nextCursor : '' }, signal);
    // over the page's own range: a second lookback, by a later now, counted records the page did not list
    const histogram = append ? null
      : await call('/api/v1/logs/histogram', { ...f, lookback: '', from: page.from, to: page.to }, signal);
    if (signal.aborted) return;
    listed = f;
    renderRecords(page.records, append);
    nextCursor = page.nextCursor;
    $('more').hidden = !nextCursor;
    // an appended page adds to a listing whose count came from the first page's histogram
    // days whose index is damaged are left out of the answers, which name them (and are partial for it)
    const unreadable = [...new Set([...(page.unreadableDays || []), ...((histogram && histogram.unreadableDays) || [])])];
    let partial = page.partial || (append && !$('partial').hidden);
    if (histogram) {
      renderHistogram(histogram);
      partial = partial || histogram.partial;
    }
    // a page the time budget cut: its count is a floor, and records may be missing
    $('partial').hidden = !partial || unreadable.length > 0;
    if (!append) {
      $('unreadable').textContent = `; ${unreadable.join(', ')} could not be read (damaged on disk), so their records are missing`;
      $('unreadable').hidden = unreadable.length === 0;
    }
  } catch (e) {
    if (signal.aborted) return; // a newer search shows its own answer
    // a page of older records that failed leaves the listing as it was: "Older records" tries again
    if (!append) clearListing();
    showError(e.message);
  }
}

// Which services called which over the range, as Jaeger UI's System Architecture page has them.
async function showCalls() {
  const signal = callsView.start();
  showError('');
  try {
    const graph = await call('/jaeger/api/dependencies', { lookback: Number($('range').value) }, signal);
    if (signal.aborted) return;
    const rows = graph.data.map((link) => {
      const tr = document.createElement('tr');
      tr.className = 'call-row';
      tr.append(nameCell(link.parent), nameCell(link.child), cell(String(link.callCount)));
      return tr;
    });
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      const td = cell('no calls between services in the range');
      td.colSpan = 3;
      tr.append(td);
      rows.push(tr);
    }
    $('calls').replaceChildren(...rows);
    $('calls-partial').hidden = !graph.partial;
  } catch (e) {
    if (signal.aborted) return;
    // an earlier range's calls would read as this one's
    $('calls').replaceChildren();
    $('calls-partial').hidden = true;
    showError(e.message);
  }
}

// Told in the trace's section, where the user looks for the trace, not at the top of the page.
function showTraceError(message) {
  $('trace-error').textContent = message || '';
}

// A trace that failed shows nothing of the one before, which would read as the id now in the box.
function clearTrace() {
  $('trace-summary').textContent = '';
  $('waterfall').replaceChildren();
}

const TRACE_ID = /^[0-9a-fA-F]{32}$/;

// project: the log row's, when opened from one; otherwise the form's
async function openTrace(project) {
  const signal = traceView.start();
  showTraceError('');
  const id = $('trace-id').value.trim();
  // checked here, not left to the API: an empty id, '.' or '..' in the path is resolved by the URL to
  // the trace search or another path, whose answer is no trace
  if (!TRACE_ID.test(id)) {
    clearTrace();
    showTraceError('Trace id: give the id of a trace (32 hexadecimal digits), or click one in the listing');
    return;
  }
  const scope = typeof project === 'string' ? project : $('project').value.trim();
  try {
    const trace = await call('/api/v1/traces/' + encodeURIComponent(id), { project: scope }, signal);
    if (signal.aborted) return;
    $('trace-summary').textContent =
      `${trace.spans.length} spans, ${(trace.durationNanos / 1e6).toFixed(2)} ms, services: ${trace.services.join(', ')}`
      + ((trace.unreadableDays || []).length > 0
        ? ` (spans of ${trace.unreadableDays.join(', ')} are missing: damaged on disk)`
        : trace.partial ? ' (only the earliest spans: the trace is larger than one answer holds)' : '');
    const start = Math.min(...trace.spans.map((s) => s.startUnixNano));
    const total = Math.max(1, trace.durationNanos);
    const rows = trace.spans.map((s) => {
      const row = document.createElement('div');
      row.className = 'span-row' + (s.status === 'ERROR' ? ' error' : '');
      row.dataset.depth = s.depth;
      row.dataset.spanId = s.spanId;
      const name = document.createElement('div');
      name.style.paddingLeft = (s.depth * 14) + 'px';
      name.textContent = `${s.service}: ${s.name}`;
      // the project and integration its ingest token names: a service name is whatever a client sent
      const owner = document.createElement('span');
      owner.className = 'owner';
      owner.textContent = ` ${s.project}/${s.integration || '-'}`;
      name.append(owner);
      const track = document.createElement('div');
      track.className = 'track';
      const fill = document.createElement('div');
      fill.className = 'fill';
      fill.style.left = (100 * (s.startUnixNano - start) / total) + '%';
      fill.style.width = Math.max(0.5, 100 * s.durationNanos / total) + '%';
      track.append(fill);
      const duration = document.createElement('div');
      duration.textContent = (s.durationNanos / 1e6).toFixed(2) + ' ms';
      row.append(name, track, duration);
      return row;
    });
    $('waterfall').replaceChildren(...rows);
  } catch (e) {
    if (signal.aborted) return; // a newer trace shows its own answer
    clearTrace();
    showTraceError(e.message);
  }
}

// Server-Sent Events read with fetch, because EventSource cannot send an Authorization header. A
// stream that ends without the user stopping it is opened again, as EventSource would, after a pause
// that grows while it keeps failing; a token that expired or was refused stops it, saying so.
const FIRST_PAUSE_MS = 1000;
const LONGEST_PAUSE_MS = 30000;
// a stream that lasted this long starts the pauses over; one the server ends at once does not,
// else every page would reconnect each second while it keeps ending them
const STEADY_MS = 30000;
// exporters send records some seconds after they were written, each writer on its own schedule:
// a gap starts this much before the stream ended
const EXPORT_DELAY_MS = 60000;

function toggleTail() {
  if (tailAbort) {
    tailAbort.abort();
    return;
  }
  showError('');
  const f = filters();
  let url;
  try {
    url = apiUrl('/api/v1/logs/tail');
  } catch (e) {
    showError(e.message);
    return;
  }
  ['q', 'severity', 'project'].forEach((k) => { if (f[k]) url.searchParams.set(k, f[k]); });
  followTail(url);
}

async function followTail(url) {
  const controller = new AbortController();
  tailAbort = controller;
  $('tail-toggle').textContent = 'Stop live tail';
  let pause = FIRST_PAUSE_MS;
  let opened = false;
  let openedAt = 0;
  let lostAt = null; // from when records may be missing, until the next stream opens
  try {
    for (;;) {
      let ended;
      try {
        ended = await readTail(url, controller.signal, () => {
          if (lostAt) addTailGap(lostAt, new Date());
          lostAt = null;
          opened = true;
          openedAt = Date.now();
          showError('');
          $('tail').dataset.state = 'open';
        });
      } catch (e) {
        if (e.name === 'AbortError' || e.final) throw e;
        ended = { message: e.message };
      }
      if (ended.error === 'token_expired') {
        throw new Error('the live tail ended: the token has expired; paste a new one and start it again');
      }
      if (opened && !lostAt) lostAt = new Date(Date.now() - EXPORT_DELAY_MS);
      if (openedAt && Date.now() - openedAt >= STEADY_MS) pause = FIRST_PAUSE_MS;
      openedAt = 0;
      $('tail').dataset.state = 'reconnecting';
      showError(`the live tail ended (${ended.message}); reconnecting in ${pause / 1000} s`);
      await pauseFor(pause, controller.signal);
      pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
    }
  } catch (e) {
    if (e.name !== 'AbortError') showError(e.message);
  } finally {
    tailAbort = null;
    $('tail').dataset.state = 'closed';
    $('tail-toggle').textContent = 'Start live tail';
  }
}

/**
 * Reads one stream until it ends; returns the body of its `end` event, or a message when the
 * connection just closed. An answer refusing the request throws, marked final unless a retry can
 * help (429, 5xx).
 */
async function readTail(url, signal, onOpen) {
  const response = await fetch(url, { headers: { ...headers(), Accept: 'text/event-stream' }, signal });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    const refused = new Error(`${response.status} ${body.error || ''}: ${body.message || response.statusText}`);
    refused.final = response.status !== 429 && response.status < 500;
    throw refused;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let scanned = 0; // what of the buffer holds no event's end: a large event is not searched again per chunk
  let subscribed = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { message: 'the connection closed' };
    // open from the first bytes (a keep-alive the server writes once it has subscribed the stream), not
    // the headers, which it sends before: a record stored between the two was not tailed
    if (!subscribed) {
      subscribed = true;
      onOpen();
    }
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n', Math.max(0, scanned - 1))) >= 0) {
      const lines = buffer.slice(0, end).split('\n');
      buffer = buffer.slice(end + 2);
      scanned = 0;
      const name = lines.filter((l) => l.startsWith('event:')).map((l) => l.slice(6).trim()).pop();
      const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('\n');
      if (name === 'end') return JSON.parse(data);
      if (data) addTailRow(JSON.parse(data));
    }
    scanned = buffer.length;
  }
}

function pauseFor(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DOMException('the live tail was stopped', 'AbortError'));
    }, { once: true });
  });
}

/** Marks where the tail was away: records of that range are found by a search, not here. */
function addTailGap(from, to) {
  const row = document.createElement('div');
  row.className = 'tail-row tail-gap';
  const time = (d) => d.toISOString().slice(11, 19);
  row.textContent = `— reconnected: records written from ${time(from)} to ${time(to)} UTC may be missing here; search that range —`;
  $('tail').prepend(row);
}

// Each field in an element of its own that isolates its text's direction (<bdi>): a sender's U+202E in
// a service name reversed the rest of the row. The owner (project/integration, as its token names them)
// comes first, before what the sender chose: records of two projects with one service name looked alike.
function addTailRow(r) {
  const row = document.createElement('div');
  row.className = 'tail-row';
  const field = (text, className) => {
    const bdi = document.createElement('bdi');
    bdi.className = className;
    bdi.textContent = text == null ? '' : text;
    return bdi;
  };
  row.append(field(r.timestamp, 'time'), ' ', field(r.severity, 'severity'), ' [',
    field(r.project, 'project'), '/', field(r.integration || '-', 'integration'), '] ', field(r.service, 'service'), ': ',
    field(shown(r.body), 'body'));
  $('tail').prepend(row);
  while ($('tail').childElementCount > 500) $('tail').lastElementChild.remove();
}

$('search').addEventListener('click', () => search(false));
$('more').addEventListener('click', () => search(true));
$('open-trace').addEventListener('click', openTrace);
$('show-calls').addEventListener('click', showCalls);
$('tail-toggle').addEventListener('click', toggleTail);
$('q').addEventListener('keydown', (e) => { if (e.key === 'Enter') search(false); });
