// The account's lockout (issues 10 and 17): failed password checks are
// counted per account, in the store, by the core, whichever face made them
// (IM /token/*, /user/change_password, /user/delete; app /user/login,
// /user/change_password) and whichever process; every face honours it
// (IM 10011, app {code:1002}); a check is counted before it is hashed, so
// parallel guesses never get more than login.max_failures (5) checks.
// Default settings throughout.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appClient, httpRequest, imClient, startUserd } from './lib/harness.mjs';
import { post, signUp, startApp } from './app_lib.mjs';
import { assertError, assertOk, assertTrue, newUser } from './im_util.mjs';

const MAX = 5; // login.max_failures, default

describe('the account lockout on every face', () => {
  let ctx, app;
  before(async () => {
    ctx = await startApp();
    app = ctx.srv.defaultApp;
  });
  after(async () => { await ctx.stop(); });

  const im = (token) => imClient(ctx.srv, app, token);
  const imPost = async (path, body, token) => {
    const c = im(token);
    try { return await c.req('POST', path, { body }); } finally { c.close(); }
  };

  test('six wrong app-face logins lock the phone: IM /token/login refuses the right password with 10011', async () => {
    const u = await signUp(ctx);
    const c = appClient(ctx.srv);
    for (let i = 0; i < MAX; i++)
      assert.deepEqual((await post(c, '/user/login', { region: 86, phone: u.phone, password: 'wrong-pw' })).json, { code: 1001 });
    assert.deepEqual((await post(c, '/user/login', { region: 86, phone: u.phone, password: 'wrong-pw' })).json, { code: 1002 });
    assert.deepEqual((await post(c, '/user/login', { region: 86, phone: u.phone, password: u.password })).json, { code: 1002 });
    assertError(await imPost('/token/login', { login_name: u.phone, password: u.password }), 10011, /too many failed attempts/);
    c.close(); u.c.close();
  });

  test('wrong IM-face passwords lock the app-face login of the same account', async () => {
    const u = await signUp(ctx);
    for (let i = 0; i < MAX; i++)
      assertError(await imPost('/token/login', { login_name: u.phone, password: 'wrong-pw' }), 10005);
    assert.deepEqual((await post(u.c, '/user/login', { region: 86, phone: u.phone, password: u.password })).json, { code: 1002 });
    u.c.close();
  });

  test('/token/user and /token/id count together and honour the lockout; a right password clears the count', async () => {
    const u = await newUser(ctx.srv, app);
    for (let i = 0; i < MAX - 1; i++) assertError(await imPost('/token/user', { name: u.name, password: 'wrong-pw' }), 10005);
    assertOk(await imPost('/token/id', { user_id: u.id, password: u.password })); // the 5th check, right: clears
    for (let i = 0; i < MAX; i++) {
      const r = i % 2 ? await imPost('/token/id', { user_id: u.id, password: 'wrong-pw' })
        : await imPost('/token/user', { name: u.name, password: 'wrong-pw' });
      assertError(r, 10005);
    }
    assertError(await imPost('/token/user', { name: u.name, password: u.password }), 10011);
    assertError(await imPost('/token/id', { user_id: u.id, password: u.password }), 10011);
    assertError(await imPost('/token/login', { login_name: u.name, password: u.password }), 10011);
    assertError(await imPost('/token/user', { name: u.name, password: 'wrong-pw' }), 10011);
    // Unknown users are not counted: there is no account to lock.
    assertError(await imPost('/token/user', { name: `${u.name}_nobody`, password: 'wrong-pw' }), 10000);
    // Tokens already given out still work: the lockout is about password checks.
    assert.equal((await u.c.req('GET', '/user/profile')).json.code, 200);
    u.c.close();
  });

  test('the password checks of IM change_password and delete count, and are refused when locked', async () => {
    const u = await newUser(ctx.srv, app);
    for (let i = 0; i < 3; i++)
      assertError(await u.c.req('POST', '/user/change_password', { body: { old_password: 'wrong-pw', new_password: 'another1' } }), 10005);
    for (let i = 0; i < MAX - 3; i++)
      assertError(await u.c.req('POST', '/user/delete', { body: { password: 'wrong-pw' } }), 10005);
    assertError(await u.c.req('POST', '/user/change_password', { body: { old_password: u.password, new_password: 'another1' } }), 10011);
    assertError(await u.c.req('POST', '/user/delete', { body: { password: u.password } }), 10011);
    assertError(await imPost('/token/user', { name: u.name, password: u.password }), 10011);
    // nothing changed: the account is there, with its password
    assert.equal(assertOk(await u.c.req('GET', '/user/profile')).username, u.name);
    // an admin needs no password: the admin form is not locked out
    const admin = im(app.admin_token);
    assertTrue(await admin.req('POST', '/user/change_password_admin', { body: { password: 'another1' }, headers: { user_id: String(u.id) } }));
    admin.close(); u.c.close();
  });

  test('the app face change_password counts its old password and answers {code:1002} when locked', async () => {
    const u = await signUp(ctx);
    for (let i = 0; i < MAX; i++)
      assert.deepEqual((await post(u.c, '/user/change_password', { oldPassword: 'wrong-pw', newPassword: 'another1' })).json, { code: 1000 });
    assert.deepEqual((await post(u.c, '/user/change_password', { oldPassword: u.password, newPassword: 'another1' })).json, { code: 1002 });
    const c = appClient(ctx.srv);
    assert.deepEqual((await post(c, '/user/login', { region: 86, phone: u.phone, password: u.password })).json, { code: 1002 });
    c.close(); u.c.close();
  });

  // Every guess on its own connection, all in flight at once.
  const parallel = (n, send) => Promise.all(Array.from({ length: n }, send));
  const tally = (codes) => codes.reduce((m, k) => ({ ...m, [k]: (m[k] || 0) + 1 }), {});

  test('40 parallel wrong guesses on the IM face: exactly login.max_failures are checked, the rest locked', async () => {
    const u = await newUser(ctx.srv, app);
    const rs = await parallel(40, () => httpRequest({
      port: ctx.srv.im, method: 'POST', path: '/token/user', timeoutMs: 60000,
      headers: { app_id: app.app_id, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: u.name, password: 'wrong-pw' }),
    }));
    assert.deepEqual(tally(rs.map((r) => r.json?.code)), { 10005: MAX, 10011: 40 - MAX });
    u.c.close();
  });

  test('40 parallel wrong guesses on the app face: exactly login.max_failures are checked, the rest locked', async () => {
    const u = await signUp(ctx);
    const rs = await parallel(40, () => httpRequest({
      port: ctx.srv.app, method: 'POST', path: '/user/login', timeoutMs: 60000,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ region: 86, phone: u.phone, password: 'wrong-pw' }),
    }));
    assert.deepEqual(tally(rs.map((r) => r.json?.code)), { 1001: MAX, 1002: 40 - MAX });
    u.c.close();
  });

  test('the lockout holds across processes on one store', async () => {
    const b = await startUserd({ storeUrl: ctx.srv.storeUrl, env: { USERD_LOG_ACCESS: 'false' } });
    try {
      const u = await signUp(ctx);
      for (let i = 0; i < MAX; i++)
        assertError(await imPost('/token/login', { login_name: u.phone, password: 'wrong-pw' }), 10005);
      const onB = imClient(b, app);
      assertError(await onB.req('POST', '/token/login', { body: { login_name: u.phone, password: u.password } }), 10011);
      const appB = appClient(b);
      assert.deepEqual((await post(appB, '/user/login', { region: 86, phone: u.phone, password: u.password })).json, { code: 1002 });
      onB.close(); appB.close(); u.c.close();
    } finally { await b.stop(); }
  });
});
