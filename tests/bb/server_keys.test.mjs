// Server keys (meta table): a malformed key must stop `serve` at start, with a
// clear error and a non-zero exit, instead of serving with a weaker key (issue
// 17, defect 2: a malformed im_password_key made every derived IM password a
// public function of app and user id). Runs on SQLite and, under
// scripts/pg_test.sh, on PostgreSQL.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startUserd, liveClient, imClient } from './lib/harness.mjs';
import { sql } from './app_lib.mjs';

/** Runs `userd serve` on srv's store and settings; resolves when it exits (or 20 s pass). */
function serveOnce(srv) {
  const r = spawnSync(srv.bin, ['serve'], { env: srv.env, encoding: 'utf8', timeout: 20000 });
  const log = `${r.stdout}${r.stderr}`;
  // Log lines are JSON ({"time","level","msg"}); the last line is main's own message.
  const msgs = log.split('\n').map((l) => { try { return JSON.parse(l).msg; } catch { return l; } });
  return { status: r.status, signal: r.signal, log, msgs };
}

describe('server keys', () => {
  const cases = [
    // [meta key, corrupted value, what is wrong with it]
    ['im_password_key', 'zz' + '0'.repeat(62), 'not hex'],
    ['key:appid', '00112233445566778899aabbccddeeff', 'too short'],
    ['key:sms', '0'.repeat(64) + 'ff', 'too long'],
  ];
  for (const [key, value, what] of cases) {
    test(`a malformed ${key} (${what}) stops serve at start, exit 1, a clear error`, async () => {
      const srv = await startUserd();
      // A live user first: its derived IM password is what a bad key would weaken.
      const live = liveClient(srv, srv.defaultApp);
      const reg = await live.req('POST', '/server/user/register', { body: { user_id: 'k1' } });
      assert.equal(reg.json?.code, 0, reg.text);
      live.close();
      assert.equal(await srv.stop(), 0);
      assert.match(sql(srv, `SELECT value FROM meta WHERE key = '${key}'`), /^[0-9a-f]{64}$/);
      sql(srv, `UPDATE meta SET value = '${value}' WHERE key = '${key}'`);

      const r = serveOnce(srv);
      assert.equal(r.signal, null, `serve did not exit by itself (it served with a malformed key):\n${r.log}`);
      assert.equal(r.status, 1, r.log);
      const why = r.msgs.find((m) => m.includes(`server key "${key}" (meta table) is malformed`));
      assert.ok(why, r.log);
      assert.match(why, /refusing to serve; restore it from a backup/);
      assert.doesNotMatch(r.log, /userd ready/);
      assert.ok(!r.log.includes(value), 'the stored value must not be logged');
    });
  }

  test('well-formed keys survive a restart: derived IM passwords stay the same', async () => {
    const srv = await startUserd();
    const live = liveClient(srv, srv.defaultApp);
    assert.equal((await live.req('POST', '/server/user/register', { body: { user_id: 'k2' } })).json?.code, 0);
    const before = (await live.req('GET', '/server/user/profile/k2')).json.data;
    live.close();
    assert.equal(await srv.stop(), 0);
    const again = await startUserd({ storeUrl: srv.storeUrl, dataDir: srv.dataDir });
    const live2 = liveClient(again, again.defaultApp ?? srv.defaultApp);
    const after = (await live2.req('GET', '/server/user/profile/k2')).json.data;
    assert.equal(after.im_password, before.im_password);
    assert.match(after.im_password, /^[0-9a-f]{16}$/);
    const im = imClient(again, srv.defaultApp);
    const t = await im.req('POST', '/token/user', { body: { name: after.im_username, password: after.im_password } });
    assert.equal(t.json?.code, 200, t.text);
    live2.close();
    im.close();
    assert.equal(await again.stop(), 0);
  });
});
