// App face: SMS codes, sign-up, sessions, login, passwords, IM tokens.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appClient, parseSetCookie, sleep, startUserd } from './lib/harness.mjs';
import {
  startApp, post, verifiedToken, signUp, newPhone, imAs, accountId, text, answer, assertVerified, assertLogin, assertSession,
  assertImToken, assertImTokenDead, notLoggedIn, UUID, PRIVACY_DEFAULT,
} from './app_lib.mjs';
import { assertToken, assertTrue } from './im_util.mjs';

const USER_ID = /^[0-9A-Za-z]{1,9}$/;

describe('app face: sign-up and sessions (resend interval 0)', () => {
  let ctx;
  before(async () => { ctx = await startApp({ USERD_SMS_RESEND_INTERVAL: '0' }); });
  after(async () => { await ctx.stop(); });

  test('a new user signs up with an SMS code and logs in from a browser-like client', async () => {
    const c = appClient(ctx.srv);
    const phone = newPhone();
    let r = await post(c, '/user/check_phone_available', { region: 86, phone: Number(phone) });
    answer(r, { code: 200, result: true });

    r = await post(c, '/user/send_code', { region: 86, phone: Number(phone) });
    assert.equal(r.status, 200);
    answer(r, { code: 200 });
    const msg = ctx.sms.messages.at(-1);
    assert.deepEqual(Object.keys(msg).sort(), ['code', 'phone', 'region']);
    assert.equal(msg.region, '86');
    assert.equal(msg.phone, phone);
    assert.match(msg.code, /^\d{6}$/);
    assert.ok(!ctx.srv.logs().some((l) => l.includes(msg.code)), 'the code is logged');

    r = await post(c, '/user/verify_code', { region: 86, phone: Number(phone), code: msg.code === '000000' ? '111111' : '000000' });
    answer(r, { code: 1000 });
    r = await post(c, '/user/verify_code', { region: '86', phone, code: msg.code });
    const token = assertVerified(r);

    r = await post(c, '/user/register', { nickname: 'Tom', password: 'P@ssw0rd', verification_token: token });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json), ['code', 'result']);
    assert.equal(r.json.code, 200);
    assert.deepEqual(Object.keys(r.json.result), ['id']);
    assert.match(r.json.result.id, USER_ID);
    const id = r.json.result.id;
    assert.equal(r.setCookie.length, 1);
    const ck = parseSetCookie(r.setCookie[0]);
    assert.equal(ck.name, 'rong_auth_cookie');
    assert.match(ck.value, /^[A-Za-z0-9_-]{40,}$/);
    assert.deepEqual(ck.attrs, { path: '/', 'max-age': '2592000', httponly: true, samesite: 'Lax' });

    // the register cookie is a session
    answer(await c.req('GET', '/user/get_privacy'), { code: 200, result: PRIVACY_DEFAULT });
    r = await post(c, '/user/check_phone_available', { region: 86, phone: Number(phone) });
    answer(r, { code: 200, result: false });

    // a second browser logs in
    const b = appClient(ctx.srv);
    r = await post(b, '/user/login', { region: 86, phone, password: 'P@ssw0rd' });
    const l = assertLogin(r, id);
    assert.deepEqual(parseSetCookie(r.setCookie[0]).attrs, { path: '/', 'max-age': '2592000', httponly: true, samesite: 'Lax' });
    assert.notEqual(b.jar.get('rong_auth_cookie'), c.jar.get('rong_auth_cookie'));
    r = await b.req('GET', `/user/${id}`);
    answer(r, { code: 200, result: { id, nickname: 'Tom', portraitUri: '', gender: 'male', stAccount: '', phone } });
    // the IM token of login works on the IM face and shows the same person
    await assertImToken(ctx, l.token, { phone, nickname: 'Tom' });
    c.close(); b.close();
  });

  test('logout ends that session only and clears the cookie', async () => {
    const u = await signUp(ctx);
    const other = appClient(ctx.srv);
    assertLogin(await post(other, '/user/login', { region: 86, phone: u.phone, password: u.password }), u.id);
    const old = u.c.jar.get('rong_auth_cookie');
    let r = await post(u.c, '/user/logout');
    answer(r, { code: 200 });
    const ck = parseSetCookie(r.setCookie[0]);
    assert.equal(ck.name, 'rong_auth_cookie');
    assert.equal(ck.value, '');
    assert.equal(ck.attrs['max-age'], '0');
    assert.equal(u.c.jar.get('rong_auth_cookie'), undefined);
    u.c.jar.set('rong_auth_cookie', old); // a client that kept the old value
    notLoggedIn(await u.c.req('GET', '/user/get_privacy'));
    notLoggedIn(await post(u.c, '/user/logout'));
    answer(await other.req('GET', '/user/get_privacy'), { code: 200, result: PRIVACY_DEFAULT });
    await assertImToken(ctx, u.imToken, { phone: u.phone, nickname: 'Tom' }); // logout ends the session, not the IM token
    other.close();
  });

  test('sessions: missing, forged and oversized cookies are not logged in', async () => {
    const c = appClient(ctx.srv);
    notLoggedIn(await c.req('GET', '/user/get_token'));
    c.jar.set('rong_auth_cookie', 'forged');
    notLoggedIn(await c.req('GET', '/user/get_token'));
    c.jar.set('rong_auth_cookie', 'x'.repeat(5000));
    notLoggedIn(await c.req('GET', '/user/get_token'));
    c.close();
  });

  test('send_code and verify_code refuse bad input', async () => {
    const c = appClient(ctx.srv);
    for (const body of [{ region: 86, phone: 12345678901 }, { region: 86, phone: 1391234567 }, { region: 999, phone: 13912345678 },
      { region: 86 }, { phone: 13912345678 }, { region: 86, phone: '1391234567a' }, { region: 86, phone: true }, { region: -86, phone: 13912345678 }]) {
      text(await post(c, '/user/send_code', body), 400, 'Invalid region and phone number.');
      text(await post(c, '/user/verify_code', { ...body, code: '123456' }), 400, 'Invalid region and phone number.');
    }
    const n = ctx.sms.messages.length;
    text(await c.req('POST', '/user/send_code', { body: '{"region":86,' }), 400,
      "malformed JSON at line 1 column 13: string or '}' expected near end of file");
    text(await c.req('POST', '/user/send_code', { body: '[1]' }), 400, 'The body must be a JSON object.');
    text(await c.req('POST', '/user/send_code', { body: '' }), 400, 'a JSON body is required');
    assert.equal(ctx.sms.messages.length, n);
    let r;
    text(await c.req('GET', '/user/send_code'), 405, 'Method not allowed.');
    text(await post(c, '/user/verify_code', { region: 86, phone: newPhone(), code: '123456' }), 404, 'Unknown phone number.');
    text(await post(c, '/user/verify_code', { region: 86, phone: 13912345678 }), 400, 'Invalid verification code.');
    // other regions: E.164 / national rules
    r = await post(c, '/user/send_code', { region: 1, phone: 2025550123 });
    answer(r, { code: 200 });
    assert.deepEqual(ctx.sms.messages.at(-1), { region: '1', phone: '2025550123', code: ctx.sms.messages.at(-1).code });
    r = await post(c, '/user/send_code_yp', { region: '+44', phone: '7911123456' });
    answer(r, { code: 200 });
    assert.deepEqual(ctx.sms.messages.at(-1), { region: '44', phone: '7911123456', code: ctx.sms.messages.at(-1).code });
    const code = ctx.sms.lastCode('7911123456');
    assert.match(code, /^\d{6}$/);
    r = await post(c, '/user/verify_code_yp', { region: 44, phone: '7911123456', code });
    assertVerified(r);
    c.close();
  });

  test('a code is dead after 5 wrong tries; a right code is used once', async () => {
    const c = appClient(ctx.srv);
    const phone = newPhone();
    await post(c, '/user/send_code', { region: 86, phone });
    const code = ctx.sms.lastCode(phone);
    const wrong = code === '999999' ? '999998' : '999999';
    for (let i = 0; i < 5; i++) answer(await post(c, '/user/verify_code', { region: 86, phone, code: wrong }), { code: 1000 });
    answer(await post(c, '/user/verify_code', { region: 86, phone, code }), { code: 2000 });
    // a new code starts again
    await post(c, '/user/send_code', { region: 86, phone });
    const code2 = ctx.sms.lastCode(phone);
    assertVerified(await post(c, '/user/verify_code', { region: 86, phone, code: code2 }));
    text(await post(c, '/user/verify_code', { region: 86, phone, code: code2 }), 404, 'Unknown phone number.');
    c.close();
  });

  test('register: the checks, in the real server order', async () => {
    const c = appClient(ctx.srv);
    const phone = newPhone();
    const token = await verifiedToken(ctx, c, phone);
    const reg = (b) => post(c, '/user/register', b);
    text(await reg({ nickname: '', password: 'a b', verification_token: 'x' }), 400, 'Password must have no space.');
    text(await reg({ nickname: '', password: 'short', verification_token: 'x' }), 400, 'Length of nickname invalid.');
    text(await reg({ password: 'P@ssw0rd', verification_token: token }), 400, 'Length of nickname invalid.');
    text(await reg({ nickname: 'x'.repeat(33), password: 'P@ssw0rd', verification_token: token }), 400, 'Length of nickname invalid.');
    text(await reg({ nickname: 'a\u0001b', password: 'P@ssw0rd', verification_token: token }), 400, 'Length of nickname invalid.');
    text(await reg({ nickname: 'Tom', password: 'short', verification_token: 'x' }), 400, 'Length of password invalid.');
    text(await reg({ nickname: 'Tom', password: 'x'.repeat(21), verification_token: 'x' }), 400, 'Length of password invalid.');
    text(await reg({ nickname: 'Tom', password: 123456, verification_token: 'x' }), 400, 'Length of password invalid.');
    text(await reg({ nickname: 'Tom', password: 'P@ssw0rd', verification_token: 'not-a-uuid' }), 400, 'Invalid verification_token.');
    text(await reg({ nickname: 'Tom', password: 'P@ssw0rd', verification_token: '75dd0f90-9b0d-11e5-803f-59b82644bc50' }), 404, 'Unknown verification_token.');
    // 32 characters of CJK (96 bytes) and markup: accepted, HTML-escaped
    const nick = '汤'.repeat(30) + '<b';
    let r = await reg({ nickname: nick, password: 'P@ssw0rd', verification_token: token });
    answer(r, { code: 200, result: { id: r.json?.result?.id } });
    assert.match(r.json.result.id, USER_ID);
    const id = r.json.result.id;
    r = await c.req('GET', `/user/${id}`);
    answer(r, { code: 200, result: { id, nickname: '汤'.repeat(30) + '&lt;b', portraitUri: '', gender: 'male', stAccount: '', phone } });
    // the token is single-use
    text(await reg({ nickname: 'Tom', password: 'P@ssw0rd', verification_token: token }), 404, 'Unknown verification_token.');
    // a verified phone that is taken
    const again = await verifiedToken(ctx, c, phone);
    text(await reg({ nickname: 'Tom', password: 'P@ssw0rd', verification_token: again }), 400, 'Phone number has already existed.');
    c.close();
  });

  test('login: unknown phone 1000, wrong password 1001, bad input 400', async () => {
    const u = await signUp(ctx);
    const c = appClient(ctx.srv);
    answer(await post(c, '/user/login', { region: 86, phone: newPhone(), password: 'P@ssw0rd' }), { code: 1000 });
    let r = await post(c, '/user/login', { region: 86, phone: u.phone, password: 'wrong-pass' });
    answer(r, { code: 1001 });
    assert.deepEqual(r.setCookie, []);
    text(await post(c, '/user/login', { region: 86, phone: '123', password: 'P@ssw0rd' }), 400, 'Invalid region and phone number.');
    text(await post(c, '/user/login', { region: 86, phone: u.phone }), 400, 'Invalid password.');
    text(await post(c, '/user/login', { region: 86, phone: u.phone, password: 'x'.repeat(200) }), 400, 'Invalid password.');
    c.close();
  });

  test('get_token (GET and POST) returns an IM token the IM face accepts', async () => {
    const u = await signUp(ctx, { nickname: 'Ann' });
    for (const m of ['GET', 'POST']) {
      const r = await u.c.req(m, '/user/get_token');
      // id (what both generations of the apps read) and userId (the document's name)
      answer(r, { code: 200, result: { id: u.id, userId: u.id, token: r.json?.result?.token } });
      assert.equal(typeof r.json.result.token, 'string');
      assert.ok(r.json.result.token.length >= 32);
      await assertImToken(ctx, r.json.result.token, { phone: u.phone, nickname: 'Ann' });
    }
    // the app user's phone and password also sign in on the IM face
    const im = imAs(ctx);
    const t = assertToken(await im.req('POST', '/token/login', { body: { login_name: u.phone, password: u.password } }), accountId(ctx.srv, u.phone));
    await assertImToken(ctx, t.token, { phone: u.phone, nickname: 'Ann' });
    im.close();
  });

  test('change_password: wrong old 1000; keeps this session, ends the others and the IM tokens', async () => {
    const u = await signUp(ctx);
    const other = appClient(ctx.srv);
    assertLogin(await post(other, '/user/login', { region: 86, phone: u.phone, password: u.password }), u.id);
    const cp = (b) => post(u.c, '/user/change_password', b);
    text(await cp({ oldPassword: u.password, newPassword: 'new pass' }), 400, 'New password must have no space.');
    text(await cp({ oldPassword: u.password, newPassword: 'short' }), 400, 'Invalid new password length.');
    text(await cp({ newPassword: 'NewPass1' }), 400, 'Invalid old password.');
    answer(await cp({ oldPassword: 'not-it-1', newPassword: 'NewPass1' }), { code: 1000 });
    await assertImToken(ctx, u.imToken, { phone: u.phone, nickname: 'Tom' }); // refused: nothing ended
    answer(await cp({ oldPassword: u.password, newPassword: 'NewPass1' }), { code: 200 });
    await assertSession(u.c);
    notLoggedIn(await other.req('GET', '/user/get_poke'));
    await assertImTokenDead(ctx, u.imToken);
    answer(await post(other, '/user/login', { region: 86, phone: u.phone, password: u.password }), { code: 1001 });
    assertLogin(await post(other, '/user/login', { region: 86, phone: u.phone, password: 'NewPass1' }), u.id);
    text(await u.c.req('POST', '/user/change_password'), 400, 'a JSON body is required');
    other.close();
  });

  test('reset_password by verification token ends every session and IM token', async () => {
    const u = await signUp(ctx);
    const c = appClient(ctx.srv);
    const rp = (b) => post(c, '/user/reset_password', b);
    text(await rp({ password: 'new pass', verification_token: 'x' }), 400, 'Password must have no space.');
    text(await rp({ password: 'short', verification_token: 'x' }), 400, 'Length of password invalid.');
    text(await rp({ password: 'NewPass1', verification_token: 'x' }), 400, 'Invalid verification_token.');
    text(await rp({ password: 'NewPass1', verification_token: '75dd0f90-9b0d-41e5-803f-59b82644bc50' }), 404, 'Unknown verification_token.');
    // a verified phone with no account
    const nobody = await verifiedToken(ctx, c, newPhone());
    text(await rp({ password: 'NewPass1', verification_token: nobody }), 404, 'Unknown phone number.');
    const token = await verifiedToken(ctx, c, u.phone);
    await assertSession(u.c); // the refusals above ended nothing
    answer(await rp({ password: 'NewPass1', verification_token: token }), { code: 200 });
    notLoggedIn(await u.c.req('GET', '/user/get_poke'));
    await assertImTokenDead(ctx, u.imToken);
    text(await rp({ password: 'NewPass2', verification_token: token }), 404, 'Unknown verification_token.');
    answer(await post(c, '/user/login', { region: 86, phone: u.phone, password: u.password }), { code: 1001 });
    assertLogin(await post(c, '/user/login', { region: 86, phone: u.phone, password: 'NewPass1' }), u.id);
    c.close();
  });
  test('a disabled account (IM face admin) has its sessions ended and cannot log in', async () => {
    const u = await signUp(ctx);
    const im = imAs(ctx);
    const t = assertToken(await im.req('POST', '/token/login', { body: { login_name: u.phone, password: u.password } }), accountId(ctx.srv, u.phone));
    const admin = imAs(ctx, ctx.srv.defaultApp.admin_token);
    await assertSession(u.c);
    assertTrue(await admin.req('PUT', '/user/disable', { body: { list: [t.user_id] } }));
    notLoggedIn(await u.c.req('GET', '/user/get_poke')); // the disable ended the session
    text(await post(u.c, '/user/login', { region: 86, phone: u.phone, password: u.password }), 403, 'Account disabled.');
    await assertImTokenDead(ctx, t.token);
    await assertImTokenDead(ctx, u.imToken);
    im.close(); admin.close();
  });
});

