// The userd admin console: plain JavaScript, no framework, nothing from the
// network but this console's own API (/console/api/). Text from the store is
// always set as text (textContent), never parsed as markup.
'use strict';

const state = { operator: null, csrf: null };
const $ = (id) => document.getElementById(id);

// h('tag', {attr: value, onclick: fn}, child...): an element; strings become text nodes.
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  return el;
}

const when = (ms) => (ms ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : 'never');
const say = (text) => { $('status').textContent = text; };

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

// Calls the console's API; a request that changes something carries the CSRF token.
async function api(method, path, body) {
  const opts = { method, credentials: 'same-origin', headers: {} };
  if (method !== 'GET') {
    opts.headers['Content-Type'] = 'application/json';
    opts.headers['X-CSRF-Token'] = state.csrf || '';
    opts.body = JSON.stringify(body || {});
  }
  const res = await fetch('/console/api' + path, opts);
  const data = await res.json().catch(() => ({}));
  if (res.status === 401 && path !== '/login') { showLogin(data.error); throw new ApiError(401, data.error); }
  if (!res.ok) throw new ApiError(res.status, data.error || `HTTP ${res.status}`);
  return data;
}

// ---- confirmation (a modal dialog: focus stays in it until it is answered) ----
function confirmAction(text, label) {
  const d = $('confirm');
  $('confirm-text').textContent = text;
  $('confirm-ok').textContent = label;
  return new Promise((resolve) => {
    const done = (ok) => { d.close(); cleanup(); resolve(ok); };
    const yes = () => done(true), no = () => done(false), esc = (e) => { e.preventDefault(); done(false); };
    const cleanup = () => {
      $('confirm-ok').removeEventListener('click', yes);
      $('confirm-cancel').removeEventListener('click', no);
      d.removeEventListener('cancel', esc);
    };
    $('confirm-ok').addEventListener('click', yes);
    $('confirm-cancel').addEventListener('click', no);
    d.addEventListener('cancel', esc);
    d.showModal();
    $('confirm-cancel').focus();
  });
}

// A secret shown once: in a box the operator can select, with a warning.
function shownOnce(label, value, id) {
  return h('div', { class: 'once', role: 'group', 'aria-label': label },
    h('p', null, h('strong', null, label), ' (shown once: copy it now)'),
    h('output', { id, class: 'secret' }, value));
}

// An action's outcome, or its error, below the buttons.
function outcome(el, text, isError) {
  el.textContent = text;
  el.className = isError ? 'error' : 'ok';
  if (!isError) say(text);
}

// ---- sign-in ----
function showLogin(message) {
  state.operator = null;
  $('nav').hidden = true;
  $('who').hidden = true;
  $('view').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message && message !== 'sign in first' ? message : '';
  $('login-name').focus();
}

async function login(e) {
  e.preventDefault();
  const name = $('login-name').value, password = $('login-password').value;
  try {
    const s = await api('POST', '/login', { name, password });
    $('login-password').value = '';
    signedIn(s);
  } catch (err) {
    $('login-error').textContent = err.message;
  }
}

function signedIn(s) {
  state.operator = s.operator;
  state.csrf = s.csrf;
  $('who-name').textContent = s.operator;
  $('login').hidden = true;
  $('nav').hidden = false;
  $('who').hidden = false;
  $('view').hidden = false;
  route();
}

async function logout() {
  try { await api('POST', '/logout'); } catch { /* the session may be gone already */ }
  state.csrf = null;
  showLogin();
}

// ---- pages ----
function page(title, ...content) {
  const v = $('view');
  v.replaceChildren(h('h1', { id: 'page-title', tabindex: '-1' }, title), ...content);
  document.title = `${title} · userd console`;
  $('page-title').focus();
}

function table(caption, head, rows) {
  return h('div', { class: 'scroll' }, h('table', null, h('caption', null, caption),
    h('thead', null, h('tr', null, head.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: head.length }, 'None.')))));
}

async function appsList() { return (await api('GET', '/apps')).apps; }

