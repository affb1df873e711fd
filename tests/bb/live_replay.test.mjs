// The live face's replay window (issue 11, item 4): a signed X-Qiniu-Date
// must be within live.max_clock_skew (900 s) of the server's clock, and
// live.require_date refuses requests without one.
//
// The requests come from the official Node SDK's own HTTP clients (npm
// `qiniu`: rpc.postWithOptions / rpc.getWithOptions, and HttpClient with its
// QiniuAuthMiddleware), which add X-Qiniu-Date and sign it. The SDK signs
// `Host: h:port:port` for a URL with a port (spec/NOTES.md), so the live face
// listens on port 80 of a loopback address of its own (127.x.y.z): that needs
// root, and the test is skipped otherwise.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import qiniu from 'qiniu';
import { startUserd, httpRequest } from './lib/harness.mjs';

const root = process.getuid?.() === 0;
const skip = !root && 'needs root: the live face must listen on port 80 (the SDK signs a URL port twice)';

/** A loopback address unlikely to be taken by another test running at the same time. */
const rnd = (n) => 1 + Math.floor(Math.random() * n);
const ADDR = `127.${100 + rnd(150)}.${rnd(250)}.${rnd(250)}`;
const ADDR2 = `127.${100 + rnd(150)}.${rnd(250)}.${rnd(250)}`; /* the live.require_date server */

/** The SDK's rpc functions as promises: resolves {status, json}. */
function rpc(fn, ...args) {
  return new Promise((resolve, reject) => {
    fn(...args, (err, body, resp) => (err && !resp ? reject(err) : resolve({ status: resp.statusCode, json: body })));
  });
}

/** "YYYYMMDDTHHMMSSZ", what the SDK sends, for a time offset from now. */
const qiniuDate = (offsetMs) => qiniu.util.formatDateUTC(new Date(Date.now() + offsetMs), 'YYYYMMDDTHHmmssZ');

/** A request signed by the SDK's signer with a chosen X-Qiniu-Date (or none), sent as is. */
function signedWithDate(addr, app, method, path, date) {
  const mac = new qiniu.auth.digest.Mac(app.access_key, app.secret_key);
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (date !== undefined) headers['X-Qiniu-Date'] = date;
  headers.Authorization = qiniu.util.generateAccessTokenV2(mac, `http://${addr}${path}`, method, headers['Content-Type'], null, headers);
  return httpRequest({ host: addr, port: 80, method, path, headers: { Host: addr, ...headers } });
}

function assert401(r, re) {
  assert.equal(r.status, 401, JSON.stringify(r.json));
  assert.equal(r.json.code, 401);
  assert.equal(r.json.data, null);
  assert.match(r.json.message, re);
}

