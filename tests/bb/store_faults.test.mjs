// Store faults on SQLite: the disk under the store fills up, or the store
// file becomes read-only, while userd serves (docs/robustness.md "Store
// faults"). Writes on each face answer 503 in the face's own format with
// Retry-After, reads go on, /healthz says "degraded", nothing acknowledged
// is lost, and once the fault is gone the same process writes again by
// itself; the file passes PRAGMA integrity_check.
//
// Full disk: the store on a small tmpfs, filled by a file of the test.
// Read-only: the store on a small ext4 image (loop device) whose store files
// are made immutable (chattr +i: root may write a 0444 file; a remount read
// only is refused while userd holds the files open). The tests run as root;
// without mount rights they are skipped, and say so.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  appClient, httpRequest, imClient, liveClient, sleep, smsCapture, startUserd, storeQuery,
} from './lib/harness.mjs';
import { assertOk } from './im_util.mjs';
import { assertLogin, assertVerified, newPhone } from './app_lib.mjs';

const sh = (cmd, ...args) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000 });
const mounts = [];
/** Unmounts what the tests mounted, whatever happened (a process exit included). */
function cleanup() {
  for (const m of mounts.splice(0).reverse()) {
    spawnSync('chattr', ['-R', '-i', m.dir], { stdio: 'ignore' });
    spawnSync('umount', ['-l', m.dir], { stdio: 'ignore' });
    fs.rmSync(m.root, { recursive: true, force: true });
  }
}
process.on('exit', cleanup);

/** Why mounting is impossible here, or null: a tmpfs is tried once. */
const cannotMount = (() => {
  if (process.getuid?.() !== 0) return 'not root: cannot mount a small file system for the store';
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-faults-probe-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', root], { encoding: 'utf8' });
  if (r.status === 0) spawnSync('umount', [root]);
  fs.rmSync(root, { recursive: true, force: true });
  return r.status === 0 ? null : `cannot mount a tmpfs (${(r.stderr || '').trim()}): the store faults need one`;
})();

/** A tmpfs of size at a fresh directory: {root, dir}. */
function tmpfs(size) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-faults-'));
  const dir = path.join(root, 'mnt');
  fs.mkdirSync(dir);
  sh('mount', '-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir);
  const m = { root, dir };
  mounts.push(m);
  return m;
}

/** A small ext4 file system in an image on a loop device: {root, dir}. */
function ext4(sizeMiB) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-faults-'));
  const img = path.join(root, 'store.img');
  const dir = path.join(root, 'mnt');
  fs.mkdirSync(dir);
  fs.writeFileSync(img, '');
  fs.truncateSync(img, sizeMiB << 20);
  sh('mkfs.ext4', '-q', '-F', img);
  sh('mount', '-o', 'loop', img, dir);
  const m = { root, dir };
  mounts.push(m);
  return m;
}

/** Fills the file system of dir with a file until ENOSPC; returns its path. */
function fill(dir) {
  const file = path.join(dir, 'filler');
  const fd = fs.openSync(file, 'w');
  try {
    for (const size of [1 << 16, 4096, 512, 1]) {
      const buf = Buffer.alloc(size, 0x55);
      for (;;) {
        try { if (fs.writeSync(fd, buf) < size) break; } catch (e) { if (e.code !== 'ENOSPC') throw e; break; }
      }
    }
  } finally { fs.closeSync(fd); }
  return file;
}

/**
 * Every /healthz of srv, as [status, body]: `wide` at once on each face, each
 * on a connection of its own, so that every HTTP thread answers some (a
 * thread opens its store connection on its first request: one opened during
 * a fault must recover too).
 */
async function healthz(srv, wide = 1) {
  const out = [];
  for (const port of [srv.im, srv.live, srv.app]) {
    const rs = await Promise.all(Array.from({ length: wide }, () => httpRequest({ port, path: '/healthz', timeoutMs: 5000 })));
    for (const r of rs) out.push([r.status, r.json]);
  }
  return out;
}

