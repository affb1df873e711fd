// GET /metrics on the ops listener (docs/operations.md, "Metrics"): exact
// counts for what the test did, `promtool check metrics` on a scrape, and a
// real Prometheus server scraping userd every second and answering a query
// through its HTTP API.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, freePort, httpRequest, imClient, sleep, startUserd } from './lib/harness.mjs';
import { assertError, assertOk, newUser } from './im_util.mjs';
import { signUp, startApp } from './app_lib.mjs';

/** Scrapes srv's /metrics: { text, get(name, labels) -> number | undefined, all(name) -> [{labels, value}] }. */
async function scrape(srv) {
  const r = await httpRequest({ port: srv.ops, path: '/metrics' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  const samples = [];
  for (const line of r.text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/);
    assert.ok(m, `not a sample line: ${line}`);
    const labels = {};
    for (const [, k, v] of (m[2] || '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  const matches = (s, name, want) => s.name === name && Object.entries(want).every(([k, v]) => s.labels[k] === v);
  return {
    text: r.text,
    all: (name, want = {}) => samples.filter((s) => matches(s, name, want)),
    get(name, want = {}) {
      const hit = samples.filter((s) => matches(s, name, want) && Object.keys(s.labels).length === Object.keys(want).length);
      assert.ok(hit.length <= 1, `${name} ${JSON.stringify(want)}: ${hit.length} series`);
      return hit[0]?.value;
    },
  };
}

describe('/metrics', () => {
  let srv, app;
  const PROFILE_GETS = 7;

  before(async () => {
    srv = await startUserd({ env: { USERD_OPS_ACCOUNTS_REFRESH: '1' } });
    app = srv.defaultApp;
    const alice = await newUser(srv, app);
    await newUser(srv, app);
    const open = imClient(srv, app);
    assertError(await open.req('POST', '/token/user', { body: { name: alice.name, password: 'wrong-one' } }), 10005);
    open.close();
    for (let i = 0; i < PROFILE_GETS; i++) assertOk(await alice.c.req('GET', '/user/profile'));
    alice.c.close();
  });
  after(async () => { await srv.stop(); });

  test('requests by face, route pattern, method and status; durations by route', async () => {
    const m = await scrape(srv);
    const profile = { face: 'im', route: '/user/profile', method: 'GET', status: '200' };
    assert.equal(m.get('userd_http_requests_total', profile), PROFILE_GETS);
    assert.equal(m.get('userd_http_requests_total', { face: 'im', route: '/user/register/v2', method: 'POST', status: '200' }), 2);
    assert.equal(m.get('userd_http_request_duration_seconds_count', { face: 'im', route: '/user/profile' }), PROFILE_GETS);
    assert.equal(m.get('userd_http_request_duration_seconds_bucket', { face: 'im', route: '/user/profile', le: '+Inf' }), PROFILE_GETS);
    assert.ok(m.get('userd_http_request_duration_seconds_sum', { face: 'im', route: '/user/profile' }) > 0);
    // the route's pattern, never the raw path: an unknown path is "unmatched"
    await httpRequest({ port: srv.live, path: '/server/user/info/some-id-42' });
    await httpRequest({ port: srv.im, path: '/no/such/path/123' });
    const m2 = await scrape(srv);
    assert.equal(m2.all('userd_http_requests_total', { face: 'live', route: '/server/user/info/:id', method: 'GET' }).length, 1);
    assert.equal(m2.get('userd_http_requests_total', { face: 'im', route: 'unmatched', method: 'GET', status: '404' }), 1);
    assert.ok(!m2.text.includes('some-id-42') && !m2.text.includes('/no/such'));
  });

  test('logins and registrations by face and result', async () => {
    const m = await scrape(srv);
    assert.equal(m.get('userd_registrations_total', { face: 'im', result: 'ok' }), 2);
    assert.equal(m.get('userd_logins_total', { face: 'im', result: 'ok' }), 2);
    assert.equal(m.get('userd_logins_total', { face: 'im', result: 'password' }), 1);
  });

  test('password hashing: durations, queue wait, depth, refusals', async () => {
    const m = await scrape(srv);
    assert.ok(m.get('userd_password_hash_duration_seconds_count', { op: 'hash' }) >= 2);
    assert.ok(m.get('userd_password_hash_duration_seconds_count', { op: 'verify' }) >= 3);
    // every password route waited in the queue once: 2 registrations and 3 logins
    assert.ok(m.get('userd_password_queue_wait_seconds_count') >= 5);
    assert.equal(m.get('userd_password_queue_depth'), 0);
    assert.equal(m.get('userd_password_refusals_total', { reason: 'admission' }), 0);
  });

  test('store: transactions, query durations, reachable', async () => {
    const m = await scrape(srv);
    assert.ok(m.get('userd_store_transactions_total', { result: 'commit' }) >= 2);
    assert.equal(m.get('userd_store_transactions_total', { result: 'busy' }), 0);
    assert.equal(typeof m.get('userd_store_transaction_retries_total'), 'number');
    assert.ok(m.all('userd_store_query_duration_seconds_count').length > 3);
    assert.equal(m.get('userd_store_up'), 1);
  });

  test('gauges: in flight, open connections; the log, build info, process', async () => {
    // The server counts a request out, and a connection closed, just after the client
    // has read the answer: an earlier scrape may still be counted for a moment.
    let m;
    for (let i = 0; i < 50; i++) {
      m = await scrape(srv);
      if (m.get('userd_http_requests_in_flight', { face: 'ops' }) === 1 && m.get('userd_http_connections_open', { face: 'ops' }) === 1) break;
      await sleep(20);
    }
    assert.equal(m.get('userd_http_requests_in_flight', { face: 'ops' }), 1); // this scrape
    assert.equal(m.get('userd_http_requests_in_flight', { face: 'im' }), 0);
    assert.equal(m.get('userd_http_connections_open', { face: 'ops' }), 1);
    assert.equal(m.get('userd_log_lines_dropped_total'), 0);
    const [info] = m.all('userd_build_info');
    assert.equal(info.value, 1);
    assert.match(info.labels.commit, /^([0-9a-f]{40}|unknown)$/);
    assert.ok(info.labels.version.length > 0);
    const start = m.get('process_start_time_seconds');
    assert.ok(start > Date.now() / 1000 - 120 && start <= Date.now() / 1000, `start ${start}`);
    assert.ok(m.get('process_cpu_seconds_total') > 0);
    assert.ok(m.get('process_resident_memory_bytes') > 1e6);
    assert.ok(m.get('process_open_fds') > 5);
    assert.ok(m.get('process_max_fds') >= m.get('process_open_fds'));
  });

  test('accounts per app, counted in the background (ops.accounts_refresh)', async () => {
    let m;
    for (let i = 0; i < 50; i++) {
      m = await scrape(srv);
      if (m.get('userd_accounts', { app: app.app_id }) === 2) break;
      await sleep(100);
    }
    assert.equal(m.get('userd_accounts', { app: app.app_id }), 2);
    assert.ok(m.get('userd_accounts_counted_timestamp_seconds') > Date.now() / 1000 - 10);
    await newUser(srv, app);
    for (let i = 0; i < 50; i++) {
      m = await scrape(srv);
      if (m.get('userd_accounts', { app: app.app_id }) === 3) break;
      await sleep(100);
    }
    assert.equal(m.get('userd_accounts', { app: app.app_id }), 3);
  });

  test('promtool check metrics passes on a scrape', async () => {
    const m = await scrape(srv);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: m.text, encoding: 'utf8', timeout: 30000 });
    assert.equal(r.status, 0, `promtool: ${r.stdout}${r.stderr}`);
  });
});

describe('/metrics: the app face and SMS', () => {
  test('an SMS sign-up counts one send, one registration and one login on the app face', async () => {
    const ctx = await startApp();
    try {
      const u = await signUp(ctx);
      u.c.close();
      const m = await scrape(ctx.srv);
      assert.equal(m.get('userd_sms_sends_total', { provider: 'http', result: 'ok' }), 1);
      assert.equal(m.get('userd_sms_sends_total', { provider: 'http', result: 'error' }), 0);
      assert.equal(m.get('userd_registrations_total', { face: 'app', result: 'ok' }), 1);
      assert.equal(m.get('userd_logins_total', { face: 'app', result: 'ok' }), 1);
      assert.equal(m.get('userd_http_requests_total', { face: 'app', route: '/user/send_code', method: 'POST', status: '200' }), 1);
    } finally {
      await ctx.stop();
    }
  });
});

describe('a real Prometheus server scrapes the ops listener', () => {
  let srv, prom, dir;
  const IM_PROFILE_GETS = 5;

  before(async () => {
    srv = await startUserd();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-prom-'));
    const im = imClient(srv, srv.defaultApp);
    for (let i = 0; i < IM_PROFILE_GETS; i++) await im.req('GET', '/user/profile');
    im.close();
  });
  after(async () => {
    if (prom && prom.exitCode === null) {
      prom.kill('SIGTERM');
      await new Promise((r) => prom.once('exit', r));
    }
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('sum(userd_http_requests_total{face="im"}) through /api/v1/query', async () => {
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      `  - ${path.join(REPO, 'docs/ops/userd.rules.yml')}`,
      'scrape_configs:',
      '  - job_name: userd',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${srv.ops}']`,
      '',
    ].join('\n'));
    const port = await freePort();
    const logs = [];
    prom = spawn('prometheus', [
      `--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const s of [prom.stdout, prom.stderr]) s.on('data', (d) => logs.push(String(d)));
    // The IM requests are done; what the IM face counted stays put (the harness's /healthz polls included).
    const direct = await scrape(srv);
    const want = direct.all('userd_http_requests_total', { face: 'im' }).reduce((a, s) => a + s.value, 0);
    assert.ok(want >= IM_PROFILE_GETS);
    const query = 'sum(userd_http_requests_total{face="im"})';
    let last;
    const deadline = Date.now() + 60000;
    while (Date.now() < deadline) {
      assert.equal(prom.exitCode, null, `prometheus exited: ${logs.join('')}`);
      try {
        const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(query)}`);
        last = await r.json();
        if (last.status === 'success' && last.data.result.length === 1 && Number(last.data.result[0].value[1]) === want) break;
      } catch { /* not up yet */ }
      await sleep(250);
    }
    assert.equal(last?.status, 'success', `prometheus: ${JSON.stringify(last)}\n${logs.join('')}`);
    assert.equal(Number(last.data.result[0].value[1]), want);
    // and the target is healthy in Prometheus's own view
    const t = await (await fetch(`http://127.0.0.1:${port}/api/v1/targets`)).json();
    assert.equal(t.data.activeTargets.length, 1);
    assert.equal(t.data.activeTargets[0].health, 'up', JSON.stringify(t.data.activeTargets[0]));
    // The example alert rules evaluate on real metrics without error, and none fires on a healthy userd.
    let rules;
    for (const end = Date.now() + 20000; Date.now() < end; await sleep(250)) {
      rules = (await (await fetch(`http://127.0.0.1:${port}/api/v1/rules`)).json()).data.groups.flatMap((g) => g.rules);
      if (rules.length && rules.every((r) => r.health === 'ok')) break;
    }
    assert.equal(rules.length, 11);
    for (const r of rules) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError}`);
    assert.deepEqual(rules.filter((r) => r.state !== 'inactive').map((r) => r.name), []);
  });
});
