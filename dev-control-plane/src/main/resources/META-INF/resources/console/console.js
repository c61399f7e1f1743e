// The development console: gets a token from the dev IdP (same origin), then calls
// observability-api directly from the browser with it, as a SaaS console would.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  let config = { observabilityUrl: 'http://127.0.0.1:8082' };
  // settled once config.json has been read: the calls to observability-api wait for it, the forms do not
  let configured = null;
  let token = sessionStorage.getItem('outpost.token');

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
  const logSearch = new LatestRequest();
  const traceView = new LatestRequest();

  function text(el, value, cls) {
    el.textContent = value;
    el.className = cls || 'muted';
  }

  async function loadConfig() {
    const response = await fetch('config.json');
    if (response.ok) config = await response.json();
    $('obs-url').textContent = config.observabilityUrl;
  }

  async function signIn(event) {
    event.preventDefault();
    const projects = $('projects').value.trim().split(/\s+/).filter(Boolean);
    const response = await fetch('/idp/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sub: $('sub').value.trim(), projects: projects, scope: 'logs:read traces:read' })
    });
    const body = await response.json();
    if (!response.ok) {
      text($('whoami'), 'Sign-in refused: ' + (body.message || response.status), 'error');
      return;
    }
    token = body.access_token;
    sessionStorage.setItem('outpost.token', token);
    showWho();
    searchLogs();
  }

  // A JWT's payload is base64url of UTF-8: atob alone gives its bytes as Latin-1 ("JosÃ©" for "José").
  function claimsOf(jwt) {
    const bytes = atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(bytes, (c) => c.charCodeAt(0))));
  }

  // the form says whom the kept token is for: after a reload it showed its defaults (project demo) while
  // the searches went on with a token for other projects
  function showWho() {
    if (!token) return;
    try {
      const claims = claimsOf(token);
      text($('whoami'), 'Signed in as ' + claims.sub + ' for projects: ' + (claims.projects || []).join(', '));
      $('sub').value = claims.sub || '';
      $('projects').value = (claims.projects || []).join(' ');
    } catch (e) {
      text($('whoami'), 'Signed in.');
    }
  }

  async function api(path, signal) {
    if (!token) throw new Error('sign in first');
    await configured;
    const response = await fetch(config.observabilityUrl.replace(/\/+$/, '') + path, {
      headers: { 'Authorization': 'Bearer ' + token, 'Accept': 'application/json' },
      signal: signal
    });
    let body = null;
    try { body = await response.json(); } catch (e) { /* not JSON */ }
    if (!response.ok) {
      throw new Error((body && body.message) || ('HTTP ' + response.status));
    }
    return body;
  }

  async function searchLogs(event) {
    if (event) event.preventDefault();
    const params = new URLSearchParams();
    const minutes = parseInt($('range').value, 10);
    // relative to observability-api's clock: the browser's may be minutes off
    params.set('lookback', minutes + 'm');
    params.set('limit', '100');
    if ($('q').value.trim()) params.set('q', $('q').value.trim());
    if ($('project').value.trim()) params.set('project', $('project').value.trim());
    const signal = logSearch.start();
    text($('logs-status'), 'Searching…');
    try {
      const page = await api('/api/v1/logs?' + params.toString(), signal);
      if (signal.aborted) return;
      const records = page.records || [];
      renderLogs(records);
      // the console lists one page, the newest: past it, more records match than are shown
      text($('logs-status'), records.length + ' record(s)' + (page.partial ? ' (partial)' : '')
        + (page.nextCursor ? ', the newest; more match: narrow the query or the range' : ''));
    } catch (e) {
      if (signal.aborted) return; // a newer search shows its own answer
      renderLogs([]);
      text($('logs-status'), 'Search failed: ' + e.message, 'error');
    }
  }

  // an integration can write bodies of megabytes, which one row would hold whole (as the explorer cuts them)
  const SHOWN_CHARS = 2000;

  function shown(text) {
    if (text == null || text.length <= SHOWN_CHARS) return text;
    return text.slice(0, SHOWN_CHARS) + ' … (' + (text.length - SHOWN_CHARS) + ' more characters)';
  }

  function cell(row, value, cls) {
    const td = document.createElement('td');
    td.textContent = value == null ? '' : value;
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }

  // a service, project or integration name is whatever its sender gave, as long as it liked
  function nameCell(row, value) {
    const name = document.createElement('div');
    name.className = 'name';
    name.textContent = value == null ? '' : value;
    const td = cell(row, '');
    td.appendChild(name);
    return td;
  }

  function renderLogs(records) {
    const tbody = $('logs-table').querySelector('tbody');
    tbody.replaceChildren();
    for (const r of records) {
      const row = document.createElement('tr');
      row.className = 'log-row';
      cell(row, r.timestamp);
      cell(row, r.severity, 'sev-' + r.severity);
      nameCell(row, r.service);
      nameCell(row, r.project);
      nameCell(row, r.integration);
      cell(row, shown(r.body), 'body');
      const td = cell(row, '');
      if (r.traceId) {
        const link = document.createElement('button');
        link.className = 'link trace-link';
        link.textContent = r.traceId.substring(0, 16) + '…';
        link.title = r.traceId;
        // the row's own project, as the explorer does: another project's integration that learnt the id
        // may have sent spans into the trace
        link.addEventListener('click', () => showTrace(r.traceId, r.project));
        td.appendChild(link);
      }
      tbody.appendChild(row);
    }
  }

  async function showTrace(traceId, project) {
    const signal = traceView.start();
    $('trace-id').textContent = traceId;
    text($('trace-status'), 'Loading…');
    $('waterfall').replaceChildren();
    try {
      const trace = await api('/api/v1/traces/' + encodeURIComponent(traceId)
        + (project ? '?project=' + encodeURIComponent(project) : ''), signal);
      if (signal.aborted) return;
      renderWaterfall(trace);
      text($('trace-status'), trace.spans.length + ' span(s), ' + (trace.durationNanos / 1e6).toFixed(2) + ' ms, services: ' + trace.services.join(', '));
    } catch (e) {
      if (signal.aborted) return; // a newer trace shows its own answer
      text($('trace-status'), 'Trace failed: ' + e.message, 'error');
    }
  }

  function renderWaterfall(trace) {
    const spans = trace.spans || [];
    const rows = [];
    const start = Math.min(...spans.map((s) => s.startUnixNano));
    const total = Math.max(1, Math.max(...spans.map((s) => s.startUnixNano + s.durationNanos)) - start);
    for (const s of spans) {
      const row = document.createElement('div');
      row.className = 'span-row';
      const label = document.createElement('div');
      label.className = 'span-label';
      label.style.paddingLeft = (Math.min(s.depth, 16) * 12) + 'px'; // deeper ones would push the owner over the bars
      const name = document.createElement('div');
      name.className = 'span-name';
      name.textContent = s.service + ': ' + s.name;
      name.title = name.textContent;
      // the project and integration its ingest token names, apart from the name: a service or span name is
      // whatever a client sent, and one that ran past the column hid the owner or wrote another in its place
      const owner = document.createElement('div');
      owner.className = 'span-owner';
      owner.textContent = s.project + '/' + (s.integration || '-');
      label.append(name, owner);
      const track = document.createElement('div');
      track.className = 'span-track';
      const bar = document.createElement('div');
      bar.className = 'span-bar' + (s.status === 'ERROR' ? ' error' : '');
      bar.style.left = (100 * (s.startUnixNano - start) / total) + '%';
      bar.style.width = (100 * s.durationNanos / total) + '%';
      track.appendChild(bar);
      const duration = document.createElement('div');
      duration.className = 'span-duration';
      duration.textContent = (s.durationNanos / 1e6).toFixed(2) + ' ms';
      row.append(label, track, duration);
      rows.push(row);
    }
    // replaced, not appended: appended rows mixed two traces' spans when their answers crossed
    $('waterfall').replaceChildren(...rows);
  }

  document.addEventListener('DOMContentLoaded', () => {
    // the handlers at once: registered once config.json had come, a form sent before was submitted by
    // the browser itself, which reloaded the page and lost the sign-in
    $('signin-form').addEventListener('submit', signIn);
    $('logs-form').addEventListener('submit', searchLogs);
    configured = loadConfig();
    showWho();
    if (token) searchLogs();
  });
})();
