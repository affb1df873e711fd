// Sync versions in commit order (issue 17, defect 5). A change is stamped
// with its app's next version inside its own transaction, so a change that
// started before a sync and commits after it gets a version above what that
// sync returned, and the next sync delivers it. Versions stay near the ms
// clock, so versions that clients hold from before (ms timestamps) work.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appClient, sleep, startUserd } from './lib/harness.mjs';
import { accountId, post, signUp, sql, startApp } from './app_lib.mjs';

const ok = (r) => assert.deepEqual(r.json, { code: 200 }, r.text);
const sync = async (c, v) => {
  const r = await c.req('GET', `/user/sync/${v}`);
  assert.equal(r.json?.code, 200, r.text);
  return r.json.result;
};

describe('sync versions are assigned in commit order', () => {
  let ctx;
  before(async () => { ctx = await startApp(); });
  after(async () => { await ctx.stop(); });

  test('a change that started before a sync and commits after it is delivered by the next sync', async (t) => {
    const u = await signUp(ctx, { nickname: 'Slow' });
    const other = await signUp(ctx, { nickname: 'Other' });
    // A second client on the same session: change_password keeps the caller's session.
    const slowClient = appClient(ctx.srv);
    for (const [k, v] of u.c.jar.cookies) slowClient.jar.set(k, v);
    t.after(() => { slowClient.close(); u.c.close(); other.c.close(); });
    let version = (await sync(u.c, 0)).version;
    let password = u.password, interleaved = 0;
    for (let attempt = 0; attempt < 12 && interleaved < 3; attempt++) {
      // The slow change: change_password checks and hashes (Argon2id, twice) between the
      // start of its request and its commit; it moves the account's own sync version.
      const fresh = `Pass${attempt}x9`;
      let committed = false;
      const slow = post(slowClient, '/user/change_password', { oldPassword: password, newPassword: fresh })
        .then((r) => { committed = true; return r; });
      await sleep(5); // it has started: its request time is before the next one's
      ok(await post(u.c, attempt % 2 ? '/user/remove_from_blacklist' : '/user/add_to_blacklist', { friendId: other.id }));
      const s1 = await sync(u.c, version);
      const raced = !committed;
      ok(await slow);
      password = fresh;
      assert.equal(s1.blacklist.length, 1, JSON.stringify(s1));
      assert.ok(s1.version > version);
      const s2 = await sync(u.c, s1.version);
      // The account's change is in s1 (it committed first) or in s2: never lost.
      if (raced) {
        interleaved += 1;
        assert.equal(s1.user, null, 'the change was not committed when s1 was read');
        assert.notEqual(s2.user, null, `a change committed after sync ${s1.version} was not delivered`);
        assert.ok(s2.user.timestamp > s1.version);
        assert.equal(s2.version, s2.user.timestamp);
      } else {
        assert.notEqual(s1.user, null);
      }
      version = s2.version;
    }
    assert.ok(interleaved > 0, 'the slow change never overlapped a sync: the test proved nothing');
  });

  test('every change gets a higher version than the one before, one after another', async (t) => {
    const u = await signUp(ctx, { nickname: 'Fast' });
    const other = await signUp(ctx, { nickname: 'Other' });
    t.after(() => { u.c.close(); other.c.close(); });
    let v = (await sync(u.c, 0)).version;
    const seen = [];
    for (let i = 0; i < 20; i++) {
      ok(await post(u.c, i % 2 ? '/user/remove_from_blacklist' : '/user/add_to_blacklist', { friendId: other.id }));
      const s = await sync(u.c, v);
      assert.equal(s.blacklist.length, 1);
      assert.equal(s.version, s.blacklist[0].timestamp);
      assert.ok(s.version > v, `${s.version} > ${v}`);
      seen.push(s.version);
      v = s.version;
    }
    // versions read as times: near the clock (no change here runs an app ahead of it)
    assert.ok(Math.abs(seen.at(-1) - Date.now()) < 60000, `${seen.at(-1)} is near ${Date.now()}`);
  });

  test('a client holding a timestamp version from before gets everything changed since', async (t) => {
    const u = await signUp(ctx, { nickname: 'Old' });
    t.after(() => u.c.close());
    const before = Date.now() - 1000; // what an older userd handed out: a ms timestamp
    ok(await post(u.c, '/user/set_nickname', { nickname: 'Newer' }));
    const s = await sync(u.c, before);
    assert.equal(s.user.nickname, 'Newer');
    assert.ok(s.version > before);
  });
});

describe('sync versions: the migration starts each app above every stamp its rows carry', () => {
  test('a store from before the counter: new versions come after the newest stored one', async (t) => {
    const first = await startApp();
    t.after(() => first.stop());
    const u = await signUp(first, { nickname: 'Mig' });
    const other = await signUp(first, { nickname: 'Other' });
    t.after(() => { u.c.close(); other.c.close(); });
    const uid = accountId(first.srv, u.phone), oid = accountId(first.srv, other.phone);
    // A row stamped ahead of this clock (another host's clock, a client's version),
    // and the store put back to before the counter existed.
    const future = Date.now() + 3600 * 1000;
    sql(first.srv, `INSERT INTO friendships (account_id, friend_id, display_name, status, created_at, updated_at) VALUES (${uid}, ${oid}, 'Otto', 20, ${future}, ${future})`);
    await first.srv.stop();
    // Version 2: migration 3 (the counter) and what came after it (4, the console's) undone;
    // 5 (SQLite's WITHOUT ROWID tables) runs again too and rebuilds the same tables.
    sql(first.srv, 'DROP TABLE sync_versions; DROP TABLE console_sessions; DROP TABLE operators; DROP TABLE audit_log; '
      + 'DROP TABLE sign_ins_hourly; DROP INDEX accounts_nick; DROP INDEX accounts_created; DROP INDEX accounts_app; '
      + 'DELETE FROM schema_migrations WHERE version >= 3');
    const second = await startUserd({ storeUrl: first.srv.storeUrl, dataDir: first.srv.dataDir, env: first.srv.env });
    const c = appClient(second);
    t.after(async () => { c.close(); await second.stop(); });
    for (const [k, v] of u.c.jar.cookies) c.jar.set(k, v);
    const s0 = await sync(c, 0);
    assert.equal(s0.version, future);
    assert.deepEqual(s0.friends.map((f) => f.timestamp), [future]);
    ok(await post(c, '/user/add_to_blacklist', { friendId: other.id }));
    const s1 = await sync(c, s0.version);
    assert.equal(s1.blacklist.length, 1, 'a change made after the migration is newer than every stored version');
    assert.equal(s1.blacklist[0].timestamp, future + 1);
    assert.equal(s1.friends[0].status, 31);
  });
});
