// Helpers for the app-face black-box tests (app_*.test.mjs): a userd with the
// SMS provider `http` pointed at a capture server, sign-up through the real
// routes, and direct store access for the tables no API writes yet.
import assert from 'node:assert/strict';
import { appClient, imClient, smsCapture, startUserd, storeQuery } from './lib/harness.mjs';

/**
 * The answer to a request without a valid session: HTTP 403 with the JSON
 * {code:1000, msg:"Not loged in."} (the current iOS app signs in again on
 * it; the older apps and Android read only the status; docs/app.md).
 */
export function notLoggedIn(r, what = '') {
  assert.equal(r.status, 403, `${what} ${r.text}`);
  assert.match(r.headers['content-type'] || '', /^application\/json/, what);
  assert.deepEqual(r.json, { code: 1000, msg: 'Not loged in.' }, what);
}

let phoneSeq = 0;
/** A fresh valid mainland China mobile number, unique within the process. */
export function newPhone() {
  phoneSeq += 1;
  return `139${String(process.pid % 10000).padStart(4, '0')}${String(phoneSeq).padStart(4, '0')}`;
}

/**
 * userd with provider http -> a capture server; env overrides settings.
 * @returns {Promise<{srv:object, sms:object, stop:()=>Promise<void>}>}
 */
export async function startApp(env = {}) {
  const sms = await smsCapture();
  const srv = await startUserd({
    env: {
      USERD_SMS_PROVIDER: 'http',
      USERD_SMS_URL: sms.url,
      USERD_SMS_IP_HOURLY_LIMIT: '100000',
      USERD_LOG_ACCESS: 'false',
      ...env,
    },
  }).catch(async (e) => { await sms.close(); throw e; }); // a failed start must not leave the capture server open
  return { srv, sms, stop: async () => { await srv.stop(); await sms.close(); } };
}

/** POST JSON on the app face with client c; asserts nothing. */
export const post = (c, path, body) => c.req('POST', path, { body });

/** send_code + verify_code through the routes; returns the verification_token. */
export async function verifiedToken(ctx, c, phone, region = '86') {
  const n = ctx.sms.messages.length;
  let r = await post(c, '/user/send_code', { region: Number(region), phone: Number(phone) });
  assert.deepEqual(r.json, { code: 200 }, r.text);
  assert.equal(ctx.sms.messages.length, n + 1);
  const code = ctx.sms.lastCode(phone);
  r = await post(c, '/user/verify_code', { region: Number(region), phone: Number(phone), code });
  return assertVerified(r);
}

/**
 * A new signed-in user: send_code, verify_code, register (cookie set), login.
 * @returns {Promise<{c:object, id:string, phone:string, password:string, imToken:string}>}
 */
export async function signUp(ctx, { nickname = 'Tom', password = 'P@ssw0rd', phone = newPhone() } = {}) {
  const c = appClient(ctx.srv);
  const token = await verifiedToken(ctx, c, phone);
  let r = await post(c, '/user/register', { nickname, password, verification_token: token });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { code: 200, result: { id: r.json?.result?.id } }, r.text);
  const id = r.json.result.id;
  r = await post(c, '/user/login', { region: 86, phone, password });
  const l = assertLogin(r, id);
  return { c, id, phone, password, imToken: l.token };
}

/** An IM-face client for the default app with a token. */
export const imAs = (ctx, token) => imClient(ctx.srv, ctx.srv.defaultApp, token);

/** Runs SQL on the server's store (harness storeQuery): for tables that no API writes yet. */
export const sql = storeQuery;

/** The numeric account id of a phone (region 86). */
export const accountId = (srv, phone) => Number(sql(srv, `SELECT id FROM accounts WHERE mobile = '${phone}'`));

/** A request error of the app face: this HTTP status and exactly this plain-text body. */
export function text(r, status, body) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers['content-type'], /^text\/plain/);
  assert.equal(r.text, body);
}

/** A business answer: HTTP 200, JSON, exactly this body (e.g. {code:200} or {code:1001}). */
export function answer(r, body) {
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers['content-type'], /^application\/json/);
  assert.deepEqual(r.json, body, r.text);
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const PRIVACY_DEFAULT = { phoneVerify: 1, stSearchVerify: 1, friVerify: 1, groupVerify: 1 };

/** verify_code's success: exactly {code:200, result:{verification_token:<uuid>}}; returns the token. */
export function assertVerified(r) {
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json), ['code', 'result'], r.text);
  assert.equal(r.json.code, 200, r.text);
  assert.deepEqual(Object.keys(r.json.result), ['verification_token']);
  assert.match(r.json.result.verification_token, UUID);
  return r.json.result.verification_token;
}

/** login's success: exactly {code:200, result:{id, token}} for user id (when given), one session cookie; returns result. */
export function assertLogin(r, id) {
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json), ['code', 'result'], r.text);
  assert.equal(r.json.code, 200, r.text);
  assert.deepEqual(Object.keys(r.json.result).sort(), ['id', 'token']);
  if (id !== undefined) assert.equal(r.json.result.id, id);
  assert.match(r.json.result.id, /^[0-9A-Za-z]{1,9}$/);
  assert.equal(typeof r.json.result.token, 'string');
  assert.ok(r.json.result.token.length >= 32);
  assert.equal(r.setCookie.length, 1);
  return r.json.result;
}

/** The session of client c is live: get_poke answers (the default poke status unless given). */
export async function assertSession(c, pokeStatus = 1) {
  answer(await c.req('GET', '/user/get_poke'), { code: 200, result: { pokeStatus } });
}

/**
 * The IM token works on the IM face and is the app user's: its profile shows
 * the phone and the nickname (no IM username: the account was made on the app face).
 */
export async function assertImToken(ctx, token, { phone, nickname }) {
  const im = imAs(ctx, token);
  try {
    const r = await im.req('GET', '/user/profile');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, {
      code: 200, message: '', data: {
        user_id: r.json.data?.user_id, username: '', avatar: '', description: '', mobile: phone, email: '',
        nick_name: nickname, public_info: '', private_info: '',
      },
    });
    assert.equal(r.json.data.user_id, accountId(ctx.srv, phone));
  } finally { im.close(); }
}

/** The IM token no longer works (10008). */
export async function assertImTokenDead(ctx, token) {
  const im = imAs(ctx, token);
  try {
    const r = await im.req('GET', '/user/profile');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json), ['code', 'message', 'data']);
    assert.equal(r.json.code, 10008, r.text);
    assert.equal(r.json.data, null);
  } finally { im.close(); }
}
