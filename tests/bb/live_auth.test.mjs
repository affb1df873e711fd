// Live face: request signing ("Qiniu AK:sign", "QBox AK:sign"), the app an
// AK selects, request ids and the error envelope. Every request is signed
// by the official Node SDK (npm qiniu) unless the test is about a bad one.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import qiniu from 'qiniu';
import { startUserd, createApp, liveClient, httpRequest, rawHttp } from './lib/harness.mjs';

const ENVELOPE_KEYS = ['request_id', 'code', 'message', 'data'];

/** An error answer: HTTP status, the same code in the envelope, data null, X-Reqid = request_id. */
function assertError(r, status, code = status) {
  assert.equal(r.status, status, r.text);
  assert.deepEqual(Object.keys(r.json), ENVELOPE_KEYS);
  assert.equal(r.json.code, code);
  assert.equal(typeof r.json.message, 'string');
  assert.ok(r.json.message.length > 0);
  assert.equal(r.json.data, null);
  assert.equal(typeof r.json.request_id, 'string');
  assert.equal(r.headers['x-reqid'], r.json.request_id);
}

/** A success: exactly {request_id, code:0, message:'success', data}, X-Reqid = request_id; returns data. */
function assertOk(r) {
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json), ENVELOPE_KEYS);
  assert.equal(r.json.code, 0);
  assert.equal(r.json.message, 'success');
  assert.equal(typeof r.json.request_id, 'string');
  assert.equal(r.headers['x-reqid'], r.json.request_id);
  return r.json.data;
}

/** The SDK's v2 Authorization for a request (port-less URL, see NOTES.md). */
function signV2(keys, method, pathWithQuery, body = '', ct = 'application/json', headers) {
  const mac = new qiniu.auth.digest.Mac(keys.access_key, keys.secret_key);
  return qiniu.util.generateAccessTokenV2(mac, 'http://127.0.0.1' + pathWithQuery, method, ct, body, headers);
}

/** Sends a request with exactly these headers (Host 127.0.0.1). */
function send(srv, method, path, { body, headers = {} } = {}) {
  return httpRequest({ port: srv.live, method, path, body, headers: { Host: '127.0.0.1', ...headers } });
}

