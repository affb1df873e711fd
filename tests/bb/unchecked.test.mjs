// Results that were not checked (issue 17, defect 8), each seen from outside:
// - libmicrohttpd failing to make a response (NULL): the connection is closed,
//   nothing crashes or leaks (fault injected with LD_PRELOAD);
// - default-app.json written atomically: a symlink in its place is replaced,
//   never followed (the credentials went to the link's target);
// - `app create` with a name that is not UTF-8: a clean error, not puts(NULL);
// - an answer that jansson cannot build (a stored value that is not UTF-8) is
//   the face's internal error, not a success with data:null. SQLite only:
//   PostgreSQL refuses such text in the first place.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startUserd, userdCli, imClient, liveClient, appClient, rawHttp, httpRequest, USERD_BIN,
} from './lib/harness.mjs';
import { sql, signUp, startApp } from './app_lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const onSqlite = !process.env.USERD_TEST_PG_ADMIN_URL && !process.env.USERD_TEST_STORE_URL;

/** Builds the LD_PRELOAD shim; null when there is no C compiler. */
function buildShim() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-fault-'));
  const out = path.join(dir, 'mhd_response_null.so');
  const r = spawnSync('cc', ['-shared', '-fPIC', '-O1', '-o', out, path.join(here, 'fault/mhd_response_null.c'), '-ldl'],
    { encoding: 'utf8' });
  return r.status === 0 ? { so: out, dir } : null;
}

describe('unchecked results', () => {
  test('libmicrohttpd cannot make a response: the connection closes, the server goes on, nothing leaks', async (t) => {
    const shim = buildShim();
    if (!shim) { t.skip('no C compiler to build the fault-injection library'); return; }
    const srv = await startUserd({
      env: {
        LD_PRELOAD: shim.so,
        // The sanitizer runtime need not come first when a test preloads a library.
        ASAN_OPTIONS: [process.env.ASAN_OPTIONS, 'verify_asan_link_order=0'].filter(Boolean).join(':'),
      },
    });
    try {
      // The live face echoes X-Reqid in its answer: this one cannot be made.
      const raw = await rawHttp(srv.live, 'GET /server/user/info/x HTTP/1.1\r\nHost: 127.0.0.1\r\n'
        + 'X-Reqid: fail-this-response\r\n\r\n', { idleMs: 500, timeoutMs: 5000 });
      assert.equal(raw, '', 'no answer, the connection closed');
      const ok = await httpRequest({ port: srv.live, path: '/server/user/info/x', headers: { 'X-Reqid': 'fine' } });
      assert.equal(ok.status, 401);
      assert.equal(ok.json.request_id, 'fine');
      await srv.waitLog(/cannot make a response/);
    } finally {
      const code = await srv.stop();
      fs.rmSync(shim.dir, { recursive: true, force: true });
      const logs = srv.logs().join('\n');
      assert.doesNotMatch(logs, /AddressSanitizer|LeakSanitizer|runtime error/);
      assert.equal(code, 0, logs);
    }
  });

  test('default-app.json replaces a symlink in its place instead of writing through it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-link-'));
    const target = path.join(dataDir, 'elsewhere.txt');
    fs.writeFileSync(target, 'untouched\n');
    fs.symlinkSync(target, path.join(dataDir, 'default-app.json'));
    const srv = await startUserd({ dataDir });
    try {
      const st = fs.lstatSync(path.join(dataDir, 'default-app.json'));
      assert.ok(st.isFile(), 'a regular file, not the link');
      assert.equal(st.mode & 0o777, 0o600);
      assert.equal(fs.readFileSync(target, 'utf8'), 'untouched\n');
      assert.deepEqual(Object.keys(srv.defaultApp), ['app_id', 'name', 'access_key', 'secret_key', 'admin_token']);
      assert.deepEqual(fs.readdirSync(dataDir).filter((f) => f.includes('.tmp')), []);
    } finally {
      await srv.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('app create NAME --json with a name that is not UTF-8 or holds a control character: refused, nothing made', async () => {
    const srv = await startUserd();
    try {
      const env = { ...process.env, USERD_STORE_URL: srv.env.USERD_STORE_URL, USERD_DATA_DIR: srv.env.USERD_DATA_DIR };
      for (const bytes of ['\\377\\376', 'tab\\there']) {
        const r = spawnSync('sh', ['-c', `"$0" app create "$(printf '${bytes}')" --json`, srv.bin || USERD_BIN],
          { env, encoding: 'utf8', timeout: 15000 });
        assert.equal(r.signal, null, r.stderr);
        assert.equal(r.status, 1, r.stderr);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, /^userd: invalid argument$/m);
      }
      const list = userdCli(srv, 'app', 'list');
      assert.equal(list.status, 0);
      assert.equal(list.stdout.trim().split('\n').length, 1, list.stdout); // the default app only
    } finally { await srv.stop(); }
  });

  test('an answer that cannot be built is each face\'s internal error, not a success without data', { skip: !onSqlite && 'SQLite only: PostgreSQL refuses text that is not UTF-8' }, async () => {
    const ctx = await startApp();
    try {
      const { srv } = ctx;
      const app = srv.defaultApp;
      const u = await signUp(ctx, { nickname: 'Broken' });
      const live = liveClient(srv, app);
      assert.equal((await live.req('POST', '/server/user/register', { body: { user_id: 'broken' } })).json?.code, 0);
      // A nickname that is not UTF-8, as a store edited by hand (or restored badly) can hold.
      sql(srv, "UPDATE accounts SET nick = CAST(X'ff' AS TEXT) WHERE nick = 'Broken' OR live_uid = 'broken'");

      const im = imClient(srv, app, u.imToken);
      const r1 = await im.req('GET', '/user/profile');
      assert.equal(r1.status, 500);
      assert.deepEqual(r1.json, { code: 20000, message: 'internal error', data: null });
      im.close();

      const r2 = await u.c.req('GET', `/user/${u.id}`);
      assert.equal(r2.status, 500, r2.text);
      assert.equal(r2.text, 'Internal server error.');
      u.c.close();

      const r3 = await live.req('GET', '/server/user/profile/broken');
      assert.equal(r3.status, 500);
      assert.equal(r3.json.code, 500);
      assert.equal(r3.json.data, null);
      const r4 = await live.req('GET', '/server/user/infos?user_ids=broken');
      assert.equal(r4.status, 500, 'a list with a user that cannot be shown is not a shorter list');
      live.close();
      assert.match(srv.logs().join('\n'), /the answer could not be built/);
    } finally { await ctx.stop(); }
  });
});
