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
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  REPO, USERD_BIN, appClient, httpRequest, imClient, liveClient, sleep, startUserd,
} from './lib/harness.mjs';
import { assertOk, assertSettingsShape } from './im_util.mjs';

const PG = !!process.env.USERD_TEST_PG_ADMIN_URL;
const PG_SH = path.join(REPO, 'scripts/pg.sh');
const DOWN_MS = 1500; // the outage lasts at least this long

let dir = null;
const pg = (cmd) => execFileSync(PG_SH, [cmd, dir], { encoding: 'utf8', timeout: 90000 }).trim();
/**
 * Runs a program without blocking the event loop (the load and its timings
 * go on meanwhile). @returns {Promise<{status:number|null, stdout:string, stderr:string}>}
 */
const run = (file, args, o = {}) => new Promise((resolve) => {
  execFile(file, args, { encoding: 'utf8', timeout: 90000, ...o }, (err, stdout, stderr) => {
    resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
  });
});
const pgAsync = async (cmd) => {
  const r = await run(PG_SH, [cmd, dir]);
  assert.equal(r.status, 0, `pg.sh ${cmd}: ${r.stderr}`);
};
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

/** fn's answer with its start and end times (ms) and how long it took. */
async function timed(fn) {
  const t0 = Date.now();
  const r = await fn();
  r.start = t0;
  r.end = Date.now();
  r.ms = r.end - t0;
  return r;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

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
    for (let i = 0; i < 10; i++) {
      const d = assertOk(await register(`before_${i}`));
      assertSettingsShape(d, d.user_id);
    }
    const tok = await open.req('POST', '/token/user', { body: { name: 'before_0', password: 'secret123' } });
    assert.deepEqual(Object.keys(assertOk(tok)).sort(), ['expire', 'token', 'user_id']);
    const user = imClient(srv, app, tok.json.data.token);
    const live = liveClient(srv, app);
    const lr = await live.req('POST', '/server/user/register', { body: { user_id: 'live_before' } });
    assert.equal(lr.status, 200, lr.text);
    assert.deepEqual(lr.json, { request_id: lr.json.request_id, code: 0, message: 'success', data: null });

    // Light load all along: two clients registering users, one reading a profile.
    let running = true, n = 0;
    const seen = [];
    const loop = async (kind, fn) => {
      while (running) {
        let r;
        const t0 = Date.now();
        try { r = await fn(); } catch (e) { r = { status: 'error', text: e.message, start: t0, end: Date.now() }; }
        r.kind = kind;
        seen.push(r);
        await sleep(15);
      }
    };
    const loops = [
      loop('register', () => register(`load_a_${n++}`)),
      loop('register', () => register(`load_b_${n++}`)),
      loop('read', () => timed(() => user.req('GET', '/user/profile'))),
    ];
    // A failed assertion must stop the load too, or the test never ends.
    const stopLoad = async () => { running = false; await Promise.all(loops); };
    let downAt, upAt, reads, fastRead;
    const ac = appClient(srv);
    try {
      // Healthy answers under load first: the baseline of "fast" below.
      const warm = Date.now() + 60000;
      const done = (kind) => seen.filter((x) => x.kind === kind && x.status === 200).length;
      while (done('read') < 5 || done('register') < 2) {
        assert.ok(Date.now() < warm, `no healthy baseline: ${done('read')} reads, ${done('register')} registrations`);
        await sleep(50);
      }

      await pgAsync('down'); // abrupt, as a crash: no checkpoint, connections cut
      downAt = Date.now();
      // "At once" is measured against this process's own healthy answers before
      // the outage, under the same load: no fixed time limit (ASan, busy CI).
      const healthy = (kind) => seen.filter((x) => x.kind === kind && x.status === 200 && x.end < downAt).map((x) => x.ms);
      reads = healthy('read');
      const regs = healthy('register');
      assert.ok(reads.length >= 5 && regs.length >= 2, `healthy answers before the outage: ${reads.length} reads, ${regs.length} registrations`);
      // A read that hits the outage answers no slower than the slowest healthy
      // read (or four times the typical one), plus 100 ms: a wait for the next
      // connection try (250 ms) or for the database would show. A password
      // route may first wait for one hash on the pool, as a healthy one does.
      fastRead = Math.max(4 * median(reads), ...reads) + 100;
      const fastSlowRoute = fastRead + Math.max(...regs);
      await sleep(300);

      // Each face answers at once with its own 503-class error.
      let r = await timed(() => user.req('GET', '/user/profile'));
      assert.equal(r.status, 503, r.text);
      assert.deepEqual(r.json, { code: 20000, message: 'database unavailable', data: null });
      assert.equal(r.headers['retry-after'], '1');
      assert.ok(r.ms <= fastRead, `IM answered in ${r.ms} ms, healthy reads ${median(reads)} ms typical, bound ${fastRead} ms`);
      r = await timed(() => register('during_x'));
      assert.equal(r.status, 503, r.text);
      assert.deepEqual(r.json, { code: 20000, message: 'database unavailable', data: null });
      assert.ok(r.ms <= fastSlowRoute, `IM registration answered in ${r.ms} ms, bound ${fastSlowRoute} ms`);
      r = await timed(() => live.req('GET', '/server/user/info/live_before'));
      assert.equal(r.status, 503, r.text);
      assert.deepEqual(Object.keys(r.json), ['request_id', 'code', 'message', 'data']);
      assert.equal(r.json.code, 602);
      assert.equal(r.json.message, 'database error');
      assert.equal(r.json.data, null);
      assert.equal(typeof r.json.request_id, 'string');
      assert.equal(r.headers['x-reqid'], r.json.request_id);
      assert.ok(r.ms <= fastRead, `live answered in ${r.ms} ms, bound ${fastRead} ms`);
      r = await timed(() => ac.req('POST', '/user/login', { body: { region: 86, phone: '13900000000', password: 'P@ssw0rd' } }));
      assert.equal(r.status, 503, r.text);
      assert.match(r.headers['content-type'], /^text\/plain/);
      assert.equal(r.text, 'Service unavailable.');
      assert.ok(r.ms <= fastSlowRoute, `app answered in ${r.ms} ms, bound ${fastSlowRoute} ms`);
      for (const [status, body] of await healthz(srv)) {
        assert.equal(status, 503);
        assert.deepEqual(body, { status: 'unavailable' });
      }
      // A new process cannot start without its store, and says so.
      const cold = await run(USERD_BIN, ['serve'], {
        timeout: 20000,
        env: { ...process.env, USERD_STORE_URL: storeUrl, USERD_DATA_DIR: srv.dataDir, USERD_IM_LISTEN: 'off', USERD_LIVE_LISTEN: 'off', USERD_APP_LISTEN: 'off', USERD_OPS_LISTEN: 'off' },
      });
      assert.equal(cold.status, 1, cold.stderr);
      assert.match(cold.stderr, /cannot open the store \(store unavailable\)/);

      await sleep(Math.max(0, DOWN_MS - (Date.now() - downAt)));
      upAt = Date.now();
      await pgAsync('up');

      // Back by itself: no restart of userd.
      const deadline = Date.now() + 15000;
      for (;;) {
        const hs = await healthz(srv);
        if (hs.every(([s]) => s === 200)) break;
        assert.ok(Date.now() < deadline, `still unhealthy: ${JSON.stringify(hs)}`);
        await sleep(100);
      }
      await sleep(600);
    } finally { await stopLoad(); }
    assert.equal(srv.proc.pid, pid);
    assert.equal(srv.proc.exitCode, null);

    // Every answer under load was a success or the IM face's 503.
    assert.ok(seen.length > 20, `only ${seen.length} requests under load`);
    for (const x of seen) {
      if (x.status === 200) { assert.deepEqual(Object.keys(x.json), ['code', 'message', 'data']); assert.equal(x.json.code, 200, x.text); continue; }
      assert.equal(x.status, 503, x.text);
      assert.deepEqual(x.json, { code: 20000, message: 'database unavailable', data: null });
    }
    // Requests never queue behind the database: every read sent while it was
    // down answered 503 before it came back, and typically as fast as a healthy read.
    const outageReads = seen.filter((x) => x.kind === 'read' && x.start >= downAt && x.start < upAt);
    assert.ok(outageReads.length >= 5, `only ${outageReads.length} reads during the outage`);
    for (const x of outageReads) {
      assert.equal(x.status, 503, `a read sent ${x.start - downAt} ms into the outage: ${x.text}`);
      assert.ok(x.end <= upAt, `a read sent during the outage answered ${x.end - upAt} ms after the database came back`);
      assert.ok(x.ms <= fastRead, `a read during the outage took ${x.ms} ms, bound ${fastRead} ms`);
    }
    assert.ok(median(outageReads.map((x) => x.ms)) <= 2 * median(reads) + 20,
      `typical read: ${median(outageReads.map((x) => x.ms))} ms during the outage, ${median(reads)} ms before`);
    assert.ok(seen.some((x) => x.kind === 'register' && x.status === 503), 'the registrations saw the outage');

    // Now everything works again, on every face, with the old token.
    assert.deepEqual(assertOk(await user.req('GET', '/user/profile')), {
      user_id: tok.json.data.user_id, username: 'before_0', avatar: '', description: '', mobile: '', email: '',
      nick_name: '', public_info: '', private_info: '',
    });
    const after0 = assertOk(await register('after_0'));
    assertSettingsShape(after0, after0.user_id);
    let r = await live.req('GET', '/server/user/info/live_before');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json), ['request_id', 'code', 'message', 'data']);
    assert.deepEqual([r.json.code, r.json.message], [0, 'success']);
    assert.deepEqual(r.json.data, { user_id: 'live_before', nick: '', avatar: '', im_userid: r.json.data.im_userid, extends: {} });
    assert.ok(Number.isSafeInteger(r.json.data.im_userid) && r.json.data.im_userid > 0);
    r = await live.req('POST', '/server/user/register', { body: { user_id: 'live_after' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { request_id: r.json.request_id, code: 0, message: 'success', data: null });
    r = await ac.req('POST', '/user/login', { body: { region: 86, phone: '13900000000', password: 'P@ssw0rd' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { code: 1000 }); // unknown phone: the store answered

    // Nothing acknowledged is lost.
    const adm = imClient(srv, app, app.admin_token);
    const names = new Set();
    for (let page = 1; ; page++) {
      const d = assertOk(await adm.req('GET', '/user/list', { query: { page_num: page, page_size: 200 } }));
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