function appPicker(apps, selected, id) {
  return h('select', { id, name: 'app' }, apps.map((a) =>
    h('option', { value: a.app_id, selected: a.app_id === selected }, `${a.name} (${a.app_id})`)));
}

// ---- the service right now: the ops listener's metrics (Prometheus text, through the console's API), every 5 s ----
function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/);
    if (!m) continue;
    const labels = {};
    for (const l of (m[2] || '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\(.)/g, (x, c) => (c === 'n' ? '\n' : c));
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

async function sampleMetrics() {
  const res = await fetch('/console/api/metrics', { credentials: 'same-origin' });
  if (!res.ok) throw new ApiError(res.status, `metrics: HTTP ${res.status}`);
  return { at: performance.now(), series: parseMetrics(await res.text()) };
}

const FACES = ['im', 'live', 'app', 'ops'];

// Per face over the interval between two samples: requests/s, 5xx/s, p99 (from the histogram's buckets).
function faceRates(a, b) {
  const dt = (b.at - a.at) / 1000;
  const sum = (s, face, pred) => s.series.filter((x) => x.labels.face === face && pred(x)).reduce((t, x) => t + x.value, 0);
  return FACES.map((face) => {
    const req = (s) => sum(s, face, (x) => x.name === 'userd_http_requests_total');
    const err = (s) => sum(s, face, (x) => x.name === 'userd_http_requests_total' && x.labels.status >= '500');
    const n = req(b) - req(a);
    const buckets = {};
    for (const [s, sign] of [[b, 1], [a, -1]])
      for (const x of s.series)
        if (x.name === 'userd_http_request_duration_seconds_bucket' && x.labels.face === face)
          buckets[x.labels.le] = (buckets[x.labels.le] || 0) + sign * x.value;
    const bounds = Object.keys(buckets).sort((x, y) => Number(x) - Number(y));
    const total = buckets['+Inf'] || 0;
    const p99 = total ? bounds.find((le) => buckets[le] >= 0.99 * total) : null;
    return { face, rps: n / dt, errors: (err(b) - err(a)) / dt, p99: p99 == null ? null : p99 === '+Inf' ? '> largest bucket' : `≤ ${Number(p99) * 1000} ms` };
  });
}

function gauge(s, name) {
  const x = s.series.find((y) => y.name === name);
  return x ? x.value : null;
}

function rightNow(prev, cur) {
  const info = cur.series.find((x) => x.name === 'userd_build_info');
  const rates = prev ? faceRates(prev, cur) : null;
  return h('div', { id: 'right-now' },
    h('p', null, 'Version ', h('strong', { id: 'version' }, info?.labels.version ?? '?'),
      ' · hashing queue ', h('strong', { id: 'hash-queue' }, String(gauge(cur, 'userd_password_queue_depth') ?? '?')),
      ` waiting, ${gauge(cur, 'userd_password_running') ?? '?'} running`,
      ' · store ', h('strong', null, gauge(cur, 'userd_store_up') === 1 ? 'up' : 'down')),
    rates ? table(`Requests over the last ${((cur.at - prev.at) / 1000).toFixed(0)} s`, ['Face', 'Requests/s', 'Errors (5xx)/s', 'p99'],
      rates.map((r) => h('tr', null, h('td', null, r.face), h('td', null, r.rps.toFixed(1)), h('td', null, r.errors.toFixed(1)),
        h('td', null, r.p99 ?? '-'))))
      : h('p', { class: 'muted' }, 'Request rates appear after the next sample (5 s).'));
}

let overviewGeneration = 0;

// Refreshes the "right now" part every 5 s while the overview is shown.
async function watchMetrics(gen) {
  let prev = null;
  while (gen === overviewGeneration && document.getElementById('right-now')) {
    try {
      const cur = await sampleMetrics();
      if (gen !== overviewGeneration || !document.getElementById('right-now')) return;
      $('right-now').replaceWith(rightNow(prev, cur));
      prev = cur;
    } catch (err) {
      if (document.getElementById('right-now'))
        $('right-now').replaceChildren(h('p', { class: 'error' }, `The metrics cannot be read: ${err.message}`));
      return;
    }
    await new Promise((r) => setTimeout(r, 5000));
  }
}

// A bar chart of plain elements (hidden from screen readers: the same numbers follow as a table).
function bars(id, points, label) {
  const max = Math.max(1, ...points.map((p) => p.count));
  return h('div', { id, class: 'bars', 'aria-hidden': 'true' }, points.map((p) => {
    const bar = h('div', { class: 'bar', title: `${label(p)}: ${p.count}` });
    bar.style.height = `${Math.round((p.count / max) * 100)}%`;
    return bar;
  }));
}

async function overviewPage() {
  const [o, apps] = await Promise.all([api('GET', '/overview'), appsList()]);
  const byId = Object.fromEntries(apps.map((a) => [a.app_id, a.name]));
  const total = o.signups.reduce((s, d) => s + d.count, 0);
  const signIns = o.sign_ins.reduce((s, d) => s + d.count, 0);
  page('Overview',
    h('p', null, 'Store: ', h('strong', { id: 'store-state' }, o.store), ` · ${apps.length} apps`),
    h('h2', null, 'Right now'),
    h('div', { id: 'right-now' }, h('p', null, 'Reading the metrics…')),
    h('h2', null, 'Accounts'),
    table('Accounts per app and face', ['App', 'Total', 'IM only', 'Live face', 'App face', 'Disabled'],
      o.accounts.map((k) => h('tr', null, h('td', null, byId[k.app_id] || k.app_id), h('td', null, k.total),
        h('td', null, k.im), h('td', null, k.live), h('td', null, k.app), h('td', null, k.disabled)))),
    h('h2', null, `Sign-ups per day, last 30 days (${total})`),
    bars('signups-chart', o.signups, (d) => d.day),
    h('details', null, h('summary', null, 'Sign-ups as a table'),
      table('Sign-ups per day', ['Day (UTC)', 'Sign-ups'],
        o.signups.map((d) => h('tr', null, h('td', null, d.day), h('td', null, d.count))))),
    h('h2', { id: 'sign-ins-title' }, `Sign-ins per hour, last 48 hours (${signIns})`),
    bars('sign-ins-chart', o.sign_ins, (d) => `${d.hour} UTC`),
    h('details', null, h('summary', null, 'Sign-ins as a table'),
      table('Sign-ins per hour', ['Hour (UTC)', 'Sign-ins'],
        o.sign_ins.map((d) => h('tr', null, h('td', null, d.hour), h('td', null, d.count))))));
  watchMetrics(++overviewGeneration);
}

const SEARCH_KINDS = [
  ['id', 'IM user id'], ['username', 'IM username'], ['nick', 'Nickname prefix'], ['mobile', 'Mobile'],
  ['live', 'Live user_id'], ['appface', 'App-face id'], ['all', 'All (newest first)'],
];

function hashQuery() {
  const i = location.hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : location.hash.slice(i + 1));
}

async function usersPage() {
  const apps = await appsList();
  const q = hashQuery();
  const app = q.get('app') || apps[0]?.app_id || '';
  const by = q.get('by') || 'username';
  const value = q.get('q') || '';
  const pageNo = Number(q.get('page') || 1);
  const results = h('div', { id: 'results' });
  const form = h('form', { id: 'search', class: 'row', role: 'search' },
    h('div', null, h('label', { for: 'search-app' }, 'App'), appPicker(apps, app, 'search-app')),
    h('div', null, h('label', { for: 'search-by' }, 'Find by'),
      h('select', { id: 'search-by', name: 'by' }, SEARCH_KINDS.map(([k, l]) => h('option', { value: k, selected: k === by }, l)))),
    h('div', null, h('label', { for: 'search-q' }, 'Value'), h('input', { id: 'search-q', name: 'q', value, maxlength: 256 })),
    h('div', null, h('button', { type: 'submit' }, 'Search')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams({ app: $('search-app').value, by: $('search-by').value, q: $('search-q').value });
    location.hash = `#/users?${p}`;
  });
  page('Users', form, results);
  if (!app || (!value && by !== 'all')) return;
  const r = await api('GET', `/apps/${encodeURIComponent(app)}/users?${new URLSearchParams({ by, q: value, page: pageNo })}`);
  const nav = h('p', { class: 'pager' },
    pageNo > 1 ? h('a', { href: `#/users?${new URLSearchParams({ app, by, q: value, page: pageNo - 1 })}` }, 'Previous page') : null,
    ` Page ${pageNo} `,
    r.more ? h('a', { href: `#/users?${new URLSearchParams({ app, by, q: value, page: pageNo + 1 })}` }, 'Next page') : null);
  results.replaceChildren(
    table(`${r.users.length} users found`, ['IM user id', 'Username', 'Nickname', 'Mobile', 'Live user_id', 'App-face id', 'State'],
      r.users.map((u) => h('tr', null,
        h('td', null, h('a', { href: `#/user/${encodeURIComponent(app)}/${u.id}` }, String(u.id))),
        h('td', null, u.username ?? ''), h('td', null, u.nick), h('td', null, u.mobile ?? ''),
        h('td', null, u.live_uid ?? ''), h('td', null, u.appface_id), h('td', null, u.disabled ? 'disabled' : 'active')))),
    nav);
  say(`${r.users.length} users found`);
}

const PLATFORMS = ['', 'iOS', 'Android', 'Windows', 'macOS', 'Linux', 'Web'];

async function userPage(app, id) {
  const base = `/apps/${encodeURIComponent(app)}/users/${encodeURIComponent(id)}`;
  const u = await api('GET', base);
  const out = h('p', { id: 'action-result', 'aria-live': 'polite' });
  const secret = h('div', { id: 'user-secret' });
  const act = (action, label, text) => h('button', {
    type: 'button', id: `user-${action}`, class: action === 'delete' ? 'danger' : null,
    onclick: async () => {
      if (!await confirmAction(text, label)) return;
      try {
        const r = await api('POST', `${base}/${action}`);
        if (action === 'delete') { location.hash = `#/users?${new URLSearchParams({ app })}`; say(`User ${id} deleted`); return; }
        if (action === 'reset') { secret.replaceChildren(shownOnce('New password', r.password, 'new-password')); outcome(out, 'Password reset; every session ended'); return; }
        await userPage(app, id);
        outcome($('action-result'), `Done: ${label.toLowerCase()}`);
      } catch (err) { outcome(out, err.message, true); }
    },
  }, label);
  const who = u.username || u.nick || `#${u.id}`;
  const dl = (pairs) => h('dl', { class: 'facts' }, pairs.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
  page(`User ${u.id}`,
    h('p', null, h('a', { href: `#/users?${new URLSearchParams({ app })}` }, 'Back to the search')),
    dl([['IM user id', String(u.id)], ['IM username', u.username ?? '(none)'], ['Nickname', u.nick || '(none)'],
      ['Mobile', u.mobile ? `${u.region ? u.region + ' ' : ''}${u.mobile}` : '(none)'], ['Live user_id', u.live_uid ?? '(none)'],
      ['App-face id', u.appface_id], ['Email', u.email ?? '(none)'], ['Avatar', u.avatar || '(none)'],
      ['Faces', ['IM', u.faces.live ? 'live' : null, u.faces.app ? 'app' : null].filter(Boolean).join(', ')],
      ['State', h('strong', { id: 'user-state' }, u.disabled ? 'disabled' : 'active')],
      ['Active IM tokens', h('span', { id: 'user-tokens' }, String(u.tokens))],
      ['Active app sessions', h('span', { id: 'user-sessions' }, String(u.sessions))],
      ['Created', when(u.created_at)], ['Updated', when(u.updated_at)]]),
    h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' },
      u.disabled ? act('enable', 'Enable', `Enable ${who}? They can sign in again.`)
        : act('disable', 'Disable', `Disable ${who}? Every token and session ends and sign-in is refused on all faces.`),
      act('kick', 'Sign out everywhere', `End every IM token and app session of ${who}?`),
      act('reset', 'Reset password', `Give ${who} a new generated password? Every token and session ends.`),
      act('delete', 'Delete', `Delete ${who} and everything of theirs? This cannot be undone.`)),
    out, secret,
    table(`Devices (${u.devices.length}${u.more_devices ? '+' : ''})`, ['#', 'Platform', 'User agent', 'Push', 'Last seen'],
      u.devices.map((d) => h('tr', null, h('td', null, d.device_sn), h('td', null, PLATFORMS[d.platform] || String(d.platform)),
        h('td', null, d.user_agent), h('td', null, d.push ? 'yes' : 'no'), h('td', null, when(d.updated_at))))));
}

async function appsPage() {
  const apps = await appsList();
  const created = h('div', { id: 'app-created' });
  const form = h('form', { id: 'create-app', class: 'row' },
    h('div', null, h('label', { for: 'app-name' }, 'New app name'), h('input', { id: 'app-name', required: true, maxlength: 64 })),
    h('div', null, h('button', { type: 'submit' }, 'Create app')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const c = await api('POST', '/apps', { name: $('app-name').value });
      await appsPage();
      $('app-created').replaceChildren(h('p', { class: 'ok' }, `Created ${c.name} (${c.app_id})`),
        shownOnce('Secret key', c.secret_key, 'created-secret'), shownOnce('Admin token', c.admin_token, 'created-token'));
      say(`App ${c.name} created`);
    } catch (err) { outcome(created, err.message, true); }
  });
  page('Apps', form, created,
    table('Apps', ['Name', 'App id', 'Access key', 'Accounts', 'IM only', 'Live', 'App face', 'Created'],
      apps.map((a) => h('tr', null, h('td', null, h('a', { href: `#/app/${encodeURIComponent(a.app_id)}` }, a.name)),
        h('td', null, a.app_id), h('td', null, h('code', null, a.access_key)), h('td', null, a.accounts.total),
        h('td', null, a.accounts.im), h('td', null, a.accounts.live), h('td', null, a.accounts.app), h('td', null, when(a.created_at))))));
}