/** A live registration on a connection of its own. */
function httpRequestLive(live, id) {
  return live.req('POST', '/server/user/register', { body: { user_id: id }, headers: { Connection: 'close' } });
}

const imUnavailable = (r, what) => {
  assert.equal(r.status, 503, `${what}: ${r.text}`);
  assert.deepEqual(r.json, { code: 20000, message: 'database unavailable', data: null }, what);
  assert.equal(r.headers['retry-after'], '1', what);
};
const liveUnavailable = (r, what) => {
  assert.equal(r.status, 503, `${what}: ${r.text}`);
  assert.deepEqual(Object.keys(r.json), ['request_id', 'code', 'message', 'data'], what);
  assert.deepEqual([r.json.code, r.json.message, r.json.data], [602, 'database error', null], what);
  assert.equal(r.headers['x-reqid'], r.json.request_id, what);
  assert.equal(r.headers['retry-after'], '1', what);
};
const appUnavailable = (r, what) => {
  assert.equal(r.status, 503, `${what}: ${r.text}`);
  assert.match(r.headers['content-type'], /^text\/plain/, what);
  assert.equal(r.text, 'Service unavailable.', what);
  assert.equal(r.headers['retry-after'], '1', what);
};

/**
 * One userd on a store in dir, with users on every face, through a fault
 * that inject() makes and heal() ends. reason: what /healthz reports.
 */