describe('live face: X-Qiniu-Date replay window', { skip }, () => {
  let srv, app, mac;
  before(async () => {
    assert.equal(process.env.DISABLE_QINIU_TIMESTAMP_SIGNATURE, undefined, 'the SDK must sign its date');
    srv = await startUserd({ env: { USERD_LIVE_LISTEN: `${ADDR}:80` } });
    app = srv.defaultApp;
    mac = new qiniu.auth.digest.Mac(app.access_key, app.secret_key);
  });
  after(async () => { await srv?.stop(); });

  test('the SDK\'s own requests (rpc and HttpClient, X-Qiniu-Date signed) pass', async () => {
    const base = `http://${ADDR}`;
    const reg = await rpc(qiniu.rpc.postWithOptions, `${base}/server/user/register`,
      JSON.stringify({ user_id: 'sdk1', nick: 'Sdk' }), { headers: { 'Content-Type': 'application/json' }, mac });
    assert.equal(reg.status, 200, JSON.stringify(reg.json));
    assert.equal(reg.json.code, 0);
    const info = await rpc(qiniu.rpc.getWithOptions, `${base}/server/user/info/sdk1`, { mac });
    assert.equal(info.status, 200, JSON.stringify(info.json));
    assert.equal(info.json.data.nick, 'Sdk');

    const client = new qiniu.httpc.HttpClient({ middlewares: [new qiniu.httpc.middleware.QiniuAuthMiddleware({ mac })] });
    const res = await client.get({ url: `${base}/server/user/profile/sdk1` });
    assert.equal(res.resp.statusCode, 200, JSON.stringify(res.data));
    assert.equal(res.data.data.user_id, 'sdk1');
  });

  test('a date 16 minutes old, or 16 minutes ahead, is refused (401); 14 minutes either way passes', async () => {
    for (const min of [-16, 16]) {
      assert401(await signedWithDate(ADDR, app, 'GET', '/server/user/info/sdk1', qiniuDate(min * 60000)),
        /X-Qiniu-Date is too far from the server's clock/);
    }
    for (const min of [-14, 14]) {
      const r = await signedWithDate(ADDR, app, 'GET', '/server/user/info/sdk1', qiniuDate(min * 60000));
      assert.equal(r.status, 200, JSON.stringify(r.json));
    }
  });

  test('a malformed date is refused; without one the request passes (require_date off)', async () => {
    for (const bad of ['2026-12-01T08:00:00Z', '20261301T000000Z', 'yesterday', '']) {
      assert401(await signedWithDate(ADDR, app, 'GET', '/server/user/info/sdk1', bad), /X-Qiniu-Date/);
    }
    const r = await signedWithDate(ADDR, app, 'GET', '/server/user/info/sdk1', undefined);
    assert.equal(r.status, 200, JSON.stringify(r.json));
  });

  test('live.require_date=true refuses a request without the header, and accepts the SDK\'s', async () => {
    const strict = await startUserd({
      storeUrl: srv.storeUrl, dataDir: srv.dataDir,
      env: { USERD_LIVE_LISTEN: `${ADDR2}:80`, USERD_LIVE_REQUIRE_DATE: 'true', USERD_IM_LISTEN: 'off', USERD_APP_LISTEN: 'off' },
    });
    try {
      assert401(await signedWithDate(ADDR2, app, 'GET', '/server/user/info/sdk1', undefined), /X-Qiniu-Date is required/);
      const noDate = new qiniu.auth.digest.Mac(app.access_key, app.secret_key, { disableQiniuTimestampSignature: true });
      const r1 = await rpc(qiniu.rpc.getWithOptions, `http://${ADDR2}/server/user/info/sdk1`, { mac: noDate });
      assert.equal(r1.status, 401, JSON.stringify(r1.json));
      assert.match(r1.json.message, /X-Qiniu-Date is required/);
      const r2 = await rpc(qiniu.rpc.getWithOptions, `http://${ADDR2}/server/user/info/sdk1`, { mac });
      assert.equal(r2.status, 200, JSON.stringify(r2.json));
      const client = new qiniu.httpc.HttpClient({ middlewares: [new qiniu.httpc.middleware.QiniuAuthMiddleware({ mac })] });
      const r4 = await client.get({ url: `http://${ADDR2}/server/user/profile/sdk1` });
      assert.equal(r4.resp.statusCode, 200, 'HttpClient sends a signed date');
      // QBox does not sign X-Qiniu-Date, so it cannot meet the requirement.
      const qbox = qiniu.util.generateAccessToken(mac, `http://${ADDR2}/server/user/info/sdk1`, null);
      const r3 = await httpRequest({
        host: ADDR2, port: 80, path: '/server/user/info/sdk1',
        headers: { Host: ADDR2, Authorization: qbox, 'X-Qiniu-Date': qiniuDate(0) },
      });
      assert401(r3, /QBox form does not sign X-Qiniu-Date/);
      // The same request without the setting (the first server) passes.
      assert.equal((await signedWithDate(ADDR, app, 'GET', '/server/user/info/sdk1', undefined)).status, 200);
    } finally { await strict.stop(); }
  });
});