describe('live face: authentication', () => {
  let srv, app, other, live, INFO;
  const USER = { user_id: 'auth_user', nick: 'Auth', avatar: 'https://example.com/a.png', extends: { k: 'v' } };
  /** The answer is auth_user's info: the request was let through, for this app. */
  const assertAuthUser = (r) => assert.deepEqual(assertOk(r), INFO);

  before(async () => {
    srv = await startUserd();
    app = srv.defaultApp;
    other = createApp(srv, 'other');
    live = liveClient(srv, app);
    assert.equal(assertOk(await live.req('POST', '/server/user/register', { body: USER })), null);
    const d = (await live.req('GET', '/server/user/info/auth_user')).json?.data;
    INFO = { user_id: 'auth_user', nick: 'Auth', avatar: 'https://example.com/a.png', im_userid: d?.im_userid, extends: { k: 'v' } };
    assert.ok(Number.isSafeInteger(INFO.im_userid) && INFO.im_userid > 0);
  });
  after(async () => { live.close(); await srv.stop(); });

  test('a request signed by the SDK is accepted', async () => {
    const r = await live.req('GET', '/server/user/info/auth_user');
    assertAuthUser(r);
    assert.deepEqual(Object.keys(r.json.data), ['user_id', 'nick', 'avatar', 'im_userid', 'extends']);
  });

  test('missing Authorization: 401', async () => {
    assertError(await live.req('GET', '/server/user/info/auth_user', { authorization: null }), 401);
    assertError(await live.req('GET', '/server/user/info/auth_user', { authorization: '' }), 401);
  });

  test('malformed Authorization: 401', async () => {
    const good = signV2(app, 'GET', '/server/user/info/auth_user');
    const sign = good.slice(good.indexOf(':') + 1);
    for (const auth of [
      'Qiniu', `Qiniu ${app.access_key}`, `Qiniu ${app.access_key}:`, `Qiniu :${sign}`,
      `Bearer ${app.access_key}:${sign}`, `qiniu ${app.access_key}:${sign}`,
      `Qiniu ${app.access_key}:${sign.slice(0, -2)}!!`, `Qiniu  ${app.access_key}:${sign}`,
    ]) {
      assertError(await live.req('GET', '/server/user/info/auth_user', { authorization: auth }), 401);
    }
  });

  test('unknown AK: 401', async () => {
    const r = await live.req('GET', '/server/user/info/auth_user', {
      signWith: { access_key: 'no-such-ak', secret_key: app.secret_key },
    });
    assertError(r, 401);
  });

  test('wrong signature (right AK, wrong SK): 401', async () => {
    const r = await live.req('GET', '/server/user/info/auth_user', {
      signWith: { access_key: app.access_key, secret_key: other.secret_key },
    });
    assertError(r, 401);
  });

  test('the AK selects the app: another app does not see this app\'s users', async () => {
    const r = await live.req('GET', '/server/user/info/auth_user', { signWith: other });
    assertError(r, 404);
    // The same user_id is free in the other app.
    assert.equal(assertOk(await live.req('POST', '/server/user/register', { body: { user_id: 'auth_user' }, signWith: other })), null);
    assertAuthUser(await live.req('GET', '/server/user/info/auth_user'));
    const theirs = assertOk(await live.req('GET', '/server/user/info/auth_user', { signWith: other }));
    assert.deepEqual(theirs, { user_id: 'auth_user', nick: '', avatar: '', im_userid: theirs.im_userid, extends: {} });
    assert.notEqual(theirs.im_userid, INFO.im_userid);
  });

  test('tampered body: 401, and nothing changes', async () => {
    const r = await live.req('PUT', '/server/user/auth_user', {
      body: { nick: 'Signed' }, tamperBody: JSON.stringify({ nick: 'Tampered' }),
    });
    assertError(r, 401);
    assertAuthUser(await live.req('GET', '/server/user/info/auth_user'));
    // A body added to a request signed without one.
    const auth = signV2(app, 'POST', '/server/user/register', '');
    assertError(await send(srv, 'POST', '/server/user/register', {
      body: JSON.stringify({ user_id: 'sneaky' }), headers: { 'Content-Type': 'application/json', Authorization: auth },
    }), 401);
    assertError(await live.req('GET', '/server/user/info/sneaky'), 404);
  });

  test('tampered query or path: 401', async () => {
    const auth = signV2(app, 'GET', '/server/user/infos?user_ids=auth_user');
    const ok = await send(srv, 'GET', '/server/user/infos?user_ids=auth_user',
      { headers: { 'Content-Type': 'application/json', Authorization: auth } });
    assert.deepEqual(assertOk(ok), [INFO]);
    for (const p of ['/server/user/infos?user_ids=other', '/server/user/infos?user_ids=auth_user&user_ids=x',
      '/server/user/infos', '/server/user/profiles?user_ids=auth_user']) {
      assertError(await send(srv, 'GET', p, { headers: { 'Content-Type': 'application/json', Authorization: auth } }), 401);
    }
  });

  test('tampered method, Host or Content-Type: 401', async () => {
    const auth = signV2(app, 'GET', '/server/user/info/auth_user');
    const h = { 'Content-Type': 'application/json', Authorization: auth };
    assertAuthUser(await send(srv, 'GET', '/server/user/info/auth_user', { headers: h }));
    assertError(await send(srv, 'GET', '/server/user/info/auth_user', { headers: { ...h, Host: 'evil.example' } }), 401);
    assertError(await send(srv, 'GET', '/server/user/info/auth_user', { headers: { ...h, 'Content-Type': 'text/plain' } }), 401);
    assertError(await send(srv, 'PUT', '/server/user/auth_user', { headers: h, body: '{}' }), 401);
  });

  test('X-Qiniu-* headers are signed', async () => {
    // A current date: one outside live.max_clock_skew is refused (live_replay.test.mjs).
    const date = qiniu.util.formatDateUTC(new Date(), 'YYYYMMDDTHHmmssZ');
    const headers = { 'X-Qiniu-Date': date, 'x-qiniu-zzz': 'last', 'X-Qiniu-Aaa': 'first' };
    assertAuthUser(await live.req('GET', '/server/user/info/auth_user', { headers }));
    const auth = signV2(app, 'GET', '/server/user/info/auth_user', '', 'application/json', headers);
    const base = { 'Content-Type': 'application/json', Authorization: auth };
    assertAuthUser(await send(srv, 'GET', '/server/user/info/auth_user', { headers: { ...base, ...headers } }));
    assertError(await send(srv, 'GET', '/server/user/info/auth_user',
      { headers: { ...base, ...headers, 'X-Qiniu-Aaa': 'changed' } }), 401);
    assertError(await send(srv, 'GET', '/server/user/info/auth_user',
      { headers: { ...base, ...headers, 'X-Qiniu-Extra': 'added' } }), 401);
    // Headers that are not X-Qiniu-* are not signed.
    assertAuthUser(await send(srv, 'GET', '/server/user/info/auth_user', { headers: { ...base, ...headers, 'X-Other': '1' } }));
  });

  test('the sign is accepted with or without = padding', async () => {
    const auth = signV2(app, 'GET', '/server/user/info/auth_user');
    assert.ok(auth.endsWith('='));
    const h = { 'Content-Type': 'application/json' };
    assertAuthUser(await send(srv, 'GET', '/server/user/info/auth_user', { headers: { ...h, Authorization: auth.replace(/=+$/, '') } }));
  });

  test('no Content-Type: the signing string has no Content-Type line and no body', async () => {
    const data = 'GET /server/user/info/auth_user\nHost: 127.0.0.1\n\n';
    const sign = crypto.createHmac('sha1', app.secret_key).update(data).digest('base64')
      .replace(/\+/g, '-').replace(/\//g, '_');
    assertAuthUser(await send(srv, 'GET', '/server/user/info/auth_user', { headers: { Authorization: `Qiniu ${app.access_key}:${sign}` } }));
  });

  test('a body the signature does not cover is refused', async () => {
    // No Content-Type: the signing string ends before the body.
    const data = 'POST /server/user/register\nHost: 127.0.0.1\n\n';
    const sign = crypto.createHmac('sha1', app.secret_key).update(data).digest('base64')
      .replace(/\+/g, '-').replace(/\//g, '_');
    const r = await send(srv, 'POST', '/server/user/register',
      { body: JSON.stringify({ user_id: 'unsigned' }), headers: { Authorization: `Qiniu ${app.access_key}:${sign}` } });
    assertError(r, 401);
    assert.match(r.json.message, /not signed/);
    // application/octet-stream: the SDK leaves the body out of the signing string.
    assertError(await live.req('POST', '/server/user/register',
      { body: { user_id: 'unsigned' }, contentType: 'application/octet-stream' }), 401);
    // QBox signs a body only for forms.
    const mac = new qiniu.auth.digest.Mac(app.access_key, app.secret_key);
    const qbox = qiniu.util.generateAccessToken(mac, 'http://127.0.0.1/server/user/register', null);
    assertError(await send(srv, 'POST', '/server/user/register', {
      body: JSON.stringify({ user_id: 'unsigned' }), headers: { 'Content-Type': 'application/json', Authorization: qbox },
    }), 401);
    assertError(await live.req('GET', '/server/user/info/unsigned'), 404);
  });

  test('the older QBox form is accepted (SDK generateAccessToken)', async () => {
    const mac = new qiniu.auth.digest.Mac(app.access_key, app.secret_key);
    const auth = qiniu.util.generateAccessToken(mac, 'http://127.0.0.1/server/user/info/auth_user', null);
    assert.ok(auth.startsWith('QBox '));
    assertAuthUser(await send(srv, 'GET', '/server/user/info/auth_user', { headers: { Authorization: auth } }));
    // Signed for another path: refused.
    const wrong = qiniu.util.generateAccessToken(mac, 'http://127.0.0.1/server/user/info/x', null);
    assertError(await send(srv, 'GET', '/server/user/info/auth_user', { headers: { Authorization: wrong } }), 401);
  });

  test('authentication comes before validation', async () => {
    const r = await live.req('POST', '/server/user/register', { body: '{not json', authorization: null });
    assertError(r, 401);
    assertError(await live.req('POST', '/server/user/register', { body: '{not json' }), 400); // signed: now it is the body
  });
});

describe('live face: request ids, envelope, routes', () => {
  let srv, live, RQ;

  before(async () => {
    srv = await startUserd();
    live = liveClient(srv, srv.defaultApp);
  });
  /** The answer is the info of user rq (made in the first test). */
  const assertRq = (r) => {
    const d = assertOk(r);
    RQ ??= d?.im_userid;
    assert.deepEqual(d, { user_id: 'rq', nick: '', avatar: '', im_userid: RQ, extends: {} });
    assert.ok(Number.isSafeInteger(RQ) && RQ > 0);
  };
  after(async () => { live.close(); await srv.stop(); });

  test('X-Reqid is echoed in request_id and the X-Reqid header', async () => {
    const r = await live.req('GET', '/server/user/info/nobody', { headers: { 'X-Reqid': 'trace-42.abc' } });
    assertError(r, 404);
    assert.equal(r.json.request_id, 'trace-42.abc');
    const ok = await live.req('POST', '/server/user/register', { body: { user_id: 'rq' }, headers: { 'X-Reqid': 'r-1' } });
    assert.equal(assertOk(ok), null);
    assert.equal(ok.json.request_id, 'r-1');
    assert.equal(ok.headers['x-reqid'], 'r-1');
    // On a 401 too.
    const bad = await live.req('GET', '/server/user/info/rq', { authorization: null, headers: { 'X-Reqid': 'r-2' } });
    assertError(bad, 401);
    assert.equal(bad.json.request_id, 'r-2');
  });

  test('without a usable X-Reqid a fresh id is made, different each time', async () => {
    const a = await live.req('GET', '/server/user/info/rq');
    const b = await live.req('GET', '/server/user/info/rq');
    assertRq(a);
    assertRq(b);
    assert.ok(a.json.request_id.length > 0);
    assert.notEqual(a.json.request_id, b.json.request_id);
    const long = 'x'.repeat(40);
    const c = await live.req('GET', '/server/user/info/rq', { headers: { 'X-Reqid': long } });
    assertRq(c);
    assert.notEqual(c.json.request_id, long);
    assert.ok(c.json.request_id.length > 0 && c.json.request_id.length < 40);
    const d = await live.req('GET', '/server/user/info/rq', { headers: { 'X-Reqid': 'a b' } });
    assertRq(d);
    assert.notEqual(d.json.request_id, 'a b');
    assert.match(d.json.request_id, /^[\x21-\x7e]+$/);
  });

  test('unknown path 404, wrong method 405, in the envelope', async () => {
    assertError(await live.req('GET', '/server/nothing'), 404);
    // a 405 says in Allow what the path takes (/server/user/:id takes PUT)
    for (const [m, p, allow] of [['GET', '/server/user/register', 'POST, PUT'], ['DELETE', '/server/user/rq', 'PUT'],
      ['POST', '/server/user/infos', 'GET, PUT'], ['POST', '/server/user/info/rq', 'GET']]) {
      const r = await live.req(m, p, m === 'POST' ? { body: {} } : {});
      assertError(r, 405);
      assert.equal(r.headers.allow, allow, `${m} ${p}`);
    }
  });

  test('a body over the cap: 413 in the envelope', async () => {
    const big = JSON.stringify({ user_id: 'big', nick: 'x'.repeat(2 * 1024 * 1024) });
    assertError(await live.req('POST', '/server/user/register', { body: big }), 413);
  });

  test('keep-alive: two signed requests on one connection', async () => {
    const auth = signV2(srv.defaultApp, 'GET', '/server/user/info/rq');
    const one = `GET /server/user/info/rq HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: ${auth}\r\n\r\n`;
    const text = await rawHttp(srv.live, one + one);
    assert.equal(text.match(/HTTP\/1\.1 200/g)?.length, 2, text);
    assert.equal(text.match(/"code":0,"message":"success","data":\{"user_id":"rq","nick":"","avatar":"","im_userid":\d+,"extends":\{\}\}\}/g)?.length, 2, text);
    assert.doesNotMatch(text, /connection: close/i);
  });
});
