// Credential changes end credentials on every face (issue 10): an admin
// password reset and a disable end every IM token and every app-face session
// of the account, in the transaction that makes the change, as the app
// face's own reset_password does; enabling the account again revives none.
// IM change_password by the user keeps the caller's token and ends the rest.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appClient } from './lib/harness.mjs';
import { imAs, notLoggedIn, post, signUp, startApp } from './app_lib.mjs';
import { assertOk, assertTrue } from './im_util.mjs';

const sessionWorks = async (u) => assert.deepEqual((await u.c.req('GET', '/user/get_poke')).json, { code: 200, result: { pokeStatus: 1 } });

describe('credential changes end credentials on every face', () => {
  let ctx, admin;
  before(async () => {
    ctx = await startApp();
    admin = imAs(ctx, ctx.srv.defaultApp.admin_token);
  });
  after(async () => { admin.close(); await ctx.stop(); });

  /** An app-face user with a session, its login's IM token and one more IM token from /token/login. */
  async function user() {
    const u = await signUp(ctx);
    const open = imAs(ctx);
    const d = assertOk(await open.req('POST', '/token/login', { body: { login_name: u.phone, password: u.password } }));
    open.close();
    await sessionWorks(u);
    return { ...u, uid: d.user_id, imToken2: d.token };
  }
  const imWorks = async (token) => {
    const c = imAs(ctx, token);
    try { return (await c.req('GET', '/user/profile')).json.code; } finally { c.close(); }
  };
  const login = async (u, password) => {
    const c = appClient(ctx.srv);
    try { return (await post(c, '/user/login', { region: 86, phone: u.phone, password })).json; } finally { c.close(); }
  };

  test('change_password_admin (IM face) ends the app-face sessions and every IM token', async () => {
    const u = await user();
    assertTrue(await admin.req('POST', '/user/change_password_admin', { body: { password: 'ByAdmin1' }, headers: { user_id: String(u.uid) } }));
    notLoggedIn(await u.c.req('GET', '/user/get_poke'));
    assert.equal(await imWorks(u.imToken), 10008);
    assert.equal(await imWorks(u.imToken2), 10008);
    assert.deepEqual(await login(u, u.password), { code: 1001 });
    assert.equal((await login(u, 'ByAdmin1')).code, 200);
    u.c.close();
  });

  test('disable ends the app-face sessions; enable revives no session and no token', async () => {
    const u = await user();
    assertTrue(await admin.req('PUT', '/user/disable', { body: { list: [u.uid] } }));
    notLoggedIn(await u.c.req('GET', '/user/get_poke'));
    assert.equal(await imWorks(u.imToken), 10008);
    const c = appClient(ctx.srv);
    const r = await post(c, '/user/login', { region: 86, phone: u.phone, password: u.password });
    c.close();
    assert.equal(r.status, 403);
    assert.equal(r.text, 'Account disabled.');
    assertTrue(await admin.req('PUT', '/user/enable', { body: { list: [u.uid] } }));
    notLoggedIn(await u.c.req('GET', '/user/get_poke'));
    assert.equal(await imWorks(u.imToken), 10008);
    assert.equal(await imWorks(u.imToken2), 10008);
    assert.equal((await login(u, u.password)).code, 200);
    u.c.close();
  });

  test('IM change_password by the user keeps the caller\'s token, ends the other tokens and every session', async () => {
    const u = await user();
    const me = imAs(ctx, u.imToken2);
    assertTrue(await me.req('POST', '/user/change_password', { body: { old_password: u.password, new_password: 'NewPass9' } }));
    assert.equal((await me.req('GET', '/user/profile')).json.code, 200);
    assert.equal(await imWorks(u.imToken), 10008);
    notLoggedIn(await u.c.req('GET', '/user/get_poke'));
    me.close(); u.c.close();
  });

  test('IM change_password by an admin ends every token and every session', async () => {
    const u = await user();
    assertTrue(await admin.req('POST', '/user/change_password', {
      body: { old_password: u.password, new_password: 'NewPass9' }, headers: { user_id: String(u.uid) },
    }));
    assert.equal(await imWorks(u.imToken), 10008);
    assert.equal(await imWorks(u.imToken2), 10008);
    notLoggedIn(await u.c.req('GET', '/user/get_poke'));
    // the admin's own token is not the account's: it still works
    assertOk(await admin.req('GET', '/user/profile', { headers: { user_id: String(u.uid) } }));
    u.c.close();
  });

  test('a session made after the change works (the change ended only what existed)', async () => {
    const u = await user();
    assertTrue(await admin.req('POST', '/user/change_password_admin', { body: { password: 'ByAdmin1' }, headers: { user_id: String(u.uid) } }));
    const c = appClient(ctx.srv);
    assert.equal((await post(c, '/user/login', { region: 86, phone: u.phone, password: 'ByAdmin1' })).json.code, 200);
    assert.deepEqual((await c.req('GET', '/user/get_poke')).json, { code: 200, result: { pokeStatus: 1 } });
    assert.equal(await imWorks(u.imToken), 10008);
    c.close(); u.c.close();
  });
});
