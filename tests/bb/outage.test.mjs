// Outage: PostgreSQL goes away under light load and comes back. While it is
// away, requests fail fast with each face's 503-class error and /healthz says
// 503; when it is back, the same userd process serves again by itself, and
// every write it acknowledged before or during the outage is there.
//
// The test runs its own throwaway cluster (scripts/pg.sh) so that it can crash
// and restart it without disturbing the other test files; it runs in the
// PostgreSQL pass (make test-pg), which is when $USERD_TEST_PG_ADMIN_URL is set.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  REPO, USERD_BIN, appClient, httpRequest, imClient, liveClient, sleep, startUserd,
} from './lib/harness.mjs';

const PG = !!process.env.USERD_TEST_PG_ADMIN_URL;
const PG_SH = path.join(REPO, 'scripts/pg.sh');
const FAST_MS = 1000; // "fail fast": an answer during the outage takes less than this

let dir = null;
const pg = (cmd) => execFileSync(PG_SH, [cmd, dir], { encoding: 'utf8', timeout: 90000 }).trim();
process.on('exit', () => { if (dir) spawnSync(PG_SH, ['stop', dir], { stdio: 'ignore' }); });

/** Every healthz of srv, as [status, body]. */
async function healthz(srv) {
  const out = [];
  for (const port of [srv.im, srv.live, srv.app]) {
    const r = await httpRequest({ port, path: '/healthz', timeoutMs: 5000 });
    out.push([r.status, r.json]);
  }
  return out;
}

async function timed(fn) {
  const t0 = Date.now();
  const r = await fn();
  r.ms = Date.now() - t0;
  return r;
}

