/*
 * The live view: polls the control plane for one tenant's timeline and world, and acts through it.
 *
 * Everything goes through the same control operations as the Python API (same origin, JSON bodies):
 *   GET  timeline?tenant=&since=   new journal entries, each with the error mapping table's reading
 *   GET  world?tenant=             the tenant's state, secrets redacted
 *   GET  tenants, GET scenarios
 *   POST scenarios/<id>?tenant=, POST reset, POST clock/advance, DELETE journal?tenant=
 * A control-plane token comes from the URL fragment (#token=...) and is sent as X-Harness-Admin-Token; the
 * fragment also names the tenant (#tenant=...). Nothing from the journal is ever parsed as HTML.
 */
(function () {
  'use strict';

  var POLL_MS = 600;
  var TENANTS_EVERY = 5; // polls between two tenant list refreshes
  var TOKEN_HEADER = 'X-Harness-Admin-Token';
  // The flow's steps and the operations that make each one; the slots with no operations yet are steps the
  // fakes do not model yet (they light up when their operations exist).
  var FLOW = [
    { id: 'popup', title: 'Signup popup', ops: [] },
    { id: 'exchange', title: 'Code exchange', ops: ['graph.exchangeCode', 'graph.exchangeCodeUnversioned'] },
    { id: 'resolve', title: 'debug_token / resolve ids',
      ops: ['graph.debugToken', 'graph.debugTokenUnversioned', 'graph.getWaba', 'graph.listWabaPhoneNumbers'] },
    { id: 'telnyx', title: 'Telnyx registration', ops: ['telnyx.registerTechProvider'] },
    { id: 'sessions', title: 'Session states', ops: ['telnyx.getSignupStatus', 'telnyx.listSignups'] },
    { id: 'webhooks', title: 'Webhooks',
      ops: ['telnyx.webhook:whatsapp.waba_added', 'graph.webhook:account_update',
            'graph.webhook:phone_number_name_update'] }
  ];

  var body = document.body;
  var adminBase = body.getAttribute('data-admin-base') || '/__admin/';
  var fragment = parseFragment();
  var token = fragment.token || '';
  var state = {
    // Under /_t/<tenant> the control plane acts on that tenant only: the prefix wins over the fragment.
    tenant: body.getAttribute('data-prefix-tenant') || fragment.tenant || 'default',
    scoped: !!body.getAttribute('data-prefix-tenant'),
    since: 0,
    entries: [],
    world: null,
    scenarios: [],
    polls: 0,
    seen: {},
    timer: null,
    chain: 0,
    generation: 0
  };

  function byId(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function parseFragment() {
    var out = {};
    (location.hash || '').replace(/^#/, '').split('&').forEach(function (pair) {
      if (!pair) return;
      var i = pair.indexOf('=');
      var key = decodeURIComponent(i < 0 ? pair : pair.slice(0, i));
      out[key] = i < 0 ? '' : decodeURIComponent(pair.slice(i + 1));
    });
    return out;
  }

  function writeFragment() {
    var parts = [];
    if (token) parts.push('token=' + encodeURIComponent(token));
    parts.push('tenant=' + encodeURIComponent(state.tenant));
    history.replaceState(null, '', '#' + parts.join('&'));
  }

  // -- the control plane ------------------------------------------------------------------------------------

  function api(method, path, payload) {
    var headers = { 'Accept': 'application/json' };
    if (token) headers[TOKEN_HEADER] = token;
    var init = { method: method, headers: headers, credentials: 'same-origin', cache: 'no-store' };
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(payload);
    }
    return fetch(adminBase + path, init).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!response.ok) {
          var problem = (data && data.harness_error && data.harness_error.message) || ('HTTP ' + response.status);
          if (response.status === 401 || response.status === 403) {
            problem += ' (open the URL serve or demo printed: it carries the control-plane token)';
          }
          var error = new Error(problem);
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  }

  function tenantQuery() { return 'tenant=' + encodeURIComponent(state.tenant); }

  function setConnection(text, bad) {
    var node = byId('connection');
    node.textContent = text;
    node.className = 'connection' + (bad ? ' bad' : '');
  }

  // -- polling ----------------------------------------------------------------------------------------------

  function poll() {
    var generation = state.generation;
    var jobs = [
      api('GET', 'timeline?' + tenantQuery() + '&since=' + state.since),
      api('GET', 'world?' + tenantQuery())
    ];
    // The tenant list may be refused (under a /_t/<tenant> prefix only that tenant is in reach): keep polling.
    if (state.polls % TENANTS_EVERY === 0) {
      jobs.push(api('GET', 'tenants').catch(function () { return { tenants: [] }; }));
    }
    state.polls += 1;
    return Promise.all(jobs).then(function (results) {
      if (generation !== state.generation) return; // the tenant changed, or the journal was cleared, meanwhile
      dropEntriesBefore(results[0].first_seq);
      addEntries(results[0].entries || []);
      if (typeof results[0].last_seq === 'number') state.since = Math.max(state.since, results[0].last_seq);
      state.world = results[1];
      renderWorld();
      renderFlow();
      if (results[2]) renderTenants(results[2].tenants || []);
      setConnection('live', false);
    }).catch(function (e) {
      setConnection('not connected: ' + e.message, true);
    });
  }

  function schedule() {
    // One polling chain at a time: a poll still in flight from an older chain does not start another.
    var mine = ++state.chain;
    clearTimeout(state.timer);
    (function loop() {
      poll().then(function () { if (mine === state.chain) state.timer = setTimeout(loop, POLL_MS); });
    })();
  }

  function restart() {
    state.generation += 1;
    state.since = 0;
    state.entries = [];
    state.seen = {};
    byId('timeline-body').textContent = '';
    renderCount();
    schedule();
  }

  // -- tenants ----------------------------------------------------------------------------------------------

  function renderTenants(tenants) {
    var select = byId('tenant');
    var names = tenants.map(function (t) { return t.name; });
    if (names.indexOf(state.tenant) < 0) names.push(state.tenant);
    var current = Array.prototype.map.call(select.options, function (o) { return o.value; });
    if (current.join('\n') !== names.join('\n')) {
      select.textContent = '';
      names.forEach(function (name) {
        var option = el('option', null, name);
        option.value = name;
        select.appendChild(option);
      });
    }
    select.value = state.tenant;
  }

  byId('tenant').addEventListener('change', function (event) {
    state.tenant = event.target.value;
    writeFragment();
    restart();
  });

  // -- the timeline -----------------------------------------------------------------------------------------

  function clockText(seconds) {
    if (typeof seconds !== 'number') return '';
    return new Date(seconds * 1000).toISOString().slice(11, 23);
  }

  function addEntries(entries) {
    var tbody = byId('timeline-body');
    entries.forEach(function (entry) {
      if (state.seen[entry.seq]) return;
      state.seen[entry.seq] = true;
      state.entries.push(entry);
      var rows = entryRows(entry);
      tbody.appendChild(rows[0]);
      tbody.appendChild(rows[1]);
    });
    renderCount();
  }

  // The journal no longer holds what came before `first` (cleared, reset, or dropped as the oldest): nor do we.
  function dropEntriesBefore(first) {
    var limit = typeof first === 'number' ? first : Infinity;
    if (!state.entries.length || state.entries[0].seq >= limit) return;
    state.entries = state.entries.filter(function (e) {
      if (e.seq >= limit) return true;
      delete state.seen[e.seq];
      var row = document.querySelector('tr.entry[data-seq="' + e.seq + '"]');
      if (row) { row.nextSibling.remove(); row.remove(); }
      return false;
    });
  }

  function renderCount() {
    byId('timeline-count').textContent = state.entries.length ? '(' + state.entries.length + ')' : '';
    byId('timeline-empty').hidden = state.entries.length > 0;
  }

  function violationsOf(entry) {
    return (entry.violations || []).map(function (v) { return { kind: 'request', v: v }; })
      .concat((entry.response_violations || []).map(function (v) { return { kind: 'response', v: v }; }));
  }

  function entryRows(entry) {
    var explanation = entry.explanation;
    var violations = violationsOf(entry);
    var failed = entry.status >= 400 || !!explanation;
    var row = el('tr', 'entry' + (failed ? ' failed' : ' ok') + (violations.length ? ' violated' : ''));
    row.setAttribute('data-seq', entry.seq);
    row.setAttribute('data-operation', entry.vendor + '.' + (entry.operation || '?'));
    row.tabIndex = 0;
    row.appendChild(el('td', 'seq', entry.seq));
    row.appendChild(el('td', 'time', clockText(entry.time)));
    row.appendChild(el('td', 'vendor ' + entry.vendor, entry.vendor));
    var op = el('td', 'operation');
    op.appendChild(el('span', 'op-name', entry.operation || '(unknown route)'));
    op.appendChild(el('span', 'op-path', entry.method + ' ' + entry.path));
    row.appendChild(op);
    row.appendChild(el('td', 'status', entry.status));
    row.appendChild(el('td', 'latency', (entry.duration_ms || 0).toFixed(1) + ' ms'));
    var meaning = el('td', 'meaning');
    if (explanation) {
      var code = explanation.vendor_code
        ? 'code ' + explanation.vendor_code + (explanation.vendor_subcode ? '/' + explanation.vendor_subcode : '')
        : '';
      var head = el('div', 'explanation');
      head.appendChild(el('span', 'error-class', explanation.error));
      if (code) head.appendChild(el('span', 'vendor-code', code));
      if (explanation.title) head.appendChild(el('span', 'error-title', explanation.title));
      if (explanation.pointer) head.appendChild(el('span', 'pointer', 'at ' + explanation.pointer));
      meaning.appendChild(head);
      if (explanation.troubleshooting) {
        meaning.appendChild(el('div', 'troubleshooting', 'Troubleshooting: \u201c' + explanation.troubleshooting + '\u201d'));
      }
      if (explanation.guidance) meaning.appendChild(el('div', 'guidance', explanation.guidance));
    }
    if (entry.fault) meaning.appendChild(el('div', 'fault', 'armed fault: ' + entry.fault));
    if (violations.length) {
      var list = el('ul', 'violations');
      violations.forEach(function (item) {
        var v = item.v;
        var li = el('li', 'violation');
        li.appendChild(el('span', 'pointer', (item.kind === 'response' ? 'response ' : '') + (v.location || '') + ' ' + (v.pointer || '/')));
        li.appendChild(el('span', 'rule', v.rule || ''));
        li.appendChild(el('span', 'message', v.message || ''));
        list.appendChild(li);
      });
      meaning.appendChild(list);
    }
    row.appendChild(meaning);

    var detail = el('tr', 'detail');
    detail.hidden = true;
    var cell = el('td');
    cell.colSpan = 7;
    cell.appendChild(exchangeDetail(entry));
    detail.appendChild(cell);
    function toggle() { detail.hidden = !detail.hidden; row.classList.toggle('open', !detail.hidden); }
    row.addEventListener('click', toggle);
    row.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); toggle(); }
    });
    return [row, detail];
  }

  function pretty(value) {
    if (value === null || value === undefined) return '(none)';
    if (typeof value === 'string') return value;
    return JSON.stringify(value, null, 2);
  }

  function exchangeDetail(entry) {
    var box = el('div', 'exchange');
    var request = el('div', 'half');
    request.appendChild(el('h3', null, 'Request'));
    var query = Object.keys(entry.query || {}).map(function (k) { return k + '=' + entry.query[k]; }).join('&');
    request.appendChild(el('pre', 'request-line', entry.method + ' ' + entry.path + (query ? '?' + query : '')));
    request.appendChild(el('pre', 'headers', Object.keys(entry.request_headers || {}).map(function (k) {
      return k + ': ' + entry.request_headers[k];
    }).join('\n')));
    request.appendChild(el('pre', 'request-body', pretty(entry.request_body)));
    var response = el('div', 'half');
    response.appendChild(el('h3', null, 'Response ' + entry.status));
    response.appendChild(el('pre', 'response-headers', Object.keys(entry.response_headers || {}).map(function (k) {
      return k + ': ' + entry.response_headers[k];
    }).join('\n')));
    response.appendChild(el('pre', 'response-body', pretty(entry.response_body)));
    box.appendChild(request);
    box.appendChild(response);
    return box;
  }

  // -- the flow ---------------------------------------------------------------------------------------------

  function stepState(step) {
    var mine = state.entries.filter(function (e) { return step.ops.indexOf(e.vendor + '.' + e.operation) >= 0; });
    if (!mine.length) return { state: 'pending', entries: mine };
    var last = mine[mine.length - 1];
    // A webhook attempt the partner did not answer with 2xx is a failure too (status 0: no answer at all).
    var outbound = last.direction === 'outbound';
    var bad = outbound ? (last.status < 200 || last.status >= 300) : (last.status >= 400 || !!last.explanation);
    return { state: bad ? 'failed' : 'done', entries: mine, last: last };
  }

  function renderFlow() {
    var list = byId('flow');
    list.textContent = '';
    var states = FLOW.map(stepState);
    // A later step reached means every earlier one was passed, or skipped (the event carried the ids).
    var reached = -1;
    states.forEach(function (s, i) { if (s.state !== 'pending') reached = i; });
    var plan = state.world && state.world.signup_plan;
    FLOW.forEach(function (step, i) {
      var s = states[i];
      var label = s.state;
      var note = '';
      if (step.id === 'popup') {
        label = reached > 0 ? 'done' : 'pending';
        note = plan ? 'armed ending: ' + (plan.outcome || 'FINISH') +
          (plan.outcome === 'CANCEL' && plan.current_step ? ' at ' + plan.current_step : '') : 'a person clicks through it';
      } else if (step.slot) {
        label = 'slot';
        note = step.slot;
      } else if (s.state === 'pending' && i < reached) {
        label = 'skipped';
        note = step.id === 'resolve' ? 'the event carried the ids' : '';
      } else if (s.last) {
        note = s.last.status + (s.last.explanation && s.last.explanation.vendor_code
          ? ' code ' + s.last.explanation.vendor_code : '') + (s.entries.length > 1 ? ', ' + s.entries.length + ' calls' : '');
      }
      var item = el('li', 'step ' + label);
      item.setAttribute('data-step', step.id);
      item.setAttribute('data-state', label);
      item.appendChild(el('span', 'step-title', step.title));
      item.appendChild(el('span', 'step-state', label));
      if (note) item.appendChild(el('span', 'step-note', note));
      list.appendChild(item);
    });
  }

  // -- the world --------------------------------------------------------------------------------------------

  function cellText(key, value) {
    if (value === null || value === undefined) return '';
    if (typeof value === 'number' && /_at$/.test(key) && value > 1e8) {
      return new Date(value * 1000).toISOString().replace('.000Z', 'Z');
    }
    if (Array.isArray(value)) {
      return value.map(function (v) { return typeof v === 'object' ? JSON.stringify(v) : String(v); }).join(', ');
    }
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  }

  var FIRST_COLUMNS = ['id', 'name', 'operation', 'status', 'state', 'value', 'waba_id', 'phone_number_id'];

  function rank(column) {
    var i = FIRST_COLUMNS.indexOf(column);
    return i < 0 ? FIRST_COLUMNS.length : i;
  }

  function table(name, rows) {
    var wrap = el('div', 'world-table');
    wrap.setAttribute('data-table', name);
    wrap.appendChild(el('h3', null, name.replace(/_/g, ' ') + ' (' + rows.length + ')'));
    if (!rows.length) {
      wrap.appendChild(el('p', 'none', 'none'));
      return wrap;
    }
    var columns = [];
    rows.forEach(function (row) {
      Object.keys(row).forEach(function (k) { if (columns.indexOf(k) < 0) columns.push(k); });
    });
    // The snapshot's keys arrive sorted; a record reads best by its id, name and state first.
    columns.sort(function (a, b) { return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0); });
    var t = el('table');
    var head = el('tr');
    columns.forEach(function (c) { head.appendChild(el('th', null, c)); });
    t.appendChild(el('thead')).appendChild(head);
    var tbody = el('tbody');
    rows.forEach(function (row) {
      var tr = el('tr');
      columns.forEach(function (c) {
        var text = cellText(c, row[c]);
        tr.appendChild(el('td', text === '[REDACTED]' ? 'redacted' : (c === 'status' ? 'state ' + text : null), text));
      });
      tbody.appendChild(tr);
    });
    t.appendChild(tbody);
    wrap.appendChild(t);
    return wrap;
  }

  function renderWorld() {
    var world = state.world;
    if (!world) return;
    byId('clock').textContent = world.clock ? 'clock ' + world.clock.iso : '';
    var box = byId('world');
    var fresh = el('div');
    var summary = el('dl', 'summary');
    function fact(term, value, id) {
      summary.appendChild(el('dt', null, term));
      var dd = el('dd', null, value);
      if (id) dd.id = id;
      summary.appendChild(dd);
    }
    fact('tenant', world.tenant + (world.exists ? '' : ' (empty: nothing seeded or called yet)'));
    fact('armed scenario', world.scenario ? world.scenario.id + ': ' + world.scenario.title : 'none', 'armed-scenario');
    fact('signup plan', world.signup_plan ? JSON.stringify(world.signup_plan) : 'none (a person clicks through the popup)');
    fresh.appendChild(summary);
    fresh.appendChild(table('armed_faults', world.faults || []));
    Object.keys(world.sections || {}).forEach(function (sectionName) {
      var section = world.sections[sectionName];
      var group = el('div', 'section');
      group.setAttribute('data-section', sectionName);
      group.appendChild(el('h3', 'section-title', sectionName));
      Object.keys(section.tables || {}).forEach(function (name) {
        group.appendChild(table(name, section.tables[name]));
      });
      var fields = section.fields || {};
      if (Object.keys(fields).length) {
        var dl = el('dl', 'fields');
        Object.keys(fields).forEach(function (k) {
          dl.appendChild(el('dt', null, k));
          dl.appendChild(el('dd', null, cellText(k, fields[k])));
        });
        group.appendChild(dl);
      }
      fresh.appendChild(group);
    });
    // Replace only when something changed: keeps the reader's text selection and scroll position.
    var serialized = JSON.stringify(world.sections) + JSON.stringify(world.faults) +
      JSON.stringify(world.scenario) + JSON.stringify(world.signup_plan) + world.exists;
    if (box.getAttribute('data-version') !== serialized) {
      box.textContent = '';
      box.appendChild(fresh);
      box.setAttribute('data-version', serialized);
    }
  }

  // -- actions ----------------------------------------------------------------------------------------------

  function report(text, bad) {
    var node = byId('action-result');
    node.textContent = text;
    node.className = 'action-result' + (bad ? ' bad' : ' good');
  }

  function act(promise, done) {
    return promise.then(function (data) {
      report(done(data), false);
      return poll();
    }).catch(function (e) { report(e.message, true); });
  }

  function renderScenarios() {
    var query = byId('scenario-search').value.trim().toLowerCase();
    var list = byId('scenarios');
    list.textContent = '';
    state.scenarios.filter(function (s) {
      return !query || (s.id + ' ' + s.title + ' ' + (s.tags || []).join(' ')).toLowerCase().indexOf(query) >= 0;
    }).forEach(function (s) {
      var item = el('li', 'scenario');
      item.setAttribute('data-scenario', s.id);
      var text = el('span', 'scenario-text');
      text.appendChild(el('span', 'scenario-title', s.title));
      text.appendChild(el('span', 'scenario-id', s.id));
      item.appendChild(text);
      var button = el('button', 'arm', 'Arm');
      button.type = 'button';
      button.setAttribute('aria-label', 'Arm ' + s.id);
      button.addEventListener('click', function () { armScenario(s.id); });
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  function armScenario(id) {
    act(api('POST', 'scenarios/' + encodeURIComponent(id) + '?' + tenantQuery()), function (armed) {
      return 'armed ' + armed.armed + ' on ' + armed.tenant + ': ' + armed.title;
    });
  }

  function loadScenarios() {
    api('GET', 'scenarios').then(function (data) {
      state.scenarios = data.scenarios || [];
      renderScenarios();
    }).catch(function (e) {
      byId('scenarios').textContent = '';
      byId('scenarios').appendChild(el('li', 'none', 'no catalogue: ' + e.message));
    });
  }

  byId('scenario-search').addEventListener('input', renderScenarios);

  byId('reset').addEventListener('click', function () {
    act(api('POST', 'reset', { tenant: state.tenant }), function () {
      restart();
      return 'reset ' + state.tenant + ': its world, faults and journal are gone';
    });
  });

  byId('clear-journal').addEventListener('click', function () {
    act(api('DELETE', 'journal?' + tenantQuery()), function () {
      restart();
      return 'cleared the journal of ' + state.tenant;
    });
  });

  byId('advance').addEventListener('click', function () {
    var seconds = Number(byId('advance-seconds').value);
    act(api('POST', 'clock/advance', { seconds: seconds }), function (data) {
      return 'the clock is now ' + data.iso;
    });
  });

  window.addEventListener('hashchange', function () {
    var next = parseFragment();
    if (next.token !== undefined) token = next.token;
    if (next.tenant && next.tenant !== state.tenant) {
      state.tenant = next.tenant;
      restart();
    }
  });

  if (state.scoped) {
    // World-wide operations (the shared clock, the tenant list) need the root control plane and its token.
    byId('tenant').disabled = true;
    byId('advance').disabled = true;
    byId('advance').title = 'the clock is world-wide: open the live view URL that serve or demo printed';
  }
  writeFragment();
  renderFlow();
  loadScenarios();
  restart();
})();
