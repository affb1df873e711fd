// IM face, accounts: register/batch, register/push, delete, username,
// change_password(_admin), disable/enable, list, acting as another user, methods.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startUserd, createApp, imClient, liveClient, storeQuery } from './lib/harness.mjs';
import {
  assertError, assertTrue, assertOk, assertSettingsShape, assertHttpError, assertToken, assertMe, assertTokenDead,
  defaultSettings, newProfile, uname, newUser, login, adminAs,
} from './im_util.mjs';

describe('IM accounts', () => {
  let srv, app, open, admin, other;

  before(async () => {
    srv = await startUserd();
    app = srv.defaultApp;
    open = imClient(srv, app);
    admin = imClient(srv, app, app.admin_token);
    other = createApp(srv, 'other_im');
  });
  after(async () => { open.close(); admin.close(); await srv.stop(); });

  const tokenUser = (name, password) => open.req('POST', '/token/user', { body: { name, password } });

  describe('register/batch', () => {
    test('creates every item and reports {user_id, username, success, reason}', async () => {
      const names = [uname('b'), uname('b'), uname('b')];
      const r = await admin.req('POST', '/user/register/batch', { body: { list: names.map((n) => ({ username: n, password: 'secret123' })) } });
      const d = assertOk(r);
      assert.equal(d.length, 3);
      for (const [i, item] of d.entries()) {
        assert.deepEqual(Object.keys(item).sort(), ['reason', 'success', 'user_id', 'username']);
        assert.equal(item.username, names[i]);
        assert.equal(item.success, true);
        assert.equal(item.reason, '');
        assert.ok(Number.isSafeInteger(item.user_id) && item.user_id > 0);
        assertToken(await tokenUser(names[i], 'secret123'), item.user_id);
      }
      assert.equal(new Set(d.map((x) => x.user_id)).size, 3);
    });

    test('one bad item does not sink the others; each item is all or nothing', async () => {
      const taken = uname('taken');
      assertOk(await open.req('POST', '/user/register/v2', { body: { username: taken, password: 'secret123' } }));
      const good1 = uname('g'), good2 = uname('g'), twice = uname('twice');
      const list = [
        { username: good1, password: 'secret123' },
        { username: taken, password: 'secret123' },      // exists
        { username: '12345', password: 'secret123' },    // all digits
        { username: 'bad-name', password: 'secret123' }, // bad character
        { username: uname('nopw') },                     // no password
        { username: uname('short'), password: 'abc' },   // password too short
        { username: 42, password: 'secret123' },         // wrong type
        7,                                               // not an object
        { username: twice, password: 'secret123' },
        { username: twice, password: 'secret456' },      // duplicate inside the batch
        { username: good2, password: 'secret123' },
      ];
      const d = assertOk(await admin.req('POST', '/user/register/batch', { body: { list } }));
      assert.equal(d.length, list.length);
      const ok = d.map((x) => x.success);
      assert.deepEqual(ok, [true, false, false, false, false, false, false, false, true, false, true]);
      for (const x of d) {
        assert.equal(typeof x.user_id, 'number');
        assert.equal(typeof x.username, 'string');
        assert.equal(typeof x.reason, 'string');
        if (x.success) assert.ok(x.user_id > 0); else { assert.equal(x.user_id, 0); assert.ok(x.reason.length > 0); }
      }
      assert.match(d[1].reason, /exists/);
      assert.equal(d[1].username, taken);
      assert.equal(d[6].username, '');
      assert.equal(d[7].username, '');
      assert.deepEqual([d[0].username, d[8].username, d[9].username, d[10].username], [good1, twice, twice, good2]);
      assert.match(d[9].reason, /exists/);
      assertToken(await tokenUser(good1, 'secret123'), d[0].user_id);
      assertToken(await tokenUser(good2, 'secret123'), d[10].user_id);
      assertToken(await tokenUser(twice, 'secret123'), d[8].user_id);
      assertError(await tokenUser(twice, 'secret456'), 10005);
      assertError(await tokenUser(list[4].username, 'secret123'), 10000);
      assertError(await tokenUser(list[5].username, 'abc'), 10000);
    });

    test('list size and body errors are 10002, and nothing is created', async () => {
      const first = uname('over');
      const big = [first, ...Array.from({ length: 100 }, () => uname('over'))].map((n) => ({ username: n, password: 'secret123' }));
      assertError(await admin.req('POST', '/user/register/batch', { body: { list: big } }), 10002, /1 to 100/);
      assertError(await tokenUser(first, 'secret123'), 10000);
      for (const body of [{ list: [] }, {}, { list: 'x' }, { list: { username: 'a' } }, []])
        assertError(await admin.req('POST', '/user/register/batch', { body }), 10002);
      assertError(await admin.req('POST', '/user/register/batch', { raw: '{"list":[' }), 10002);
      assertError(await admin.req('POST', '/user/register/batch', { raw: '' }), 10002);
    });

    test('needs the app\'s admin token: none is 10003, a user\'s is 10010, and nothing is created', async () => {
      const name = uname('noadmin');
      const list = [{ username: name, password: 'secret123' }];
      assertError(await open.req('POST', '/user/register/batch', { body: { list } }), 10003);
      const u = uname('plain');
      assertOk(await open.req('POST', '/user/register/v2', { body: { username: u, password: 'secret123' } }));
      const user = imClient(srv, srv.defaultApp, assertOk(await tokenUser(u, 'secret123')).token);
      assertError(await user.req('POST', '/user/register/batch', { body: { list } }), 10010);
      user.close();
      assertError(await tokenUser(name, 'secret123'), 10000);
    });

    test('100 items is the limit and works; an unknown app is 40000', async () => {
      const list = Array.from({ length: 100 }, () => ({ username: uname('hund'), password: 'secret123' }));
      // 100 Argon2id hashes at the production cost, one after the other on one
      // hashing thread: seconds of CPU by design, more than the harness's
      // default 15 s on a 2-core machine that is busy with other work.
      const d = assertOk(await admin.req('POST', '/user/register/batch', { body: { list }, timeoutMs: 120000 }));
      assert.deepEqual(d, list.map((x, i) => ({ user_id: d[i].user_id, username: x.username, success: true, reason: '' })));
      assert.equal(new Set(d.map((x) => x.user_id)).size, 100);
      for (const i of [0, 99]) assertToken(await tokenUser(list[i].username, 'secret123'), d[i].user_id);
      const noApp = imClient(srv, { app_id: 'no_such_app' });
      assertError(await noApp.req('POST', '/user/register/batch', { body: { list: list.slice(0, 1) } }), 40000);
      noApp.close();
    });
  });

  describe('register/push', () => {
    test('creates the user with its alias, push token and device', async () => {
      const name = uname('push');
      const r = await open.req('POST', '/user/register/push', {
        body: { username: name, password: 'secret123', device_guid: 'guid-push-1', alias: 'my alias', push_token: 'apns:abc123', sign: 'whatever' },
        headers: { 'User-Agent': 'MyApp/1.0 (iPhone; iOS 16)' },
      });
      const d = assertOk(r);
      assert.deepEqual(d, { ...defaultSettings(d.user_id), push_token: 'apns:abc123' });
      const token = assertToken(await tokenUser(name, 'secret123'), d.user_id).token;
      const me = imClient(srv, app, token);
      const devs = await me.req('GET', '/user/device/list');
      assert.deepEqual(devs.json, { code: 200, version: devs.json.version, message: '', data: [
        { device_sn: 1, platform: 1, user_agent: 'MyApp/1.0 (iPhone; iOS 16)', user_id: d.user_id },
      ] });
      assert.deepEqual(assertOk(await me.req('GET', '/user/settings')), d);
      // the alias and the device's guid have no reader in the API: the store has them
      assert.equal(storeQuery(srv, `SELECT alias FROM user_settings WHERE account_id = ${d.user_id}`), 'my alias');
      assert.equal(storeQuery(srv, `SELECT device_sn, guid, platform FROM devices WHERE account_id = ${d.user_id}`), '1|guid-push-1|1');
      // signing in from that guid is the same device
      const again = assertToken(await open.req('POST', '/token/user', { body: { name, password: 'secret123', device_guid: 'guid-push-1' } }), d.user_id);
      assert.equal(storeQuery(srv, `SELECT COUNT(*) FROM devices WHERE account_id = ${d.user_id}`), '1');
      assert.equal(storeQuery(srv, `SELECT device_sn FROM tokens WHERE account_id = ${d.user_id} AND device_sn IS NOT NULL`), '1');
      assert.ok(again.token);
      me.close();
    });

    test('only username and password are needed', async () => {
      const name = uname('push');
      const d = assertOk(await open.req('POST', '/user/register/push', { body: { username: name, password: 'secret123' } }));
      assert.deepEqual(d, defaultSettings(d.user_id));
      const c = imClient(srv, app, assertToken(await tokenUser(name, 'secret123'), d.user_id).token);
      const devs = await c.req('GET', '/user/device/list');
      assert.deepEqual(devs.json, { code: 200, version: 0, message: '', data: [] }); // no device_guid, no device
      c.close();
      assert.equal(storeQuery(srv, `SELECT alias FROM user_settings WHERE account_id = ${d.user_id}`), '');
    });

    test('bad fields are 10002, a taken name 10004, and a failure leaves nothing behind', async () => {
      const name = uname('pushbad');
      const bad = [
        { username: name },
        { password: 'secret123' },
        { username: name, password: 'secret123', push_token: 'has space' },
        { username: name, password: 'secret123', push_token: 5 },
        { username: name, password: 'secret123', alias: 'a'.repeat(129) },
        { username: name, password: 'secret123', device_guid: 'g'.repeat(129) },
        { username: name, password: 'secret123', device_guid: '' },
        { username: name, password: 'secret123', sign: 's'.repeat(513) },
        { username: '999', password: 'secret123' },
      ];
      for (const body of bad) assertError(await open.req('POST', '/user/register/push', { body }), 10002);
      assertError(await tokenUser(name, 'secret123'), 10000);
      const d = assertOk(await open.req('POST', '/user/register/push', { body: { username: name, password: 'secret123' } }));
      assert.deepEqual(d, defaultSettings(d.user_id));
      assertError(await open.req('POST', '/user/register/push', { body: { username: name, password: 'other456' } }), 10004);
      assertToken(await tokenUser(name, 'secret123'), d.user_id);
    });
  });

  describe('delete', () => {
    test('with a user token and the password: tokens and devices die, the username is free again', async () => {
      const u = await newUser(srv, app, { guid: 'del-dev-1' });
      const t2 = await login(srv, app, u.name, u.password, { guid: 'del-dev-2' });
      assertTrue(await u.c.req('POST', '/user/delete', { body: { password: u.password } }));
      assertError(await u.c.req('GET', '/user/profile'), 10008);
      const c2 = imClient(srv, app, t2);
      assertError(await c2.req('GET', '/user/profile'), 10008);
      c2.close();
      assertError(await tokenUser(u.name, u.password), 10000);
      assertError(await adminAs(srv, app).req('GET', '/user/profile', { headers: { user_id: String(u.id) } }), 10000);
      // nothing of the account is left in the store
      for (const table of ['accounts WHERE id', 'user_settings WHERE account_id', 'devices WHERE account_id', 'tokens WHERE account_id'])
        assert.equal(storeQuery(srv, `SELECT COUNT(*) FROM ${table} = ${u.id}`), '0', table);
      const again = assertOk(await open.req('POST', '/user/register/v2', { body: { username: u.name, password: 'another1' } }));
      assert.notEqual(again.user_id, u.id);
      assert.deepEqual(again, defaultSettings(again.user_id));
      const t = assertToken(await tokenUser(u.name, 'another1'), again.user_id).token;
      const fresh = imClient(srv, app, t);
      const devs = await fresh.req('GET', '/user/device/list');
      assert.deepEqual(devs.json, { code: 200, version: 0, message: '', data: [] });
      fresh.close();
      u.c.close();
    });

    test('DELETE works the same way', async () => {
      const u = await newUser(srv, app);
      assertTrue(await u.c.req('DELETE', '/user/delete', { body: { password: u.password } }));
      await assertTokenDead(u.c);
      assertError(await tokenUser(u.name, u.password), 10000);
      assert.equal(storeQuery(srv, `SELECT COUNT(*) FROM accounts WHERE id = ${u.id}`), '0');
      u.c.close();
    });

    test('a user token needs the right password', async () => {
      const u = await newUser(srv, app);
      assertError(await u.c.req('POST', '/user/delete'), 10002);
      assertError(await u.c.req('POST', '/user/delete', { body: {} }), 10002);
      assertError(await u.c.req('POST', '/user/delete', { body: { password: 123 } }), 10002);
      assertError(await u.c.req('POST', '/user/delete', { raw: '{"password":' }), 10002);
      assertError(await u.c.req('POST', '/user/delete', { body: { password: 'wrong-one' } }), 10005);
      await assertMe(u.c, u);
      u.c.close();
    });

    test('an admin token names the user and needs no password', async () => {
      const u = await newUser(srv, app, { guid: 'adm-del' });
      assertTrue(await adminAs(srv, app, u.id).req('POST', '/user/delete'));
      assertError(await u.c.req('GET', '/user/profile'), 10008);
      assertError(await tokenUser(u.name, u.password), 10000);
      assertError(await admin.req('POST', '/user/delete'), 10002); // no user named
      assertError(await adminAs(srv, app, u.id).req('DELETE', '/user/delete'), 10000); // gone
      u.c.close();
    });

    test("an admin cannot name another app's user", async () => {
      const oim = imClient(srv, other);
      const name = uname('o');
      const d = assertOk(await oim.req('POST', '/user/register/v2', { body: { username: name, password: 'secret123' } }));
      assertError(await adminAs(srv, app, d.user_id).req('POST', '/user/delete'), 10000);
      const oadmin = imClient(srv, other, other.admin_token);
      assert.deepEqual(assertOk(await oadmin.req('GET', '/user/profile', { headers: { user_id: String(d.user_id) } })), newProfile(d.user_id, name));
      oadmin.close();
      oim.close();
    });
  });

  describe('username', () => {
    test('POST and PUT ?username= rename; the old name is free, the new one logs in', async () => {
      const u = await newUser(srv, app);
      const n1 = uname('ren'), n2 = uname('ren');
      assertTrue(await u.c.req('POST', '/user/username', { query: { username: n1 } }));
      assert.equal(assertOk(await u.c.req('GET', '/user/profile')).username, n1);
      assertError(await tokenUser(u.name, u.password), 10000);
      assert.equal(assertOk(await tokenUser(n1, u.password)).user_id, u.id);
      assertTrue(await u.c.req('PUT', '/user/username', { query: { username: n2 } }));
      assert.equal(assertOk(await u.c.req('GET', '/user/profile')).username, n2);
      assertTrue(await u.c.req('PUT', '/user/username', { query: { username: n2 } })); // unchanged is fine
      assert.deepEqual(await assertMe(u.c, { id: u.id, name: n2 }), newProfile(u.id, n2));
      const taken = assertOk(await open.req('POST', '/user/register/v2', { body: { username: u.name, password: 'secret123' } }));
      assert.notEqual(taken.user_id, u.id);
      u.c.close();
    });

    test('taken 10004; bad or missing 10002', async () => {
      const u = await newUser(srv, app), v = await newUser(srv, app);
      assertError(await u.c.req('POST', '/user/username', { query: { username: v.name } }), 10004);
      for (const username of ['12345', 'bad-name', 'sp ace', 'x'.repeat(81), '', 'é_user'])
        assertError(await u.c.req('POST', '/user/username', { query: { username } }), 10002);
      assertError(await u.c.req('POST', '/user/username'), 10002);
      // the query's value and the JSON body's (issue 16: both places are read) must agree
      assertError(await u.c.req('POST', '/user/username', { query: { username: 'in_query' }, body: { username: 'in_body' } }), 10002);
      assertError(await u.c.req('POST', '/user/username', { body: { username: 12345 } }), 10002);
      assert.equal(assertOk(await u.c.req('GET', '/user/profile')).username, u.name);
      const inBody = uname('body');
      assertTrue(await u.c.req('POST', '/user/username', { body: { username: inBody } }));
      assert.equal(assertOk(await u.c.req('GET', '/user/profile')).username, inBody);
      u.c.close(); v.c.close();
    });

    test('an admin renames the user it names', async () => {
      const u = await newUser(srv, app);
      const n = uname('admren');
      assertTrue(await adminAs(srv, app, u.id).req('PUT', '/user/username', { query: { username: n } }));
      assert.equal(assertOk(await u.c.req('GET', '/user/profile')).username, n);
      assertError(await admin.req('PUT', '/user/username', { query: { username: uname('x') } }), 10002);
      u.c.close();
    });
  });

  describe('change_password', () => {
    test('keeps the calling token, kills the others, refuses the old password', async () => {
      const u = await newUser(srv, app, { guid: 'cp-1' });
      const t2 = await login(srv, app, u.name, u.password, { guid: 'cp-2' });
      const t3 = await login(srv, app, u.name, u.password);
      assertTrue(await u.c.req('POST', '/user/change_password', { body: { old_password: u.password, new_password: 'brand-new-1' } }));
      await assertMe(u.c, u);
      for (const t of [t2, t3]) {
        const c = imClient(srv, app, t);
        assertError(await c.req('GET', '/user/profile'), 10008);
        c.close();
      }
      assertError(await tokenUser(u.name, u.password), 10005);
      assert.equal(assertOk(await tokenUser(u.name, 'brand-new-1')).user_id, u.id);
      assert.equal(assertOk(await open.req('POST', '/token/id', { body: { user_id: u.id, password: 'brand-new-1' } })).user_id, u.id);
      u.c.close();
    });

    test('wrong old password 10005 and nothing changes; bad fields 10002', async () => {
      const u = await newUser(srv, app);
      const t2 = await login(srv, app, u.name, u.password);
      assertError(await u.c.req('POST', '/user/change_password', { body: { old_password: 'not-it-1', new_password: 'brand-new-1' } }), 10005);
      for (const body of [
        { old_password: u.password },
        { new_password: 'brand-new-1' },
        { old_password: u.password, new_password: 'short' },
        { old_password: u.password, new_password: 'x'.repeat(129) },
        { old_password: u.password, new_password: 12345678 },
        { old_password: u.password, new_password: 'tab\there1' },
      ]) assertError(await u.c.req('POST', '/user/change_password', { body }), 10002);
      assertError(await u.c.req('POST', '/user/change_password', { raw: 'nope' }), 10002);
      assertToken(await tokenUser(u.name, u.password), u.id);
      const c2 = imClient(srv, app, t2);
      await assertMe(c2, u);
      c2.close(); u.c.close();
    });

    test('an admin acting as the user needs the old password too, and every token dies', async () => {
      const u = await newUser(srv, app);
      const as = adminAs(srv, app, u.id);
      assertError(await as.req('POST', '/user/change_password', { body: { new_password: 'brand-new-2' } }), 10002);
      assertTrue(await as.req('POST', '/user/change_password', { body: { old_password: u.password, new_password: 'brand-new-2' } }));
      await assertTokenDead(u.c);
      assertError(await tokenUser(u.name, u.password), 10005);
      assertToken(await tokenUser(u.name, 'brand-new-2'), u.id);
      u.c.close();
    });

    test('an account made on the live face (derived IM password) gets a real one', async () => {
      const live = liveClient(srv, app);
      const reg = await live.req('POST', '/server/user/register', { body: { user_id: 'live_cp_1' } });
      assert.equal(reg.status, 200, reg.text);
      assert.deepEqual(reg.json, { request_id: reg.json.request_id, code: 0, message: 'success', data: null });
      const pr = await live.req('GET', '/server/user/profile/live_cp_1');
      assert.equal(pr.status, 200, pr.text);
      const p = pr.json.data;
      assert.deepEqual(Object.keys(p), ['user_id', 'nick', 'avatar', 'im_userid', 'im_username', 'im_password', 'extends']);
      assert.equal(p.im_username, 'qllive_cp_1');
      assert.match(p.im_password, /^[0-9a-f]{16}$/);
      live.close();
      const t = assertToken(await tokenUser(p.im_username, p.im_password), p.im_userid).token;
      const c = imClient(srv, app, t);
      assertError(await c.req('POST', '/user/change_password', { body: { old_password: 'not-derived', new_password: 'real-pass-1' } }), 10005);
      assertTrue(await c.req('POST', '/user/change_password', { body: { old_password: p.im_password, new_password: 'real-pass-1' } }));
      assertError(await tokenUser(p.im_username, p.im_password), 10005);
      assertToken(await tokenUser(p.im_username, 'real-pass-1'), p.im_userid);
      await assertMe(c, { id: p.im_userid, name: p.im_username }); // the calling token stays
      c.close();
    });

    test('change_password_admin sets a password without the old one; admin only', async () => {
      const u = await newUser(srv, app);
      assertError(await u.c.req('POST', '/user/change_password_admin', { body: { password: 'by-admin-1' } }), 10010);
      assertError(await admin.req('POST', '/user/change_password_admin', { body: { password: 'by-admin-1' } }), 10002);
      const as = adminAs(srv, app, u.id);
      assertError(await as.req('POST', '/user/change_password_admin', { body: { password: 'short' } }), 10002);
      assertError(await tokenUser(u.name, 'short'), 10005);
      assertTrue(await as.req('POST', '/user/change_password_admin', { body: { password: 'by-admin-1' } }));
      await assertTokenDead(u.c);
      assertError(await tokenUser(u.name, u.password), 10005);
      assertToken(await tokenUser(u.name, 'by-admin-1'), u.id);
      u.c.close();
    });
  });

  describe('disable and enable', () => {
    test('disable kills tokens at once and refuses logins; enable lets new logins in', async () => {
      const a = await newUser(srv, app, { guid: 'dis-a' }), b = await newUser(srv, app);
      assertTrue(await admin.req('PUT', '/user/disable', { body: { list: [a.id, b.id] } }));
      assertError(await a.c.req('GET', '/user/profile'), 10008);
      assertError(await b.c.req('GET', '/user/settings'), 10008);
      assertError(await tokenUser(a.name, a.password), 10009);
      assertError(await open.req('POST', '/token/id', { body: { user_id: b.id, password: b.password } }), 10009);
      const page = assertOk(await admin.req('GET', '/user/list', { query: { page_size: 200 } }));
      assert.equal(page.find((x) => x.user_id === a.id).status, 1);
      assert.equal(page.find((x) => x.user_id === b.id).status, 1);
      assertTrue(await admin.req('PUT', '/user/disable', { body: { list: [a.id] } })); // again: fine

      assertTrue(await admin.req('PUT', '/user/enable', { body: { list: [a.id] } }));
      assertError(await a.c.req('GET', '/user/profile'), 10008); // old tokens stay dead
      const t = await login(srv, app, a.name, a.password);
      const c = imClient(srv, app, t);
      assert.equal(assertOk(await c.req('GET', '/user/profile')).user_id, a.id);
      c.close();
      assertError(await tokenUser(b.name, b.password), 10009);
      const after2 = assertOk(await admin.req('GET', '/user/list', { query: { page_size: 200 } }));
      assert.equal(after2.find((x) => x.user_id === a.id).status, 0);
      assert.equal(after2.find((x) => x.user_id === b.id).status, 1);
      a.c.close(); b.c.close();
    });

    test('all or nothing: an unknown id is 10000 and nobody is disabled', async () => {
      const u = await newUser(srv, app);
      const oim = imClient(srv, other);
      const o = assertOk(await oim.req('POST', '/user/register/v2', { body: { username: uname('o'), password: 'secret123' } }));
      oim.close();
      assertError(await admin.req('PUT', '/user/disable', { body: { list: [u.id, 999999999] } }), 10000, /999999999/);
      assertError(await admin.req('PUT', '/user/disable', { body: { list: [u.id, o.user_id] } }), 10000);
      await assertMe(u.c, u);
      const page = assertOk(await admin.req('GET', '/user/list', { query: { page_size: 200 } }));
      assert.deepEqual(page.find((x) => x.user_id === u.id), { user_id: u.id, username: u.name, status: 0 });
      const oadmin = imClient(srv, other, other.admin_token);
      assert.deepEqual(assertOk(await oadmin.req('GET', '/user/list', { query: { page_size: 200 } })).find((x) => x.user_id === o.user_id).status, 0);
      oadmin.close();
      u.c.close();
    });

    test('admin only, PUT only, and the list is checked', async () => {
      const u = await newUser(srv, app);
      assertError(await u.c.req('PUT', '/user/disable', { body: { list: [u.id] } }), 10010);
      assertError(await u.c.req('PUT', '/user/enable', { body: { list: [u.id] } }), 10010);
      for (const path of ['/user/disable', '/user/enable']) {
        const r = await admin.req('POST', path, { body: { list: [u.id] } });
        assertHttpError(r, 405, /PUT/);
        assert.equal(r.headers.allow, 'PUT');
        for (const body of [{ list: [] }, { list: ['1'] }, { list: [0] }, { list: [-5] }, { list: [1.5] }, { list: [2 ** 53] },
          { list: Array.from({ length: 101 }, (_, i) => i + 1) }, {}, { list: 5 }])
          assertError(await admin.req('PUT', path, { body }), 10002);
      }
      await assertMe(u.c, u);
      u.c.close();
    });
  });

  describe('list', () => {
    test('pages through the app\'s users in id order as {user_id, username, status}', async () => {
      const oim = imClient(srv, other);
      const o = assertOk(await oim.req('POST', '/user/register/v2', { body: { username: uname('o'), password: 'secret123' } }));
      oim.close();
      const all = assertOk(await admin.req('GET', '/user/list', { query: { page_size: 200 } }));
      assert.ok(all.length >= 10);
      for (const x of all) {
        assert.deepEqual(Object.keys(x).sort(), ['status', 'user_id', 'username']);
        assert.equal(typeof x.user_id, 'number');
        assert.equal(typeof x.username, 'string');
        assert.ok(x.status === 0 || x.status === 1);
      }
      const ids = all.map((x) => x.user_id);
      assert.deepEqual(ids, [...ids].sort((p, q) => p - q));
      assert.ok(!ids.includes(o.user_id));
      const p1 = assertOk(await admin.req('GET', '/user/list', { query: { page_num: 1, page_size: 3 } }));
      const p2 = assertOk(await admin.req('GET', '/user/list', { query: { page_num: 2, page_size: 3 } }));
      assert.deepEqual([...p1, ...p2], all.slice(0, 6));
      const def = assertOk(await admin.req('GET', '/user/list'));
      assert.deepEqual(def, all.slice(0, 50));
      assert.deepEqual(assertOk(await admin.req('GET', '/user/list', { query: { page_num: 100000, page_size: 200 } })), []);
    });

    test('bad paging 10002; user token 10010; POST 405', async () => {
      for (const query of [{ page_num: 0 }, { page_num: -1 }, { page_num: 'x' }, { page_size: 0 }, { page_size: 201 },
        { page_size: '5x' }, { page_size: '' }, { page_num: '1.5' }, { page_num: 1000001 }])
        assertError(await admin.req('GET', '/user/list', { query }), 10002);
      const u = await newUser(srv, app);
      assertError(await u.c.req('GET', '/user/list'), 10010);
      const r = await admin.req('POST', '/user/list');
      assertHttpError(r, 405, /GET/);
      assert.equal(r.headers.allow, 'GET');
      u.c.close();
    });
  });

  describe('acting as another user', () => {
    test('a user token with a user_id or group_id header is refused with 10010', async () => {
      const u = await newUser(srv, app), v = await newUser(srv, app);
      for (const headers of [{ user_id: String(v.id) }, { user_id: String(u.id) }, { group_id: '5' }]) {
        assertError(await u.c.req('POST', '/user/nickname', { query: { nick_name: 'x' }, headers }), 10010);
        assertError(await u.c.req('PUT', '/user/settings', { body: { auth_mode: 1 }, headers }), 10010);
      }
      assert.equal(assertOk(await v.c.req('GET', '/user/profile')).nick_name, '');
      assert.equal(assertOk(await u.c.req('GET', '/user/settings')).auth_mode, 0);
      u.c.close(); v.c.close();
    });

    test('an admin token acts on the user_id header\'s user, within its app', async () => {
      const u = await newUser(srv, app);
      assertTrue(await adminAs(srv, app, u.id).req('POST', '/user/nickname', { query: { nick_name: 'by admin' } }));
      assert.equal(assertOk(await u.c.req('GET', '/user/profile')).nick_name, 'by admin');
      assertTrue(await adminAs(srv, app, u.id).req('POST', '/user/nickname', { query: { nick_name: 'grp' }, headers: { group_id: '12' } }));
      assertError(await adminAs(srv, app, u.id).req('POST', '/user/nickname', { query: { nick_name: 'x' }, headers: { group_id: 'abc' } }), 10002);
      for (const id of ['0', '-3', '1e3', '5x', '+5', String(2 ** 53)])
        assertError(await admin.req('POST', '/user/nickname', { query: { nick_name: 'x' }, headers: { user_id: id } }), 10002);
      assertError(await admin.req('POST', '/user/nickname', { query: { nick_name: 'x' } }), 10002);
      const oadmin = imClient(srv, other, other.admin_token);
      assertError(await oadmin.req('POST', '/user/nickname', { query: { nick_name: 'x' }, headers: { user_id: String(u.id) } }), 10000);
      oadmin.close();
      u.c.close();
    });
  });

  test('every method the document lists works; others are 405 with an Allow header', async () => {
    const u = await newUser(srv, app);
    // path, the methods the document lists, and the answer each gives to a
    // request with no body and empty nick_name/username query arguments: a
    // method is the endpoint when it answers as the endpoint does (the
    // endpoint's own check, its data), never 404/405. The kick names a
    // device the user does not have, so that the token lives on.
    const bad = 10002;
    const cases = [
      ['/user/register/v2', { POST: bad }], ['/user/register/batch', { POST: 10010 }], ['/user/register/push', { POST: bad }],
      ['/user/delete', { POST: bad, DELETE: bad }], ['/user/username', { POST: bad, PUT: bad }], ['/user/change_password', { POST: bad }],
      ['/user/avatar', { POST: bad, PUT: bad }], ['/user/avatar/batch', { POST: bad, PUT: bad }], ['/user/nickname', { POST: bad, PUT: bad }],
      ['/user/mobile', { POST: bad, PUT: bad }], ['/user/public', { POST: true, PUT: true }], ['/user/private', { POST: true, PUT: true }],
      ['/user/download', { POST: bad, PUT: bad }], ['/user/authmode', { POST: bad, PUT: bad }],
      ['/user/profile', { GET: newProfile(u.id, u.name), POST: bad, PUT: bad }],
      ['/user/profile/batch', { POST: bad, PUT: bad }], ['/user/settings', { GET: defaultSettings(u.id), POST: bad, PUT: bad }],
      ['/user/disable', { PUT: 10010 }], ['/user/enable', { PUT: 10010 }], ['/user/device/list', { GET: [] }],
      ['/user/device/remove', { POST: bad, DELETE: bad }], ['/user/kick', { POST: 10007, PUT: 10007 }],
      ['/user/token/bind', { POST: bad, PUT: bad }], ['/user/token/unbind', { POST: bad, DELETE: bad }],
      ['/user/push/alias', { POST: bad }], ['/user/push/tag', { GET: [], POST: bad, DELETE: bad }], ['/user/push/tag/all', { DELETE: true }],
      ['/user/push/badge', { POST: bad }], ['/user/push/limit', { POST: bad, PUT: bad }], ['/user/push/nickname', { POST: bad, PUT: bad }],
      ['/user/sounds', { POST: bad, PUT: bad }], ['/user/vibratory', { POST: bad, PUT: bad }], ['/user/push', { POST: bad, PUT: bad }],
      ['/user/push/detail', { POST: bad, PUT: bad }], ['/user/list', { GET: 10010 }],
      ['/token/user', { POST: bad }], ['/token/id', { POST: bad }], ['/token/login', { POST: bad }],
    ];
    for (const [path, answers] of cases) {
      const methods = Object.keys(answers);
      const allow = methods.join(', ');
      for (const m of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) {
        if (methods.includes(m)) continue;
        const r = await u.c.req(m, path);
        assertHttpError(r, 405);
        assert.equal(r.headers.allow, allow, path);
        assert.equal(r.json.message, `method not allowed: ${path} takes ${allow}`);
      }
      for (const m of methods) {
        const r = await u.c.req(m, path, { query: { nick_name: '', username: '', device_sn: path === '/user/kick' ? 99 : undefined } });
        const want = answers[m];
        if (typeof want === 'number') assertError(r, want);
        else if (path === '/user/device/list') assert.deepEqual(r.json, { code: 200, version: 0, message: '', data: want }, `${m} ${path}`);
        else assert.deepEqual(assertOk(r), want, `${m} ${path}`);
      }
    }
    await assertMe(u.c, u);
    u.c.close();
  });
});