async function throughFault({ dir, inject, heal, reason }) {
  const sms = await smsCapture();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-faults-data-'));
  const dataDir2 = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-faults-data-'));
  let second = null;
  const srv = await startUserd({
    storeUrl: `sqlite:${path.join(dir, 'userd.db')}`,
    dataDir,
    // SMS codes go to a capture server (the app face's sign-up needs a provider).
    env: { USERD_SMS_PROVIDER: 'http', USERD_SMS_URL: sms.url },
  }).catch(async (e) => {
    await sms.close();
    for (const d of [dataDir, dataDir2]) fs.rmSync(d, { recursive: true, force: true });
    throw e;
  });
  const clients = [];
  try {
    const app = JSON.parse(fs.readFileSync(path.join(srv.dataDir, 'default-app.json'), 'utf8'));
    const pid = srv.proc.pid;
    const open = imClient(srv, app);
    const live = liveClient(srv, app);
    const ac = appClient(srv);
    clients.push(open, live, ac);
    const acked = { im: [], live: [], nick: null, imNick: null };
    const imRegister = (username) => open.req('POST', '/user/register/v2', { body: { username, password: 'secret123' }, timeoutMs: 20000 });
    const liveRegister = (id) => live.req('POST', '/server/user/register', { body: { user_id: id } });

    // Before: a user of each face, signed in.
    for (let i = 0; i < 3; i++) {
      assertOk(await imRegister(`before_${i}`));
      acked.im.push(`before_${i}`);
      assert.equal((await liveRegister(`live_before_${i}`)).json?.code, 0);
      acked.live.push(`live_before_${i}`);
    }
    const tok = assertOk(await open.req('POST', '/token/user', { body: { name: 'before_0', password: 'secret123' } }));
    const im = imClient(srv, app, tok.token);
    clients.push(im);
    const phone = newPhone();
    let r = await ac.req('POST', '/user/send_code', { body: { region: 86, phone: Number(phone) } });
    assert.deepEqual(r.json, { code: 200 }, r.text);
    r = await ac.req('POST', '/user/verify_code', { body: { region: 86, phone: Number(phone), code: sms.lastCode(phone) } });
    const vt = assertVerified(r);
    r = await ac.req('POST', '/user/register', { body: { nickname: 'Tom', password: 'P@ssw0rd', verification_token: vt } });
    assert.equal(r.status, 200, r.text);
    const appId = r.json.result.id;
    assertLogin(await ac.req('POST', '/user/login', { body: { region: 86, phone, password: 'P@ssw0rd' } }), appId);
    acked.nick = 'Tom';
    assert.deepEqual((await ac.req('POST', '/user/set_nickname', { body: { nickname: 'Before' } })).json, { code: 200 });
    acked.nick = 'Before';
    assert.equal(assertOk(await im.req('POST', '/user/profile', { body: { nick_name: 'im_before' } })), true);
    acked.imNick = 'im_before';

    // The fault.
    const undo = await inject();
    let healed = false;
    try {
      // Writes: each face's 503 with Retry-After; nothing of them is kept (checked at the end).
      imUnavailable(await imRegister('during_0'), 'IM register');
      imUnavailable(await im.req('POST', '/user/profile', { body: { nick_name: 'im_during' } }), 'IM profile');
      imUnavailable(await open.req('POST', '/token/user', { body: { name: 'before_1', password: 'secret123' } }), 'IM sign-in');
      liveUnavailable(await liveRegister('live_during_0'), 'live register');
      appUnavailable(await ac.req('POST', '/user/set_nickname', { body: { nickname: 'During' } }), 'app set_nickname');
      appUnavailable(await ac.req('POST', '/user/login', { body: { region: 86, phone, password: 'P@ssw0rd' } }), 'app login');

      // Reads go on.
      const p = assertOk(await im.req('GET', '/user/profile'));
      assert.deepEqual([p.username, p.nick_name], ['before_0', 'im_before']);
      r = await live.req('GET', '/server/user/info/live_before_1');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.data.user_id, 'live_before_1');
      r = await ac.req('GET', `/user/${appId}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.result.nickname, 'Before');

      // /healthz: the store answers reads, writes fail.
      for (const [status, body] of await healthz(srv, 8)) {
        assert.equal(status, 200);
        assert.deepEqual(body, { status: 'degraded', reason });
      }
      // Still so a little later (each write retried once more): no crash, no stuck request.
      await sleep(300);
      imUnavailable(await imRegister('during_1'), 'IM register, again');
      liveUnavailable(await liveRegister('live_during_1'), 'live register, again');

      // A second process started now (a restart during the fault) serves reads too; its
      // connections open while the store cannot be written.
      second = await startUserd({ storeUrl: srv.storeUrl, dataDir: dataDir2 });
      const im2 = imClient(second, app, tok.token);
      clients.push(im2);
      assert.equal(assertOk(await im2.req('GET', '/user/profile')).nick_name, 'im_before');
      imUnavailable(await im2.req('POST', '/user/profile', { body: { nick_name: 'im_during' } }), 'IM profile, second process');
      for (const [status, body] of await healthz(second, 2)) {
        assert.equal(status, 200);
        assert.deepEqual(body, { status: 'degraded', reason });
      }

      await heal(undo);
      healed = true;

      // Back by itself: /healthz first (it tries a write), then every face writes.
      const deadline = Date.now() + 10000;
      for (;;) {
        const hs = await healthz(srv);
        if (hs.every(([s, b]) => s === 200 && b?.status === 'ok')) break;
        assert.ok(Date.now() < deadline, `still degraded: ${JSON.stringify(hs)}`);
        await sleep(100);
      }
      assertOk(await imRegister('after_0'));
      acked.im.push('after_0');
      assert.equal(assertOk(await im.req('POST', '/user/profile', { body: { nick_name: 'im_after' } })), true);
      acked.imNick = 'im_after';
      r = await liveRegister('live_after_0');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.code, 0);
      acked.live.push('live_after_0');
      assert.deepEqual((await ac.req('POST', '/user/set_nickname', { body: { nickname: 'After' } })).json, { code: 200 });
      acked.nick = 'After';
      assertLogin(await ac.req('POST', '/user/login', { body: { region: 86, phone, password: 'P@ssw0rd' } }), appId);
      assertOk(await open.req('POST', '/token/user', { body: { name: 'before_1', password: 'secret123' } }));
      // The second process writes again too, by itself.
      for (let deadline = Date.now() + 10000; ;) {
        const hs = await healthz(second, 2);
        if (hs.every(([st, b]) => st === 200 && b?.status === 'ok')) break;
        assert.ok(Date.now() < deadline, `second process still degraded: ${JSON.stringify(hs)}`);
        await sleep(100);
      }
      assert.equal(assertOk(await im2.req('POST', '/user/profile', { body: { nick_name: 'im_after2' } })), true);
      acked.imNick = 'im_after2';
      // Writes on fresh connections, all at once: through every HTTP thread's store connection.
      const ids = Array.from({ length: 8 }, (_, i) => `live_after_${i + 1}`);
      for (const x of await Promise.all(ids.map((id) => httpRequestLive(live, id)))) {
        assert.equal(x.status, 200, x.text);
        assert.equal(x.json.code, 0, x.text);
      }
      acked.live.push(...ids);
    } finally {
      if (!healed) await heal(undo).catch(() => {});
    }
    assert.equal(srv.proc.pid, pid);
    assert.equal(srv.proc.exitCode, null);

    // Nothing acknowledged lost, nothing refused kept; the file is sound.
    const q = (sql) => storeQuery(srv, sql);
    assert.deepEqual(q("SELECT username FROM accounts WHERE username LIKE 'before\\_%' ESCAPE '\\' OR username LIKE 'after\\_%' ESCAPE '\\' "
      + "OR username LIKE 'during\\_%' ESCAPE '\\' ORDER BY id").split('\n'), acked.im);
    assert.deepEqual(q('SELECT live_uid FROM accounts WHERE live_uid IS NOT NULL ORDER BY live_uid').split('\n'), acked.live.sort());
    assert.equal(q("SELECT nick FROM accounts WHERE username = 'before_0'"), acked.imNick);
    assert.equal(q(`SELECT nick FROM accounts WHERE mobile = '${phone}'`), acked.nick);
    assert.equal(await second.stop(), 0);
    assert.equal(await srv.stop(), 0);
    assert.equal(q('PRAGMA integrity_check'), 'ok');
    const logs = srv.logs().join('\n');
    assert.doesNotMatch(second.logs().join('\n'), /AddressSanitizer|runtime error/);
    assert.doesNotMatch(logs, /AddressSanitizer|runtime error/);
    // A connection that SQLite opened read-only during the fault was replaced once the file was writable.
    if (/is read-only: writes fail/.test(logs)) assert.match(logs, /is writable again/);
    return { srv, acked, logs, logs2: second.logs().join('\n') };
  } finally {
    for (const c of clients) c.close();
    await second?.stop();
    await srv.stop();
    await sms.close();
    for (const d of [dataDir, dataDir2]) fs.rmSync(d, { recursive: true, force: true });
  }
}

// SQLite only: the PostgreSQL pass (make test-pg) skips it.
const skip = process.env.USERD_TEST_PG_ADMIN_URL ? 'SQLite only: runs in make blackbox' : cannotMount;

describe('store faults on SQLite', { skip: skip || false }, () => {
  after(cleanup);

  test('full disk: writes 503 on every face, reads go on, writes again once space returns', async () => {
    const m = tmpfs('16m');
    let filler;
    const { logs } = await throughFault({
      dir: m.dir,
      reason: 'store full',
      inject: async () => { filler = fill(m.dir); },
      heal: async () => { fs.rmSync(filler, { force: true }); },
    });
    assert.match(logs, /database or disk is full/);
  });

  test('read-only store files: writes 503 on every face, reads go on, writes again once writable', async () => {
    const m = ext4(32);
    const files = () => fs.readdirSync(m.dir).filter((f) => f.startsWith('userd.db')).map((f) => path.join(m.dir, f))
      .filter((f) => !f.endsWith('-shm')); // the wal-index is shared memory, not data
    const { logs, logs2 } = await throughFault({
      dir: m.dir,
      reason: 'store read-only',
      inject: async () => { const fs_ = files(); sh('chattr', '+i', ...fs_); return fs_; },
      heal: async (fs_) => { sh('chattr', '-i', ...fs_); },
    });
    // Every connection of the second process opened read-only, and was replaced once writable.
    assert.match(logs2, /is read-only: writes fail until it is writable/);
    assert.match(logs2, /is writable again/);
    assert.match(logs, /disk I\/O error \(778\): store read-only/);
  });
});
