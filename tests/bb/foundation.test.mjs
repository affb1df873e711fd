// The foundation: server life, settings, apps CLI, HTTP limits, and the first
// IM slice (register/v2, /token/*, GET /user/profile, GET /user/settings).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import {
  startUserd, createApp, userdCli, imClient, rawHttp, httpRequest, storeQuery, sleep, USERD_BIN,
} from './lib/harness.mjs';
import {
  assertSettingsShape, assertError, assertOk, assertHttpError, assertToken, assertMe, defaultSettings, newProfile,
} from './im_util.mjs';

const TOKEN_TTL_MS = 604800e3; // token.ttl's default

describe('foundation', () => {
  let srv, app, im;

  before(async () => {
    srv = await startUserd();
    app = srv.defaultApp;
    im = imClient(srv, app);
  });
  after(async () => { im.close(); await srv.stop(); });

  test('default-app.json has the app create shape, mode 0600, and no secret reaches the log', () => {
    assert.deepEqual(Object.keys(app), ['app_id', 'name', 'access_key', 'secret_key', 'admin_token']);
    assert.equal(app.name, 'default');
    for (const k of ['app_id', 'access_key', 'secret_key', 'admin_token']) {
      assert.equal(typeof app[k], 'string', k);
      assert.match(app[k], /^[\x21-\x7e]+$/, k);
    }
    assert.ok(app.admin_token.length >= 40 && app.secret_key.length >= 20);
    const mode = fs.statSync(`${srv.dataDir}/default-app.json`).mode & 0o777;
    assert.equal(mode, 0o600);
    const logs = srv.logs().join('\n');
    assert.ok(logs.includes('default-app.json'));
    for (const s of [app.secret_key, app.admin_token]) assert.ok(!logs.includes(s));
  });

  test('healthz answers 200 on every listener', async () => {
    for (const port of [srv.im, srv.live, srv.app]) {
      const r = await httpRequest({ port, path: '/healthz' });
      assert.equal(r.status, 200);
      assert.deepEqual(r.json, { status: 'ok' });
    }
  });

  test('register, then token by name, id and login_name, then profile and settings', async () => {
    const reg = assertOk(await im.req('POST', '/user/register/v2', { body: { username: 'alice_1', password: 'secret123' } }));
    const uid = reg.user_id;
    assert.ok(Number.isSafeInteger(uid) && uid > 0);
    assertSettingsShape(reg, uid);
    assert.deepEqual(reg, defaultSettings(uid));

    for (const [path, body] of [
      ['/token/user', { name: 'alice_1', password: 'secret123' }],
      ['/token/id', { user_id: uid, password: 'secret123' }],
      ['/token/login', { login_name: 'alice_1', password: 'secret123', device_guid: 'dev-1' }],
    ]) {
      const before = Date.now();
      const t = assertToken(await im.req('POST', path, { body }), uid);
      // expire: a time in ms, token.ttl from now
      assert.ok(t.expire >= before + TOKEN_TTL_MS - 1000 && t.expire <= Date.now() + TOKEN_TTL_MS, `${path}: ${t.expire}`);
      const c = imClient(srv, app, t.token);
      await assertMe(c, { id: uid, name: 'alice_1' });
      c.close();
    }

    const t = assertToken(await im.req('POST', '/token/user', { body: { name: 'alice_1', password: 'secret123' } }), uid);
    const me = imClient(srv, app, t.token);
    assert.deepEqual(assertOk(await me.req('GET', '/user/profile')), newProfile(uid, 'alice_1'));
    assert.deepEqual(assertOk(await me.req('GET', '/user/settings')), defaultSettings(uid));
    // the device_guid of /token/login made a device (no platform, no User-Agent: 6, web)
    const devs = await me.req('GET', '/user/device/list');
    assert.deepEqual(devs.json, {
      code: 200, version: devs.json.version, message: '', data: [{ device_sn: 1, platform: 6, user_agent: '', user_id: uid }],
    });
    assert.ok(devs.json.version > 0);
    me.close();
  });

  test('duplicate username is 10004', async () => {
    const first = assertOk(await im.req('POST', '/user/register/v2', { body: { username: 'dup_user', password: 'secret123' } }));
    const r = await im.req('POST', '/user/register/v2', { body: { username: 'dup_user', password: 'other123' } });
    assertError(r, 10004);
    // the account is the first one, unchanged
    assertToken(await im.req('POST', '/token/user', { body: { name: 'dup_user', password: 'secret123' } }), first.user_id);
    assertError(await im.req('POST', '/token/user', { body: { name: 'dup_user', password: 'other123' } }), 10005);
  });

  test('wrong password, unknown user', async () => {
    assertOk(await im.req('POST', '/user/register/v2', { body: { username: 'bob_pw', password: 'secret123' } }));
    assertError(await im.req('POST', '/token/user', { body: { name: 'bob_pw', password: 'wrong-pass' } }), 10005);
    assertError(await im.req('POST', '/token/user', { body: { name: 'nobody_here', password: 'secret123' } }), 10000);
    assertError(await im.req('POST', '/token/id', { body: { user_id: 9007199254740990, password: 'secret123' } }), 10000);
    assertError(await im.req('POST', '/token/login', { body: { login_name: 'nobody', password: 'secret123' } }), 10000);
  });

  test('missing token 10003, bad token 10008, unknown or missing app_id 40000', async () => {
    assertError(await im.req('GET', '/user/profile'), 10003);
    const bad = imClient(srv, app, 'not-a-real-token');
    assertError(await bad.req('GET', '/user/profile'), 10008);
    bad.close();
    const noApp = imClient(srv, { app_id: 'no_such_app' });
    assertError(await noApp.req('POST', '/user/register/v2', { body: { username: 'x_user', password: 'secret123' } }), 40000);
    assertError(await noApp.req('GET', '/user/profile'), 40000);
    noApp.close();
    assertError(await im.req('GET', '/user/profile', { headers: { app_id: null, 'access-token': 'x' } }), 40000);
  });

  test("a token of another app is refused on this one", async () => {
    const other = createApp(srv, 'other');
    const oim = imClient(srv, other);
    const carol = assertOk(await oim.req('POST', '/user/register/v2', { body: { username: 'carol', password: 'secret123' } }));
    const t = assertToken(await oim.req('POST', '/token/user', { body: { name: 'carol', password: 'secret123' } }), carol.user_id);
    // carol does not exist in the default app, and her token does not work there
    assertError(await im.req('POST', '/token/user', { body: { name: 'carol', password: 'secret123' } }), 10000);
    const cross = imClient(srv, app, t.token);
    assertError(await cross.req('GET', '/user/profile'), 10008);
    cross.close();
    const own = imClient(srv, other, t.token);
    await assertMe(own, { id: carol.user_id, name: 'carol' });
    own.close();
    oim.close();
  });

  test('admin token may act as a user with the user_id header; a user token may not', async () => {
    const uid = assertOk(await im.req('POST', '/user/register/v2', { body: { username: 'dave', password: 'secret123' } })).user_id;
    const admin = imClient(srv, app, app.admin_token);
    const p = await admin.req('GET', '/user/profile', { headers: { user_id: String(uid) } });
    assert.deepEqual(assertOk(p), newProfile(uid, 'dave'));
    assertError(await admin.req('GET', '/user/profile'), 10002); // an admin must name the user
    assertError(await admin.req('GET', '/user/profile', { headers: { user_id: '999999999' } }), 10000);
    assertError(await admin.req('GET', '/user/profile', { headers: { user_id: 'abc' } }), 10002);
    admin.close();
    const t = assertToken(await im.req('POST', '/token/user', { body: { name: 'dave', password: 'secret123' } }), uid);
    const user = imClient(srv, app, t.token);
    assertError(await user.req('GET', '/user/profile', { headers: { user_id: String(uid) } }), 10010);
    user.close();
  });

  test('CLI app token makes a working admin token; unknown app fails', async () => {
    const r = userdCli(srv, 'app', 'token', app.app_id);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^[\x21-\x7e]{40,}\n$/); // one token, one line
    const token = r.stdout.trim();
    assert.notEqual(token, app.admin_token);
    const erin = assertOk(await im.req('POST', '/user/register/v2', { body: { username: 'erin', password: 'secret123' } }));
    const admin = imClient(srv, app, token);
    const p = await admin.req('GET', '/user/profile', { headers: { user_id: String(erin.user_id) } });
    assert.deepEqual(assertOk(p), newProfile(erin.user_id, 'erin'));
    admin.close();
    const bad = userdCli(srv, 'app', 'token', 'no_such_app');
    assert.equal(bad.status, 1, bad.stderr);
    assert.equal(bad.stdout, '');
    assert.equal(bad.stderr, 'userd: app does not exist\n');
    const list = userdCli(srv, 'app', 'list');
    assert.equal(list.status, 0, list.stderr);
    // one line per app: id, name, access key (never the secret key)
    const rows = list.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    assert.deepEqual(rows.find((x) => x[0] === app.app_id), [app.app_id, 'default', app.access_key]);
    assert.ok(!list.stdout.includes(app.secret_key));
  });

  test('malformed JSON, wrong types, missing and over-long fields are 10002', async () => {
    const cases = [
      { raw: '{"username":', },
      { raw: 'not json' },
      { raw: '' },
      { raw: '{"username":"a","username":"b","password":"secret123"}' },
      { body: { username: 12, password: 'secret123' } },
      { body: { username: 'okname', password: 123456 } },
      { body: { username: 'okname' } },
      { body: { password: 'secret123' } },
      { body: { username: 'x'.repeat(81), password: 'secret123' } },
      { body: { username: 'okname', password: 'p'.repeat(129) } },
      { body: { username: 'okname', password: 'short' } },
      { body: { username: '12345', password: 'secret123' } },
      { body: { username: 'bad-name', password: 'secret123' } },
      { body: { username: 'bad\u0000name', password: 'secret123' } },
      { body: ['username', 'password'] },
    ];
    for (const c of cases) {
      const r = await im.req('POST', '/user/register/v2', c.raw !== undefined ? { raw: c.raw } : { body: c.body });
      assertError(r, 10002);
    }
    assertError(await im.req('POST', '/token/id', { body: { user_id: '12', password: 'secret123' } }), 10002);
    assertError(await im.req('POST', '/token/user', { body: { name: 'alice_1', password: 'secret123', platform: 9 } }), 10002);
  });

  test('a 2 MiB body is refused with 413', async () => {
    const big = JSON.stringify({ username: 'big', password: 'x'.repeat(2 * 1024 * 1024) });
    const r = await im.req('POST', '/user/register/v2', { raw: big });
    assertHttpError(r, 413, /too large/);
    assertError(await im.req('POST', '/token/user', { body: { name: 'big', password: 'secret123' } }), 10000);
  });

  test('unknown path 404, wrong method 405, both in the IM envelope', async () => {
    assertHttpError(await im.req('GET', '/user/no_such_thing'), 404);
    const m = await im.req('DELETE', '/token/user');
    assertHttpError(m, 405, /POST/);
    assert.equal(m.headers.allow, 'POST');
  });

  test('a second process on a listener\'s address refuses to start; the first keeps it', async () => {
    const addr = `127.0.0.1:${srv.im}`;
    const dir = fs.mkdtempSync('/tmp/userd-second-');
    const r = spawnSync(USERD_BIN, ['serve'], {
      encoding: 'utf8', timeout: 20000,
      env: { PATH: process.env.PATH, USERD_STORE_URL: `sqlite:${dir}/userd.db`, USERD_DATA_DIR: dir,
        USERD_IM_LISTEN: addr, USERD_LIVE_LISTEN: 'off', USERD_APP_LISTEN: 'off', USERD_OPS_LISTEN: 'off' },
    });
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(r.status, 1, r.stderr);
    assert.ok(r.stderr.includes(`"im listener: cannot listen on ${addr}"`), r.stderr);
    for (let i = 0; i < 8; i++) { // every connection reaches this server (no port sharing)
      const r = await im.req('GET', '/user/profile', { headers: { 'access-token': 'x' } });
      assertError(r, 10008);
    }
  });

  test('keep-alive: two requests on one connection', async () => {
    const one = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
    const text = await rawHttp(srv.im, one + one, { idleMs: 300 });
    assert.equal(text.match(/HTTP\/1\.1 200/g)?.length, 2, text);
    assert.ok(!/connection: close/i.test(text), text);
  });

  test('oversized headers are refused, and the server keeps serving', async () => {
    const text = await rawHttp(srv.im, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40000)}\r\n\r\n`);
    assert.match(text, /^HTTP\/1\.1 431 /); // libmicrohttpd's own answer
    assert.match(text, /\r\nConnection: close\r\n/i);
    const r = await httpRequest({ port: srv.im, path: '/healthz' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { status: 'ok' });
  });

  test('access log: one JSON line per request, no query values, no secrets', async () => {
    await im.req('GET', '/user/profile', { query: { secret_q: 'querysecret' }, headers: { 'access-token': 'tok-in-header' } });
    await im.req('POST', '/token/user', { body: { name: 'alice_1', password: 'pw-in-body-123' } });
    // one line per request: three requests to three paths of their own
    const mark = `/mark_${process.pid}_${Date.now()}`;
    for (const i of [1, 2, 3]) assertHttpError(await im.req('GET', `${mark}_${i}`), 404);
    await srv.waitLog(new RegExp(`"path":"${mark}_3"`));
    for (const i of [1, 2, 3]) {
      const mine = srv.logs().filter((l) => l.includes(`"${mark}_${i}"`));
      assert.equal(mine.length, 1, mine.join('\n'));
      const o = JSON.parse(mine[0]);
      assert.deepEqual([o.face, o.method, o.path, o.status], ['im', 'GET', `${mark}_${i}`, 404]);
    }
    const lines = srv.logs();
    const json = lines.map((l) => { try { return JSON.parse(l); } catch { return null; } }).filter((o) => o);
    const access = json.filter((o) => o.face === 'im' && o.path === '/user/profile');
    assert.ok(access.length >= 1);
    const a = access.at(-1);
    assert.deepEqual(Object.keys(a).sort(), ['face', 'method', 'path', 'request_id', 'status', 'time', 'us']);
    assert.deepEqual([a.face, a.method, a.path, a.status], ['im', 'GET', '/user/profile', 200]); // 10008 comes with HTTP 200
    assert.ok(Math.abs(Date.parse(a.time) - Date.now()) < 60e3, a.time);
    assert.ok(Number.isSafeInteger(a.us) && a.us >= 0);
    assert.match(a.request_id, /^[0-9a-f]{8,}$/);
    const tok = json.filter((o) => o.path === '/token/user' && o.method === 'POST').at(-1);
    assert.deepEqual([tok.face, tok.status], ['im', 200]); // a wrong password is 10005 with HTTP 200
    const all = lines.join('\n');
    for (const s of ['querysecret', 'tok-in-header', 'pw-in-body-123']) assert.ok(!all.includes(s), s);
  });
});

describe('server life and settings', () => {
  test('SIGTERM stops the server with exit code 0', async () => {
    const srv = await startUserd();
    assert.equal(await srv.stop(), 0);
    assert.ok(srv.logs().some((l) => l.includes('userd stopped')));
  });

  test('a listener can be off', async () => {
    const srv = await startUserd({ env: { USERD_LIVE_LISTEN: 'off' } });
    assert.equal(srv.live, null);
    for (const port of [srv.im, srv.app]) assert.deepEqual((await httpRequest({ port, path: '/healthz' })).json, { status: 'ok' });
    assert.equal(await srv.stop(), 0);
  });

  test('a bad setting is refused at start with a message naming it', () => {
    for (const [env, name] of [
      [{ USERD_HTTP_THREADS: '0' }, 'setting http.threads: must be 1 to 256 (from USERD_HTTP_THREADS)'],
      [{ USERD_TOKEN_TTL: 'soon' }, 'setting token.ttl: not an integer (from USERD_TOKEN_TTL)'],
      [{ USERD_LOG_ACCESS: 'maybe' }, 'setting log.access: must be true or false (from USERD_LOG_ACCESS)'],
    ]) {
      const r = spawnSync(USERD_BIN, ['serve'], { env: { ...env, PATH: process.env.PATH }, encoding: 'utf8', timeout: 10000 });
      assert.equal(r.status, 2);
      assert.equal(r.stderr, `userd: ${name}\n`);
      assert.equal(r.stdout, '');
    }
    const flag = spawnSync(USERD_BIN, ['serve', '--http.max_body=1'], { encoding: 'utf8', timeout: 10000 });
    assert.equal(flag.status, 2);
    assert.equal(flag.stderr, 'userd: setting http.max_body: must be 1024 to 67108864\n');
    const unknown = spawnSync(USERD_BIN, ['serve', '--nope.key=1'], { encoding: 'utf8', timeout: 10000 });
    assert.equal(unknown.status, 2);
    assert.equal(unknown.stderr, 'userd: unknown setting nope.key\n');
  });

  test('--help lists every setting with its environment name', () => {
    const r = spawnSync(USERD_BIN, ['--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    for (const s of ['--store.url', 'USERD_STORE_URL', 'USERD_IM_LISTEN', 'USERD_SMS_DEV_CODE', 'USERD_APP_APP_ID'])
      assert.ok(r.stdout.includes(s), s);
  });

  test('docs/configuration.md lists every setting of config.def', () => {
    const def = fs.readFileSync(new URL('../../src/base/config.def', import.meta.url), 'utf8');
    const doc = fs.readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    const names = [...def.matchAll(/^S\((\w+), (\w+),/gm)].map((m) => `${m[1]}.${m[2]}`);
    assert.ok(names.length > 20);
    for (const n of names) assert.ok(doc.includes(`\`${n}\``), `${n} missing: run scripts/gen_config_doc.py`);
  });

  test('config file < environment < flag', async () => {
    const dir = fs.mkdtempSync('/tmp/userd-cfg-');
    fs.writeFileSync(`${dir}/u.ini`, '[http]\nmax_body = 2048\n[token]\nttl = 120\n');
    // file sets max_body 2048; env raises it to 4096; a flag sets token ttl to 300
    const srv = await startUserd({
      env: { USERD_HTTP_MAX_BODY: '4096' },
      args: ['--config', `${dir}/u.ini`, '--token.ttl=300'],
    });
    const im = imClient(srv, srv.defaultApp);
    // 3 KB fits under the environment's 4096 (unknown fields are ignored)
    const r3k = await im.req('POST', '/user/register/v2', { raw: JSON.stringify({ username: 'cfg_user', password: 'x'.repeat(100), pad: 'p'.repeat(3000) }) });
    assert.deepEqual(assertOk(r3k), defaultSettings(r3k.json.data.user_id));
    const r5k = await im.req('POST', '/user/register/v2', { raw: JSON.stringify({ username: 'cfg_user2', password: 'secret123', pad: 'p'.repeat(5000) }) });
    assertHttpError(r5k, 413);
    assertError(await im.req('POST', '/token/user', { body: { name: 'cfg_user2', password: 'secret123' } }), 10000);
    // token.ttl from the flag (300 s), not the file (120 s)
    const before = Date.now();
    const t = assertToken(await im.req('POST', '/token/user', { body: { name: 'cfg_user', password: 'x'.repeat(100) } }), r3k.json.data.user_id);
    assert.ok(t.expire >= before + 300e3 - 1000 && t.expire <= Date.now() + 300e3, `expire in ${t.expire - before} ms`);
    im.close();
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a bad config file line is refused, naming the file and line', () => {
    const dir = fs.mkdtempSync('/tmp/userd-cfg-');
    fs.writeFileSync(`${dir}/bad.ini`, '[http]\nthreads = many\n');
    const r = spawnSync(USERD_BIN, ['serve', '--config', `${dir}/bad.ini`], { encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `userd: config file ${dir}/bad.ini:2: setting http.threads: not an integer\n`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a full hashing queue answers busy at once; reads are not held up', async () => {
    // The setting under test: one hashing thread and room for one waiting
    // hash; slower hashes (t=3, 64 MiB) so that a burst outlasts many reads.
    const srv = await startUserd({
      env: { USERD_PASSWORD_THREADS: '1', USERD_PASSWORD_QUEUE: '1', USERD_PASSWORD_OPSLIMIT: '3', USERD_PASSWORD_MEMLIMIT_KIB: '65536' },
    });
    const app = srv.defaultApp;
    const timed = async (fn) => { const t0 = performance.now(); const r = await fn(); r.ms = performance.now() - t0; return r; };
    const register = (username) => timed(() => httpRequest({
      port: srv.im, method: 'POST', path: '/user/register/v2', timeoutMs: 60000,
      headers: { app_id: app.app_id, 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: 'secret123' }),
    }));
    // One hash alone: what a request that waits for a hash takes at least.
    const first = await register('busy_first');
    const uid = assertOk(first).user_id;
    const hashMs = first.ms;
    // A read through the store (an admin acting as the user: no hash).
    const admin = imClient(srv, app, app.admin_token);
    const read = async () => {
      const r = await timed(() => admin.req('GET', '/user/profile', { headers: { user_id: String(uid) } }));
      assert.deepEqual(assertOk(r), newProfile(uid, 'busy_first'));
      return r.ms;
    };
    const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)];
    const idle = [];
    for (let i = 0; i < 20; i++) idle.push(await read());

    // A burst of 8 registrations, while reads go on one after the other.
    let burst = true;
    const regs = Promise.all(Array.from({ length: 8 }, (_, i) => register(`busy_${i}`))).finally(() => { burst = false; });
    const during = [];
    while (burst) { during.push(await read()); await sleep(5); }
    const all = await regs;

    const busy = all.filter((r) => r.status === 503);
    const ok = all.filter((r) => r.status === 200);
    assert.equal(busy.length + ok.length, 8, all.map((r) => r.text).join(' '));
    assert.ok(busy.length >= 1, 'some were refused');
    assert.ok(ok.length >= 1, 'some got through');
    for (const r of busy) {
      assert.deepEqual(r.json, { code: 503, message: 'server busy, retry later', data: null });
      assert.ok(r.ms < hashMs, `a busy answer took ${r.ms.toFixed(0)} ms, one hash ${hashMs.toFixed(0)} ms`);
    }
    // what was accepted is there; what was refused is not
    const im = imClient(srv, app);
    for (const [i, r] of all.entries()) {
      const name = `busy_${i}`;
      if (r.status === 200) {
        assert.deepEqual(assertOk(r), defaultSettings(r.json.data.user_id));
        assertToken(await im.req('POST', '/token/user', { body: { name, password: 'secret123' } }), r.json.data.user_id);
      } else {
        assertError(await im.req('POST', '/token/user', { body: { name, password: 'secret123' } }), 10000);
      }
    }
    // Reads during the burst did not wait for hashes (nine in ten took less
    // than half a hash: a read queued behind the hashes would take one or
    // more), and typically took as long as with nothing else going on. The
    // bounds are relative to this run: ASan and a busy 2-core machine make
    // absolute ones meaningless, and a rare read stalls on any busy machine.
    assert.ok(during.length >= 10, `only ${during.length} reads during the burst`);
    assert.ok(pct(during, 0.9) < hashMs / 2,
      `9 in 10 reads took up to ${pct(during, 0.9).toFixed(0)} ms during the burst, one hash ${hashMs.toFixed(0)} ms`);
    assert.ok(pct(during, 0.5) <= 2 * pct(idle, 0.5) + 20,
      `typical read ${pct(during, 0.5).toFixed(1)} ms during the burst, ${pct(idle, 0.5).toFixed(1)} ms before`);
    im.close();
    admin.close();
    await srv.stop();
  });

  test('a hash made with other parameters is replaced at the next login', async () => {
    // The first server hashes at the default cost (t=2, 19 MiB); the second is
    // set to t=3 (the setting is what this test is about).
    const a = await startUserd();
    const hashOf = () => storeQuery(a, "SELECT pw_hash FROM accounts WHERE username='rehash_me'");
    let im = imClient(a, a.defaultApp);
    assertOk(await im.req('POST', '/user/register/v2', { body: { username: 'rehash_me', password: 'secret123' } }));
    im.close();
    await a.stop();
    const first = hashOf();
    assert.match(first, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const b = await startUserd({ storeUrl: a.storeUrl, dataDir: a.dataDir, env: { USERD_PASSWORD_OPSLIMIT: '3' } });
    im = imClient(b, a.defaultApp);
    const t = assertOk(await im.req('POST', '/token/user', { body: { name: 'rehash_me', password: 'secret123' } }));
    assert.deepEqual(Object.keys(t).sort(), ['expire', 'token', 'user_id']);
    im.close();
    await b.stop();
    assert.match(hashOf(), /^\$argon2id\$v=19\$m=19456,t=3,p=1\$/);
    // a wrong password does not rehash
    const c = await startUserd({ storeUrl: a.storeUrl, dataDir: a.dataDir });
    im = imClient(c, a.defaultApp);
    assertError(await im.req('POST', '/token/user', { body: { name: 'rehash_me', password: 'wrong-pass' } }), 10005);
    im.close();
    await c.stop();
    assert.match(hashOf(), /^\$argon2id\$v=19\$m=19456,t=3,p=1\$/);
  });

  test('tokens and devices per account are bounded: the oldest give way', async () => {
    const srv = await startUserd({ env: { USERD_TOKEN_MAX_PER_ACCOUNT: '3', USERD_TOKEN_MAX_DEVICES: '2' } });
    const im = imClient(srv, srv.defaultApp);
    const me = { id: assertOk(await im.req('POST', '/user/register/v2', { body: { username: 'many_logins', password: 'secret123' } })).user_id, name: 'many_logins' };
    const login = async (guid) => assertToken(await im.req('POST', '/token/user', {
      body: { name: 'many_logins', password: 'secret123', ...(guid ? { device_guid: guid } : {}) },
    }), me.id).token;
    // 'ok' (the token answers as the user) or 'dead' (10008), nothing else
    const state = async (token) => {
      const c = imClient(srv, srv.defaultApp, token);
      const r = await c.req('GET', '/user/profile');
      c.close();
      if (r.json?.code === 10008) { assertError(r, 10008); return 'dead'; }
      assert.deepEqual(assertOk(r), newProfile(me.id, me.name));
      return 'ok';
    };
    const plain = [];
    for (let i = 0; i < 4; i++) { plain.push(await login()); await sleep(5); }
    assert.deepEqual(await Promise.all(plain.map(state)), ['dead', 'ok', 'ok', 'ok']);

    const d1 = await login('dev-one');
    await sleep(5);
    const d2 = await login('dev-two');
    await sleep(5);
    const d3 = await login('dev-three');
    // three tokens at most: each login ended the oldest; the third device
    // made the least recent one (dev-one) forgotten, with its token
    assert.deepEqual(await Promise.all([...plain, d1, d2, d3].map(state)), ['dead', 'dead', 'dead', 'ok', 'dead', 'ok', 'ok']);
    const c = imClient(srv, srv.defaultApp, d3);
    const list = await c.req('GET', '/user/device/list');
    assert.deepEqual(list.json, {
      code: 200, version: list.json.version, message: '', data: [
        { device_sn: 2, platform: 6, user_agent: '', user_id: me.id },
        { device_sn: 3, platform: 6, user_agent: '', user_id: me.id },
      ],
    });
    c.close();
    im.close();
    await srv.stop();
  });

  test('a second start on the same store keeps the default app', async () => {
    const a = await startUserd();
    const first = a.defaultApp;
    await a.stop();
    fs.rmSync(`${a.dataDir}/default-app.json`);
    const b = await startUserd({ storeUrl: a.storeUrl, dataDir: a.dataDir });
    assert.equal(b.defaultApp, null); // not made again
    const im = imClient(b, first);
    const r = await im.req('POST', '/user/register/v2', { body: { username: 'again', password: 'secret123' } });
    assert.deepEqual(assertOk(r), defaultSettings(r.json.data.user_id));
    im.close();
    // still one app named default, the first one
    const list = userdCli(b, 'app', 'list');
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual(list.stdout.trimEnd().split('\n').map((l) => l.split('\t')).filter((x) => x[1] === 'default'),
      [[first.app_id, 'default', first.access_key]]);
    await b.stop();
  });
});
