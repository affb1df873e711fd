// IM face, push: token/bind, token/unbind, push/alias, push/tag (GET/POST/DELETE),
// push/tag/all, push/badge.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startUserd, storeQuery, sleep } from './lib/harness.mjs';
import { assertError, assertTrue, assertOk, newUser, adminAs } from './im_util.mjs';

describe('IM push', () => {
  let srv, app;

  before(async () => {
    srv = await startUserd();
    app = srv.defaultApp;
  });
  after(async () => { await srv.stop(); });

  const tags = async (c) => assertOk(await c.req('GET', '/user/push/tag'));
  // What token/bind, push/alias and push/badge store has no reader in the
  // document's API: read it from the store.
  const binding = (u, sn) => storeQuery(srv, `SELECT device_token, notifier_name FROM devices WHERE account_id = ${u.id} AND device_sn = ${sn}`);
  const pushOf = (u) => storeQuery(srv, `SELECT alias, badge FROM user_settings WHERE account_id = ${u.id}`);
  const devices = async (c) => {
    const r = await c.req('GET', '/user/device/list');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json), ['code', 'version', 'message', 'data']);
    assert.equal(r.json.code, 200);
    return r.json;
  };

  describe('token/bind and token/unbind', () => {
    test('bind a push token to one of the user\'s devices, with POST or PUT', async () => {
      const u = await newUser(srv, app, { guid: 'bind-dev' });
      assert.equal(binding(u, 1), '|');
      const v0 = (await devices(u.c)).version;
      await sleep(5);
      assertTrue(await u.c.req('POST', '/user/token/bind', { body: { device_sn: 1, device_token: 'a1b2c3d4', notifier_name: 'apns_prod' } }));
      assert.equal(binding(u, 1), 'a1b2c3d4|apns_prod');
      // a binding is a change of the user's devices: the list's version moves
      const v1 = (await devices(u.c)).version;
      assert.ok(v1 > v0, `version ${v0} -> ${v1}`);
      assertTrue(await u.c.req('PUT', '/user/token/bind', { body: { device_sn: 1, device_token: 'fcm:APA91b-xyz_0', notifier_name: 'fcm.main-1' } }));
      assert.equal(binding(u, 1), 'fcm:APA91b-xyz_0|fcm.main-1');
      assertTrue(await adminAs(srv, app, u.id).req('PUT', '/user/token/bind', { body: { device_sn: 1, device_token: 'x'.repeat(512), notifier_name: 'n'.repeat(64) } }));
      assert.equal(binding(u, 1), `${'x'.repeat(512)}|${'n'.repeat(64)}`);
      assertError(await u.c.req('POST', '/user/token/bind', { body: { device_sn: 2, device_token: 'a1b2', notifier_name: 'apns' } }), 10007);
      assert.equal(storeQuery(srv, `SELECT COUNT(*) FROM devices WHERE account_id = ${u.id}`), '1');
      // the device list shows no push token
      assert.deepEqual((await devices(u.c)).data, [{ device_sn: 1, platform: 6, user_agent: '', user_id: u.id }]);
      assertTrue(await u.c.req('POST', '/user/device/remove', { query: { device_sn: 1 } }));
      assert.equal(binding(u, 1), '');
      assertError(await adminAs(srv, app, u.id).req('POST', '/user/token/bind', { body: { device_sn: 1, device_token: 'a1b2', notifier_name: 'apns' } }), 10007);
      assert.equal(storeQuery(srv, `SELECT COUNT(*) FROM devices WHERE account_id = ${u.id}`), '0');
      u.c.close();
    });

    test('bad fields are 10002', async () => {
      const u = await newUser(srv, app, { guid: 'bind-bad' });
      const ok = { device_sn: 1, device_token: 'a1b2c3', notifier_name: 'apns' };
      for (const body of [
        { ...ok, device_sn: undefined }, { ...ok, device_sn: '1' }, { ...ok, device_sn: 0 }, { ...ok, device_sn: 2 ** 31 },
        { ...ok, device_token: undefined }, { ...ok, device_token: '' }, { ...ok, device_token: 'has space' },
        { ...ok, device_token: 'x'.repeat(513) }, { ...ok, device_token: 12 },
        { ...ok, notifier_name: undefined }, { ...ok, notifier_name: '' }, { ...ok, notifier_name: 'bad name' },
        { ...ok, notifier_name: 'n'.repeat(65) }, { ...ok, notifier_name: 'ünï' },
      ]) assertError(await u.c.req('POST', '/user/token/bind', { body }), 10002);
      assertError(await u.c.req('POST', '/user/token/bind', { raw: 'device_sn=1' }), 10002);
      assertError(await u.c.req('POST', '/user/token/bind', { query: ok }), 10002); // a body, not a query
      assert.equal(binding(u, 1), '|');
      u.c.close();
    });

    test('unbind ?deviceSn= (or device_sn=), with POST or DELETE', async () => {
      const u = await newUser(srv, app, { guid: 'unbind-dev' });
      const bind = async () => {
        assertTrue(await u.c.req('POST', '/user/token/bind', { body: { device_sn: 1, device_token: 'tok1', notifier_name: 'apns' } }));
        assert.equal(binding(u, 1), 'tok1|apns');
      };
      await bind();
      assertTrue(await u.c.req('POST', '/user/token/unbind', { query: { deviceSn: 1 } }));
      assert.equal(binding(u, 1), '|');
      assertTrue(await u.c.req('DELETE', '/user/token/unbind', { query: { deviceSn: 1 } })); // nothing bound: fine
      assert.equal(binding(u, 1), '|');
      await bind();
      assertTrue(await u.c.req('DELETE', '/user/token/unbind', { query: { device_sn: 1 } }));
      assert.equal(binding(u, 1), '|');
      await bind();
      assertError(await u.c.req('POST', '/user/token/unbind', { query: { deviceSn: 5 } }), 10007);
      for (const query of [{}, { deviceSn: 'x' }, { deviceSn: 0 }, { device_sn: '' }])
        assertError(await u.c.req('DELETE', '/user/token/unbind', { query }), 10002);
      assert.equal(binding(u, 1), 'tok1|apns');
      // issue 16: in a JSON body too, under either name; the values given must agree
      assertTrue(await u.c.req('POST', '/user/token/unbind', { body: { deviceSn: 1 } }));
      assert.equal(binding(u, 1), '|');
      await bind();
      assertTrue(await u.c.req('POST', '/user/token/unbind', { body: { device_sn: '1' } }));
      assert.equal(binding(u, 1), '|');
      await bind();
      assertTrue(await u.c.req('POST', '/user/token/unbind', { query: { deviceSn: 1 }, body: { device_sn: 1 } }));
      assert.equal(binding(u, 1), '|');
      await bind();
      assertError(await u.c.req('POST', '/user/token/unbind', { body: { deviceSn: 5 } }), 10007);
      for (const o of [{ query: { deviceSn: 1, device_sn: 2 } }, { query: { deviceSn: 1 }, body: { deviceSn: 2 } },
        { body: { deviceSn: 1, device_sn: 2 } }, { body: { deviceSn: null } }, { body: { device_sn: 1.0001 } }])
        assertError(await u.c.req('POST', '/user/token/unbind', o), 10002);
      assert.equal(binding(u, 1), 'tok1|apns');
      // the device and its sign-in stay
      assert.deepEqual((await devices(u.c)).data, [{ device_sn: 1, platform: 6, user_agent: '', user_id: u.id }]);
      u.c.close();
    });
  });

  describe('push/alias', () => {
    test('sets the alias and, when given, the push token seen in the settings', async () => {
      const u = await newUser(srv, app), v = await newUser(srv, app);
      const settings = async () => assertOk(await u.c.req('GET', '/user/settings'));
      const start = await settings();
      assert.equal(pushOf(u), '|0');
      assertTrue(await u.c.req('POST', '/user/push/alias', { body: { alias: 'vip-customer 42' } }));
      assert.equal(pushOf(u), 'vip-customer 42|0');
      assert.deepEqual(await settings(), start); // no push_token given: none set
      assertTrue(await u.c.req('POST', '/user/push/alias', { body: { alias: '别名', push_token: 'device-token-9' } }));
      assert.equal(pushOf(u), '别名|0');
      assert.deepEqual(await settings(), { ...start, push_token: 'device-token-9' });
      assertTrue(await u.c.req('POST', '/user/push/alias', { body: { alias: 'a'.repeat(128) } }));
      assert.equal(pushOf(u), `${'a'.repeat(128)}|0`);
      assertTrue(await u.c.req('POST', '/user/push/alias', { body: { alias: '' } }));
      assert.equal(pushOf(u), '|0');
      assert.deepEqual(await settings(), { ...start, push_token: 'device-token-9' });
      assertTrue(await u.c.req('POST', '/user/push/alias', { body: { alias: 'kept' } }));
      for (const body of [{}, { alias: 5 }, { alias: 'a'.repeat(129) }, { alias: 'x\ny' }, { alias: 'ok', push_token: 'two words' },
        { alias: 'ok', push_token: 7 }])
        assertError(await u.c.req('POST', '/user/push/alias', { body }), 10002);
      assert.equal(pushOf(u), 'kept|0');
      assert.deepEqual(await settings(), { ...start, push_token: 'device-token-9' });
      // an admin sets the alias of the user it names, and only that user's
      assertTrue(await adminAs(srv, app, v.id).req('POST', '/user/push/alias', { body: { alias: 'by-admin' } }));
      assert.equal(pushOf(v), 'by-admin|0');
      assert.equal(pushOf(u), 'kept|0');
      assertError(await adminAs(srv, app).req('POST', '/user/push/alias', { body: { alias: 'nobody' } }), 10002);
      u.c.close(); v.c.close();
    });
  });

  describe('push/tag', () => {
    test('POST adds, GET lists (sorted, no duplicates), DELETE removes, DELETE /all clears', async () => {
      const u = await newUser(srv, app), v = await newUser(srv, app);
      assert.deepEqual(await tags(u.c), []);
      assertTrue(await u.c.req('POST', '/user/push/tag', { body: { tags: ['sports', 'music', 'news'] } }));
      assertTrue(await u.c.req('POST', '/user/push/tag', { body: { tags: ['music', 'vip', 'vip', '体育'] } }));
      assert.deepEqual(await tags(u.c), ['music', 'news', 'sports', 'vip', '体育']);
      assertTrue(await u.c.req('DELETE', '/user/push/tag', { body: { tags: ['news', 'not-there'] } }));
      assert.deepEqual(await tags(u.c), ['music', 'sports', 'vip', '体育']);
      assertTrue(await v.c.req('POST', '/user/push/tag', { body: { tags: ['other'] } }));
      assertTrue(await u.c.req('DELETE', '/user/push/tag/all'));
      assert.deepEqual(await tags(u.c), []);
      assertTrue(await u.c.req('DELETE', '/user/push/tag/all'));
      assert.deepEqual(await tags(v.c), ['other']);
      assertTrue(await adminAs(srv, app, v.id).req('POST', '/user/push/tag', { body: { tags: ['by-admin'] } }));
      assert.deepEqual(assertOk(await adminAs(srv, app, v.id).req('GET', '/user/push/tag')), ['by-admin', 'other']);
      u.c.close(); v.c.close();
    });

    test('at most 100 tags of 1-64 characters: above, 10002 and nothing added', async () => {
      const u = await newUser(srv, app);
      const ninety = Array.from({ length: 90 }, (_, i) => `t${String(i).padStart(3, '0')}`);
      assertTrue(await u.c.req('POST', '/user/push/tag', { body: { tags: ninety } }));
      const eleven = Array.from({ length: 11 }, (_, i) => `z${i}`);
      assertError(await u.c.req('POST', '/user/push/tag', { body: { tags: eleven } }), 10002, /100/);
      assert.equal((await tags(u.c)).length, 90);
      assertTrue(await u.c.req('POST', '/user/push/tag', { body: { tags: eleven.slice(0, 10) } }));
      assert.equal((await tags(u.c)).length, 100);
      assertTrue(await u.c.req('POST', '/user/push/tag', { body: { tags: ['t000'] } })); // already there: still 100
      for (const body of [{}, { tags: [] }, { tags: 'a' }, { tags: [1] }, { tags: [''] }, { tags: ['x'.repeat(65)] },
        { tags: ['a\tb'] }, { tags: Array.from({ length: 101 }, (_, i) => `n${i}`) }]) {
        assertError(await u.c.req('POST', '/user/push/tag', { body }), 10002);
        assertError(await u.c.req('DELETE', '/user/push/tag', { body }), 10002);
      }
      assert.equal((await tags(u.c)).length, 100);
      assertTrue(await u.c.req('DELETE', '/user/push/tag', { body: { tags: ['t000'] } }));
      assertTrue(await u.c.req('POST', '/user/push/tag', { body: { tags: ['长'.repeat(64)] } }));
      assert.ok((await tags(u.c)).includes('长'.repeat(64)));
      u.c.close();
    });
  });

  describe('push/badge', () => {
    test('{badge} 0 to 2^31-1', async () => {
      const u = await newUser(srv, app), v = await newUser(srv, app);
      const settings = assertOk(await u.c.req('GET', '/user/settings'));
      for (const badge of [3, 0, 2 ** 31 - 1]) {
        assertTrue(await u.c.req('POST', '/user/push/badge', { body: { badge } }));
        assert.equal(pushOf(u), `|${badge}`);
      }
      for (const body of [{}, { badge: -1 }, { badge: '3' }, { badge: 2 ** 31 }, { badge: 1.5 }, { badge: null }])
        assertError(await u.c.req('POST', '/user/push/badge', { body }), 10002);
      assertError(await u.c.req('POST', '/user/push/badge', { query: { badge: 3 } }), 10002);
      assert.equal(pushOf(u), `|${2 ** 31 - 1}`);
      assertTrue(await adminAs(srv, app, u.id).req('POST', '/user/push/badge', { body: { badge: 9 } }));
      assert.equal(pushOf(u), '|9');
      assertError(await adminAs(srv, app).req('POST', '/user/push/badge', { body: { badge: 9 } }), 10002);
      assert.equal(pushOf(v), '|0'); // another user is untouched
      assert.deepEqual(assertOk(await u.c.req('GET', '/user/settings')), settings); // the badge is not a setting
      u.c.close(); v.c.close();
    });
  });
});
