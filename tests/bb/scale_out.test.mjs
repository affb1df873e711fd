// Scale-out: two userd processes on one store behave as one service.
// Accounts, tokens, sessions, SMS codes, throttles and lockouts live in the
// store, so whatever one process does, the other sees at once. The store is
// a fresh PostgreSQL database when $USERD_TEST_PG_ADMIN_URL is set (make
// test-pg), else one SQLite file that both processes open.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appClient, httpRequest, imClient, smsCapture, startUserd } from './lib/harness.mjs';

const BACKEND = process.env.USERD_TEST_PG_ADMIN_URL ? 'PostgreSQL' : 'SQLite';

/** Two processes, A then B, on A's store; env applies to both. */
async function pair(env) {
  const a = await startUserd({ env });
  const b = await startUserd({ env, storeUrl: a.storeUrl });
  return { a, b, app: a.defaultApp, stop: async () => { await b.stop(); await a.stop(); } };
}

function ok(r) {
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json ?? {}), ['code', 'message', 'data'], r.text);
  assert.equal(r.json.code, 200, r.text);
  assert.equal(r.json.message, '');
  return r.json.data;
}

function imError(r, code) {
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json ?? {}), ['code', 'message', 'data'], r.text);
  assert.equal(r.json.code, code, r.text);
  assert.equal(r.json.data, null);
}

/** An app-face business answer: HTTP 200 and exactly this body. */
function appAnswer(r, body) {
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, body, r.text);
}

const tag = `${process.pid % 100000}`;
let seq = 0;
const uname = (p = 'so') => `${p}_${tag}_${++seq}`;
let phoneSeq = 0;
const newPhone = () => `137${String(process.pid % 10000).padStart(4, '0')}${String(++phoneSeq).padStart(4, '0')}`;
const post = (c, path, body) => c.req('POST', path, { body });

