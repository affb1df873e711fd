// Helpers for the app-face black-box tests (app_*.test.mjs): a userd with the
// SMS provider `http` pointed at a capture server, sign-up through the real
// routes, and direct store access for the tables no API writes yet.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appClient, imClient, smsCapture, startUserd } from './lib/harness.mjs';

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
  assert.equal(r.json?.code, 200, r.text);
  return r.json.result.verification_token;
}

/**
 * A new signed-in user: send_code, verify_code, register (cookie set), login.
 * @returns {Promise<{c:object, id:string, phone:string, password:string, imToken:string}>}
 */
export async function signUp(ctx, { nickname = 'Tom', password = 'P@ssw0rd', phone = newPhone() } = {}) {
  const c = appClient(ctx.srv);
  const token = await verifiedToken(ctx, c, phone);
  let r = await post(c, '/user/register', { nickname, password, verification_token: token });
  assert.equal(r.json?.code, 200, r.text);
  r = await post(c, '/user/login', { region: 86, phone, password });
  assert.equal(r.json?.code, 200, r.text);
  return { c, id: r.json.result.id, phone, password, imToken: r.json.result.token };
}

/** An IM-face client for the default app with a token. */
export const imAs = (ctx, token) => imClient(ctx.srv, ctx.srv.defaultApp, token);

/**
 * Runs SQL on the server's store (sqlite3 or psql, whichever the store is):
 * for tables that no API writes yet. Returns stdout, trimmed.
 */
export function sql(srv, statement) {
  const url = srv.storeUrl;
  if (url.startsWith('sqlite:')) {
    return execFileSync('sqlite3', ['-cmd', '.timeout 5000', url.slice(7), statement], { encoding: 'utf8' }).trim();
  }
  return execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', statement], { encoding: 'utf8' }).trim();
}

/** The numeric account id of a phone (region 86). */
export const accountId = (srv, phone) => Number(sql(srv, `SELECT id FROM accounts WHERE mobile = '${phone}'`));