async function appPage(appId) {
  const base = `/apps/${encodeURIComponent(appId)}`;
  const [apps, t] = await Promise.all([appsList(), api('GET', `${base}/tokens`)]);
  const a = apps.find((x) => x.app_id === appId);
  if (!a) { page('No such app', h('p', null, h('a', { href: '#/apps' }, 'Back to the apps'))); return; }
  const out = h('p', { id: 'app-result', 'aria-live': 'polite' });
  const shown = h('div', { id: 'app-secret' });
  const button = (id, label, fn, cls) => h('button', { type: 'button', id, class: cls, onclick: async () => {
    try { await fn(); } catch (err) { outcome(out, err.message, true); }
  } }, label);
  page(`App ${a.name}`,
    h('p', null, h('a', { href: '#/apps' }, 'Back to the apps'), ' · ',
      h('a', { href: `#/users?${new URLSearchParams({ app: appId, by: 'all' })}` }, 'Its users')),
    h('dl', { class: 'facts' }, h('dt', null, 'App id'), h('dd', null, a.app_id), h('dt', null, 'Access key'),
      h('dd', null, h('code', { id: 'access-key' }, a.access_key)), h('dt', null, 'Accounts'), h('dd', null, String(a.accounts.total))),
    h('div', { class: 'actions', role: 'group', 'aria-label': 'Keys and tokens' },
      button('show-secret', 'Show secret key', async () => {
        const r = await api('POST', `${base}/secret`);
        shown.replaceChildren(h('p', null, 'Secret key: ', h('output', { id: 'secret-key', class: 'secret' }, r.secret_key)));
        outcome(out, 'Secret key shown (written to the audit log)');
      }),
      button('rotate-secret', 'Rotate secret key', async () => {
        if (!await confirmAction(`Give ${a.name} a new secret key? Requests signed with the old one are refused from now on.`, 'Rotate')) return;
        const r = await api('POST', `${base}/rotate`);
        shown.replaceChildren(shownOnce('New secret key', r.secret_key, 'rotated-secret'));
        outcome(out, 'Secret key rotated');
      }, 'danger'),
      button('mint-token', 'Mint admin token', async () => {
        const r = await api('POST', `${base}/tokens`, {});
        await appPage(appId);
        $('app-secret').replaceChildren(shownOnce('New admin token', r.admin_token, 'minted-token'));
        outcome($('app-result'), 'Admin token minted');
      })),
    out, shown,
    table('Admin tokens', ['Prefix', 'Created', 'Expires', 'Last used', 'Action'],
      t.tokens.map((k) => h('tr', null, h('td', null, h('code', null, k.prefix ?? '-')), h('td', null, when(k.created_at)),
        h('td', null, when(k.expires_at)), h('td', null, when(k.last_used_at)),
        h('td', null, k.prefix ? button(`revoke-${k.prefix}`, `Revoke ${k.prefix}`, async () => {
          if (!await confirmAction(`Revoke the admin token ${k.prefix}…? Requests with it are refused at once.`, 'Revoke')) return;
          await api('POST', `${base}/tokens/revoke`, { prefix: k.prefix });
          await appPage(appId);
          outcome($('app-result'), `Token ${k.prefix} revoked`);
        }, 'danger') : '')))));
}