// Short windows for the settings under test, each long enough for the steps
// a test takes inside it on a busy 2-core machine under ASan (send_code and
// logins wait for the hashing pool); the tests wait them out measured from
// the request that started them.
const LOCKOUT_MS = 5000;
const TTL_MS = 3000;      // sms.code_ttl, verify.token_ttl
const RESEND_MS = 2000;   // sms.resend_interval

describe('app face: throttles, expiry, lockout, delivery failures', () => {
  let ctx;
  before(async () => {
    ctx = await startApp({
      USERD_SMS_CODE_TTL: String(TTL_MS / 1000), USERD_VERIFY_TOKEN_TTL: String(TTL_MS / 1000), USERD_SMS_DEV_CODE: '9999',
      USERD_SMS_RESEND_INTERVAL: String(RESEND_MS / 1000),
      // login.lockout: failed logins at the production Argon2id cost must
      // fit in one window, even on a busy 2-core machine
      USERD_LOGIN_MAX_FAILURES: '3', USERD_LOGIN_LOCKOUT: String(LOCKOUT_MS / 1000),
      USERD_SESSION_COOKIE: 'sid', USERD_SESSION_SECURE: 'true', USERD_SESSION_TTL: '3600',
    });
  });
  after(async () => { await ctx.stop(); });

  test('one send per phone per sms.resend_interval: {code:5000}, nothing delivered; then one more', async () => {
    const c = appClient(ctx.srv);
    const phone = newPhone(), other = newPhone();
    const t0 = Date.now();
    answer(await post(c, '/user/send_code', { region: 86, phone }), { code: 200 });
    const first = ctx.sms.lastCode(phone);
    const n = ctx.sms.messages.length;
    answer(await post(c, '/user/send_code', { region: 86, phone }), { code: 5000 });
    answer(await post(c, '/user/send_code_yp', { region: 86, phone }), { code: 5000 });
    assert.equal(ctx.sms.messages.length, n);
    answer(await post(c, '/user/send_code', { region: 86, phone: other }), { code: 200 }); // another phone is not held up
    await sleep(Math.max(0, t0 + RESEND_MS + 100 - Date.now()));
    answer(await post(c, '/user/send_code', { region: 86, phone }), { code: 200 });
    assert.equal(ctx.sms.messages.length, n + 2);
    // the new code replaces the old one
    const second = ctx.sms.lastCode(phone);
    if (second !== first) answer(await post(c, '/user/verify_code', { region: 86, phone, code: first }), { code: 1000 });
    assertVerified(await post(c, '/user/verify_code', { region: 86, phone, code: second }));
    c.close();
  });

  test('a failed delivery is an error, and the phone may retry at once', async () => {
    const c = appClient(ctx.srv);
    const phone = newPhone();
    ctx.sms.failNext(503);
    text(await post(c, '/user/send_code', { region: 86, phone }), 500, 'Failed to send the SMS code.');
    text(await post(c, '/user/verify_code', { region: 86, phone, code: '9999' }), 404, 'Unknown phone number.');
    answer(await post(c, '/user/send_code', { region: 86, phone }), { code: 200 });
    c.close();
  });

  test('codes and verification tokens expire (settings sms.code_ttl, verify.token_ttl)', async () => {
    const c = appClient(ctx.srv);
    const p1 = newPhone(), p2 = newPhone();
    const token = await verifiedToken(ctx, c, p1); // a code is good within its TTL
    const tokenBy = Date.now(); // the token was made before this
    answer(await post(c, '/user/send_code', { region: 86, phone: p2 }), { code: 200 });
    const codeBy = Date.now();
    const code = ctx.sms.lastCode(p2);
    await sleep(Math.max(0, Math.max(tokenBy, codeBy) + TTL_MS + 100 - Date.now()));
    answer(await post(c, '/user/verify_code', { region: 86, phone: p2, code }), { code: 2000 });
    text(await post(c, '/user/register', { nickname: 'Tom', password: 'P@ssw0rd', verification_token: token }), 404, 'Unknown verification_token.');
    c.close();
  });

  test('USERD_SMS_DEV_CODE is accepted too', async () => {
    const c = appClient(ctx.srv);
    const phone = newPhone();
    answer(await post(c, '/user/send_code', { region: 86, phone }), { code: 200 });
    const sent = ctx.sms.lastCode(phone);
    assert.notEqual(sent, '9999'); // the real code is still sent (six digits)
    assert.match(sent, /^\d{6}$/);
    const r = await post(c, '/user/verify_code', { region: 86, phone, code: 9999 });
    assertVerified(r);
    // and the logs warn that it is on
    assert.ok(ctx.srv.logs().some((l) => /"level":"warn"/.test(l) && /SMS DEVELOPMENT CODE IS ON/.test(l)), ctx.srv.logs().join('\n'));
    c.close();
  });

  test('login lockout after login.max_failures wrong passwords, for login.lockout', async () => {
    const u = await signUp(ctx);
    const c = appClient(ctx.srv);
    const login = (password) => post(c, '/user/login', { region: 86, phone: u.phone, password });
    const success = (r) => {
      assert.deepEqual(Object.keys(r.json), ['code', 'result']);
      assert.equal(r.json.code, 200, r.text);
      assert.deepEqual(Object.keys(r.json.result).sort(), ['id', 'token']);
      assert.equal(r.json.result.id, u.id);
      assert.equal(r.setCookie.length, 1);
    };
    const refused = (r, code) => { assert.deepEqual(r.json, { code }, r.text); assert.deepEqual(r.setCookie, []); };
    // three wrong passwords at once (each from its own connection): they
    // count inside one window however slow the hashing is
    const three = [0, 1, 2].map(() => appClient(ctx.srv));
    const wrong = await Promise.all(three.map((x) => post(x, '/user/login', { region: 86, phone: u.phone, password: 'wrong-pw' })));
    for (const x of three) x.close();
    for (const r of wrong) refused(r, 1001);
    const lockedAt = Date.now(); // the lockout runs a whole window from the third failure's start
    refused(await login(u.password), 1002);
    refused(await login('wrong-pw'), 1002);
    await sleep(Math.max(0, lockedAt + LOCKOUT_MS + 100 - Date.now()));
    success(await login(u.password));
    // a success clears the count: two failures, a success, one failure is not a lockout
    for (let i = 0; i < 2; i++) refused(await login('wrong-pw'), 1001);
    success(await login(u.password));
    refused(await login('wrong-pw'), 1001);
    success(await login(u.password));
    c.close();
  });

  test('cookie name, Max-Age and Secure come from the settings', async () => {
    const c = appClient(ctx.srv);
    const phone = newPhone();
    const token = await verifiedToken(ctx, c, phone);
    const r = await post(c, '/user/register', { nickname: 'Tom', password: 'P@ssw0rd', verification_token: token });
    answer(r, { code: 200, result: { id: r.json?.result?.id } });
    assert.equal(r.setCookie.length, 1);
    const ck = parseSetCookie(r.setCookie[0]);
    assert.equal(ck.name, 'sid');
    assert.deepEqual(ck.attrs, { path: '/', 'max-age': '3600', httponly: true, samesite: 'Lax', secure: true });
    assert.equal(c.jar.get('rong_auth_cookie'), undefined);
    await assertSession(c);
    c.close();
  });
});