describe(`scale-out on ${BACKEND}: accounts, tokens, sessions, lockouts`, () => {
  let p, sms, admin;
  before(async () => {
    sms = await smsCapture();
    p = await pair({
      USERD_SMS_PROVIDER: 'http', USERD_SMS_URL: sms.url, USERD_SMS_IP_HOURLY_LIMIT: '100000',
      USERD_SMS_RESEND_INTERVAL: '0', USERD_LOGIN_MAX_FAILURES: '3', USERD_LOGIN_LOCKOUT: '600',
      USERD_LOG_ACCESS: 'false',
    });
    admin = imClient(p.a, p.app, p.app.admin_token);
  });
  after(async () => { admin?.close(); await p?.stop(); await sms?.close(); });

  const im = (srv, token) => imClient(srv, p.app, token);
  async function signIn(srv, name, password, guid) {
    const c = im(srv);
    const d = ok(await c.req('POST', '/token/user', { body: { name, password, ...(guid ? { device_guid: guid } : {}) } }));
    c.close();
    return d;
  }

  test('register on A, sign in on B; a token from either works on both', async () => {
    const name = uname();
    const openA = im(p.a);
    const reg = ok(await openA.req('POST', '/user/register/v2', { body: { username: name, password: 'secret123' } }));
    openA.close();
    const onB = await signIn(p.b, name, 'secret123');
    assert.equal(onB.user_id, reg.user_id);
    const onA = await signIn(p.a, name, 'secret123');
    for (const srv of [p.a, p.b]) {
      for (const t of [onA.token, onB.token]) {
        const c = im(srv, t);
        assert.equal(ok(await c.req('GET', '/user/profile')).username, name);
        c.close();
      }
    }
    // the same name again, on B: taken
    const openB = im(p.b);
    imError(await openB.req('POST', '/user/register/v2', { body: { username: name, password: 'secret123' } }), 10004);
    // a profile change on B is read on A
    const cb = im(p.b, onB.token);
    ok(await cb.req('POST', '/user/nickname', { query: { nick_name: 'seen-on-a' } }));
    cb.close();
    const ca = im(p.a, onA.token);
    assert.equal(ok(await ca.req('GET', '/user/profile')).nick_name, 'seen-on-a');
    ca.close(); openB.close();
  });

  test('kick on A ends the kicked device\'s token on B, and only it', async () => {
    const name = uname();
    const o = im(p.a);
    ok(await o.req('POST', '/user/register/v2', { body: { username: name, password: 'secret123' } }));
    o.close();
    const t1 = await signIn(p.b, name, 'secret123', 'phone-1');
    const t2 = await signIn(p.b, name, 'secret123', 'phone-2');
    const a2 = im(p.a, t2.token);
    const list = await a2.req('GET', '/user/device/list');
    assert.deepEqual(Object.keys(list.json ?? {}), ['code', 'version', 'message', 'data'], list.text);
    assert.equal(list.json.code, 200);
    const devices = list.json.data;
    assert.equal(devices.length, 2);
    assert.deepEqual(devices.map((d) => d.device_sn).sort(), [1, 2]); // numbered in sign-in order
    ok(await a2.req('POST', '/user/kick', { query: { device_sn: 1 } }));
    const b1 = im(p.b, t1.token), b2 = im(p.b, t2.token);
    imError(await b1.req('GET', '/user/profile'), 10008);
    ok(await b2.req('GET', '/user/profile'));
    // kick every device, on A: B refuses the rest at once
    ok(await a2.req('POST', '/user/kick'));
    imError(await b2.req('GET', '/user/profile'), 10008);
    a2.close(); b1.close(); b2.close();
  });

  test('disable on A: B refuses the tokens and the sign-in; enable on B lets A sign in again', async () => {
    const name = uname();
    const o = im(p.a);
    const reg = ok(await o.req('POST', '/user/register/v2', { body: { username: name, password: 'secret123' } }));
    o.close();
    const t = await signIn(p.b, name, 'secret123');
    const adminA = imClient(p.a, p.app, p.app.admin_token);
    const adminB = imClient(p.b, p.app, p.app.admin_token);
    ok(await adminA.req('PUT', '/user/disable', { body: { list: [reg.user_id] } }));
    const b = im(p.b, t.token);
    imError(await b.req('GET', '/user/profile'), 10008);
    const ob = im(p.b);
    imError(await ob.req('POST', '/token/user', { body: { name, password: 'secret123' } }), 10009);
    ok(await adminB.req('PUT', '/user/enable', { body: { list: [reg.user_id] } }));
    const again = await signIn(p.a, name, 'secret123');
    const b2 = im(p.b, again.token);
    ok(await b2.req('GET', '/user/profile'));
    for (const c of [adminA, adminB, b, ob, b2]) c.close();
  });

  test('app face: code sent by A is verified on B; a session from B works on A; logout on A ends it on B', async () => {
    const phone = newPhone();
    const ca = appClient(p.a), cb = appClient(p.b);
    assert.deepEqual((await post(ca, '/user/send_code', { region: 86, phone })).json, { code: 200 });
    const code = await sms.waitCode(phone);
    let r = await post(cb, '/user/verify_code', { region: 86, phone, code });
    const token = r.json?.result?.verification_token;
    appAnswer(r, { code: 200, result: { verification_token: token } });
    r = await post(ca, '/user/register', { nickname: 'Twin', password: 'P@ssw0rd', verification_token: token });
    const id = r.json?.result?.id;
    appAnswer(r, { code: 200, result: { id } });
    // the verification token was used on A: B refuses it
    r = await post(cb, '/user/register', { nickname: 'Twin', password: 'P@ssw0rd', verification_token: token });
    assert.equal(r.status, 404, r.text);
    assert.equal(r.text, 'Unknown verification_token.');

    const session = appClient(p.b);
    r = await post(session, '/user/login', { region: 86, phone, password: 'P@ssw0rd' });
    appAnswer(r, { code: 200, result: { id, token: r.json?.result?.token } });
    const cookie = session.jar.header();
    const onA = async () => httpRequest({ port: p.a.app, path: '/user/get_poke', headers: { Cookie: cookie } });
    const onB = async () => httpRequest({ port: p.b.app, path: '/user/get_poke', headers: { Cookie: cookie } });
    appAnswer(await onA(), { code: 200, result: { pokeStatus: 1 } });
    appAnswer(await onB(), { code: 200, result: { pokeStatus: 1 } });
    // the IM token that login returned works on A's IM face
    const imA = im(p.a, r.json.result.token);
    assert.equal(ok(await imA.req('GET', '/user/profile')).nick_name, 'Twin');
    imA.close();
    r = await httpRequest({ port: p.a.app, method: 'POST', path: '/user/logout', headers: { Cookie: cookie } });
    assert.deepEqual(r.json, { code: 200 });
    for (const res of [await onA(), await onB()]) {
      assert.equal(res.status, 403, res.text);
      assert.deepEqual(res.json, { code: 1000, msg: 'Not loged in.' });
    }
    for (const c of [ca, cb, session]) c.close();
  });

  test('login lockout counts failures made on both processes', async () => {
    const phone = newPhone();
    const ca = appClient(p.a), cb = appClient(p.b);
    await post(ca, '/user/send_code', { region: 86, phone });
    const code = await sms.waitCode(phone);
    const v = await post(cb, '/user/verify_code', { region: 86, phone, code });
    appAnswer(v, { code: 200, result: { verification_token: v.json?.result?.verification_token } });
    const reg = await post(ca, '/user/register', { nickname: 'Lock', password: 'P@ssw0rd', verification_token: v.json.result.verification_token });
    appAnswer(reg, { code: 200, result: { id: reg.json?.result?.id } });
    const wrong = { region: 86, phone, password: 'not-it-1' };
    assert.deepEqual((await post(ca, '/user/login', wrong)).json, { code: 1001 });
    assert.deepEqual((await post(cb, '/user/login', wrong)).json, { code: 1001 });
    assert.deepEqual((await post(ca, '/user/login', wrong)).json, { code: 1001 });
    // three failures across A and B: locked on both, even with the right password
    for (const c of [cb, ca])
      assert.deepEqual((await post(c, '/user/login', { region: 86, phone, password: 'P@ssw0rd' })).json, { code: 1002 });
    ca.close(); cb.close();
  });
});