async function auditPage() {
  const q = hashQuery();
  const f = { operator: q.get('operator') || '', action: q.get('action') || '', app: q.get('app') || '', before: q.get('before') || '' };
  const params = new URLSearchParams(Object.entries(f).filter(([, v]) => v));
  const r = await api('GET', `/audit?${params}`);
  const field = (k, label) => h('div', null, h('label', { for: `audit-${k}` }, label), h('input', { id: `audit-${k}`, value: f[k] }));
  const form = h('form', { id: 'audit-filter', class: 'row' }, field('operator', 'Operator'), field('action', 'Action'),
    field('app', 'App id'), h('div', null, h('button', { type: 'submit' }, 'Filter')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const k of ['operator', 'action', 'app']) if ($(`audit-${k}`).value) p.set(k, $(`audit-${k}`).value);
    location.hash = `#/audit?${p}`;
  });
  const next = new URLSearchParams(params);
  next.set('before', r.next_before);
  page('Audit log', form,
    table('Operator actions, newest first', ['When', 'Operator', 'Action', 'App', 'Target', 'Address', 'Detail'],
      r.entries.map((e) => h('tr', null, h('td', null, when(e.at)), h('td', null, e.operator), h('td', null, e.action),
        h('td', null, e.app_id), h('td', null, e.target), h('td', null, e.address), h('td', null, e.detail)))),
    h('p', { class: 'pager' }, f.before ? h('a', { href: '#/audit' }, 'Newest') : null, ' ',
      r.next_before ? h('a', { href: `#/audit?${next}` }, 'Older entries') : null));
}

// ---- routing: #/page/args?query ----
async function route() {
  if (!state.operator) return;
  const [pathPart] = location.hash.slice(1).split('?');
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  const name = parts[0] || 'overview';
  for (const a of document.querySelectorAll('#nav a')) {
    const cur = a.dataset.page === (name === 'user' ? 'users' : name === 'app' ? 'apps' : name);
    if (cur) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  try {
    if (name === 'users') await usersPage();
    else if (name === 'user') await userPage(parts[1], parts[2]);
    else if (name === 'apps') await appsPage();
    else if (name === 'app') await appPage(parts[1]);
    else if (name === 'audit') await auditPage();
    else await overviewPage();
  } catch (err) {
    if (err.status !== 401) page('Error', h('p', { class: 'error', role: 'alert' }, err.message));
  }
}

async function start() {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  window.addEventListener('hashchange', route);
  const s = await api('GET', '/session').catch(() => null);
  if (s && s.operator) signedIn(s); else showLogin();
}

start();