describe('app face: the per-IP hourly cap and the log provider', () => {
  let srv;
  before(async () => { srv = await startUserd({ env: { USERD_SMS_IP_HOURLY_LIMIT: '3', USERD_LOG_ACCESS: 'false' } }); });
  after(async () => { await srv.stop(); });

  test('sends above sms.ip_hourly_limit from one IP: {code:3004}; the log provider logs the code', async () => {
    const c = appClient(srv);
    const phones = [newPhone(), newPhone(), newPhone(), newPhone()];
    for (const phone of phones.slice(0, 3)) answer(await post(c, '/user/send_code', { region: 86, phone }), { code: 200 });
    answer(await post(c, '/user/send_code', { region: 86, phone: phones[3] }), { code: 3004 });
    const line = await srv.waitLog(new RegExp(`code (\\d{6}) for \\+86 ${phones[0]}`));
    const code = line.match(/code (\d{6})/)[1];
    assert.ok(!srv.logs().some((l) => l.includes(`+86 ${phones[3]}`)));
    const r = await post(c, '/user/verify_code', { region: 86, phone: phones[0], code });
    assertVerified(r);
    c.close();
  });
});

describe('app face: per-IP cap behind a proxy (http.trust_proxy)', () => {
  const send = (c, phone, xff) => c.req('POST', '/user/send_code', {
    body: { region: 86, phone }, headers: { 'X-Forwarded-For': xff },
  });

  test('with trust_proxy the last X-Forwarded-For address is the client; without it the header is ignored', async () => {
    const trusted = await startUserd({ env: { USERD_SMS_IP_HOURLY_LIMIT: '2', USERD_HTTP_TRUST_PROXY: 'true' } });
    let c = appClient(trusted);
    // the client's own claim (first entries) does not matter, the proxy's last entry does
    answer(await send(c, newPhone(), '9.9.9.1, 10.0.0.1'), { code: 200 });
    answer(await send(c, newPhone(), '9.9.9.2, 10.0.0.1'), { code: 200 });
    answer(await send(c, newPhone(), '9.9.9.3, 10.0.0.1'), { code: 3004 });
    answer(await send(c, newPhone(), '10.0.0.2'), { code: 200 });
    c.close();
    await trusted.stop();

    const direct = await startUserd({ env: { USERD_SMS_IP_HOURLY_LIMIT: '2' } });
    c = appClient(direct);
    answer(await send(c, newPhone(), '10.0.0.1'), { code: 200 });
    answer(await send(c, newPhone(), '10.0.0.2'), { code: 200 });
    answer(await send(c, newPhone(), '10.0.0.3'), { code: 3004 });
    c.close();
    await direct.stop();
  });
});

describe('app face: provider http without sms.url', () => {
  let srv;
  before(async () => { srv = await startUserd({ env: { USERD_SMS_PROVIDER: 'http', USERD_LOG_ACCESS: 'false' } }); });
  after(async () => { await srv.stop(); });

  test('send_code: 500 SMS delivery is not configured, and the phone may retry', async () => {
    const c = appClient(srv);
    const phone = newPhone();
    for (let i = 0; i < 2; i++) text(await post(c, '/user/send_code', { region: 86, phone }), 500, 'SMS delivery is not configured.');
    c.close();
  });
});