describe('outage: PostgreSQL stops under load and comes back', { skip: !PG && 'needs PostgreSQL: runs in make test-pg' }, () => {
  let srv, app, storeUrl;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-outage-'));
    const admin = pg('start');
    execFileSync('psql', [admin, '-v', 'ON_ERROR_STOP=1', '-qAtc', 'CREATE DATABASE outage'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const u = new URL(admin);
    u.pathname = '/outage';
    storeUrl = u.toString();
    srv = await startUserd({ storeUrl, env: { USERD_STORE_CONNECT_TIMEOUT: '2', USERD_LOG_ACCESS: 'false' } });
    app = JSON.parse(fs.readFileSync(path.join(srv.dataDir, 'default-app.json'), 'utf8'));
  });

  after(async () => {
    await srv?.stop();
    if (dir) { spawnSync(PG_SH, ['stop', dir], { stdio: 'ignore' }); dir = null; }
  });

  test('fail fast with each face\'s error, /healthz 503, reconnect by itself, lose nothing acknowledged', async () => {
    const pid = srv.proc.pid;
    const open = imClient(srv, app);
    const acked = new Set();
    const register = async (username) => {
      const r = await timed(() => httpRequest({
        port: srv.im, method: 'POST', path: '/user/register/v2', timeoutMs: 15000,
        headers: { app_id: app.app_id, 'Content-Type': 'application/json' },
        body: JSON.stringify({ username, password: 'secret123' }),
      }));
      if (r.status === 200 && r.json?.code === 200) acked.add(username);
      return r;
    };
    for (let i = 0; i < 10; i++) assert.equal((await register(`before_${i}`)).json?.code, 200);
    const tok = await open.req('POST', '/token/user', { body: { name: 'before_0', password: 'secret123' } });
    assert.equal(tok.json?.code, 200, tok.text);
    const user = imClient(srv, app, tok.json.data.token);
    const live = liveClient(srv, app);
    assert.equal((await live.req('POST', '/server/user/register', { body: { user_id: 'live_before' } })).json?.code, 0);

    // Light load all along: two clients registering users, one reading a profile.
    let running = true, n = 0;
    const seen = [];
    const loop = async (fn) => {
      while (running) {
        let r;
        try { r = await fn(); } catch (e) { r = { status: 'error', text: e.message, ms: 0 }; }
        seen.push(r);
        await sleep(15);
      }
    };
    const loops = [
      loop(() => register(`load_a_${n++}`)),
      loop(() => register(`load_b_${n++}`)),
      loop(() => timed(() => user.req('GET', '/user/profile'))),
    ];
    await sleep(400);

    pg('down'); // abrupt, as a crash: no checkpoint, connections cut
    const downAt = Date.now();
    await sleep(300);

    // Each face answers at once with its own 503-class error.
    let r = await timed(() => user.req('GET', '/user/profile'));
    assert.equal(r.status, 503, r.text);
    assert.deepEqual(r.json, { code: 20000, message: 'database unavailable', data: null });
    assert.equal(r.headers['retry-after'], '1');
    assert.ok(r.ms < FAST_MS, `IM answered in ${r.ms} ms`);
    r = await timed(() => register('during_x'));
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json?.code, 20000);
    r = await timed(() => live.req('GET', '/server/user/info/live_before'));
    assert.equal(r.status, 503, r.text);
    assert.deepEqual(Object.keys(r.json).sort(), ['code', 'data', 'message', 'request_id']);
    assert.equal(r.json.code, 602);
    assert.equal(r.json.message, 'database error');
    assert.equal(r.json.data, null);
    assert.equal(typeof r.json.request_id, 'string');
    assert.ok(r.ms < FAST_MS, `live answered in ${r.ms} ms`);
    const ac = appClient(srv);
    r = await timed(() => ac.req('POST', '/user/login', { body: { region: 86, phone: '13900000000', password: 'P@ssw0rd' } }));
    assert.equal(r.status, 503, r.text);
    assert.match(r.headers['content-type'], /^text\/plain/);
    assert.equal(r.text, 'Service unavailable.');
    assert.ok(r.ms < FAST_MS, `app answered in ${r.ms} ms`);
    for (const [status, body] of await healthz(srv)) {
      assert.equal(status, 503);
      assert.deepEqual(body, { status: 'unavailable' });
    }
    // A new process cannot start without its store, and says so.
    const cold = spawnSync(USERD_BIN, ['serve'], {
      encoding: 'utf8', timeout: 20000,
      env: { ...process.env, USERD_STORE_URL: storeUrl, USERD_DATA_DIR: srv.dataDir, USERD_IM_LISTEN: 'off', USERD_LIVE_LISTEN: 'off', USERD_APP_LISTEN: 'off' },
    });
    assert.equal(cold.status, 1, cold.stderr);
    assert.match(cold.stderr, /cannot open the store \(store unavailable\)/);

    await sleep(Math.max(0, 1500 - (Date.now() - downAt)));
    pg('up');

    // Back by itself: no restart of userd.
    const deadline = Date.now() + 15000;
    for (;;) {
      const hs = await healthz(srv);
      if (hs.every(([s]) => s === 200)) break;
      assert.ok(Date.now() < deadline, `still unhealthy: ${JSON.stringify(hs)}`);
      await sleep(100);
    }
    await sleep(600);
    running = false;
    await Promise.all(loops);
    assert.equal(srv.proc.pid, pid);
    assert.equal(srv.proc.exitCode, null);

    // Every answer under load was a success or the IM face's 503, and the 503s came fast.
    assert.ok(seen.length > 20, `only ${seen.length} requests under load`);
    for (const x of seen) {
      if (x.status === 200) { assert.equal(x.json?.code, 200, x.text); continue; }
      assert.equal(x.status, 503, x.text);
      assert.deepEqual(x.json, { code: 20000, message: 'database unavailable', data: null });
      assert.ok(x.ms < FAST_MS, `a 503 took ${x.ms} ms`);
    }
    assert.ok(seen.some((x) => x.status === 503), 'the load saw the outage');

    // Now everything works again, on every face, with the old token.
    assert.equal((await user.req('GET', '/user/profile')).json?.code, 200);
    assert.equal((await register('after_0')).json?.code, 200);
    assert.equal((await live.req('GET', '/server/user/info/live_before')).json?.code, 0);
    assert.equal((await live.req('POST', '/server/user/register', { body: { user_id: 'live_after' } })).json?.code, 0);
    r = await ac.req('POST', '/user/login', { body: { region: 86, phone: '13900000000', password: 'P@ssw0rd' } });
    assert.deepEqual(r.json, { code: 1000 }); // unknown phone: the store answered

    // Nothing acknowledged is lost.
    const adm = imClient(srv, app, app.admin_token);
    const names = new Set();
    for (let page = 1; ; page++) {
      const d = (await adm.req('GET', '/user/list', { query: { page_num: page, page_size: 200 } })).json.data;
      for (const x of d) names.add(x.username);
      if (d.length < 200) break;
    }
    const lost = [...acked].filter((u) => !names.has(u));
    assert.deepEqual(lost, []);
    assert.ok(acked.size > 12, `acknowledged ${acked.size}`);

    const logs = srv.logs().join('\n');
    assert.match(logs, /lost the PostgreSQL connection/);
    assert.match(logs, /reconnected to PostgreSQL/);
    for (const c of [open, user, live, ac, adm]) c.close();
  });
});
