// The QBox form ("QBox AK:sign") serves only requests without a body (issue
// 10: a JSON body sent as a form was signed as a form, read as JSON, and
// registered a user, although docs/live.md said QBox serves only bodiless
// requests). Signed with the official SDK (qiniu.util.generateAccessToken,
// which signs a form body).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import qiniu from 'qiniu';
import { startUserd, liveClient, httpRequest } from './lib/harness.mjs';

const FORM = 'application/x-www-form-urlencoded';

describe('live face: QBox requests with a body', () => {
  let srv, app, live, mac;
  before(async () => {
    srv = await startUserd();
    app = srv.defaultApp;
    live = liveClient(srv, app);
    mac = new qiniu.auth.digest.Mac(app.access_key, app.secret_key);
    assert.equal((await live.req('POST', '/server/user/register', { body: { user_id: 'q_old', nick: 'Old' } })).json?.code, 0);
  });
  after(async () => { live.close(); await srv.stop(); });

  /** A QBox request signed over its body as a form. */
  const qbox = (method, path, body) => httpRequest({
    port: srv.live, method, path, body,
    headers: {
      Host: '127.0.0.1', 'Content-Type': FORM,
      Authorization: qiniu.util.generateAccessToken(mac, `http://127.0.0.1${path}`, body),
    },
  });

  for (const [method, path, body, name] of [
    ['POST', '/server/user/register', JSON.stringify({ user_id: 'q_new' }), 'register'],
    ['POST', '/server/user/register/batch', JSON.stringify([{ user_id: 'q_batch' }]), 'batch'],
    ['PUT', '/server/user/q_old', JSON.stringify({ nick: 'Changed' }), 'PUT'],
    ['POST', '/server/user/register', 'user_id=q_form', 'register with a real form'],
  ]) {
    test(`${name}: 401, nothing written`, async () => {
      const r = await qbox(method, path, body);
      assert.equal(r.status, 401, r.text);
      assert.deepEqual({ ...r.json, request_id: 'x' }, {
        request_id: 'x', code: 401, data: null,
        message: 'bad authorization: the QBox form serves only requests without a body: use Qiniu AK:sign',
      });
    });
  }

  test('the store is as before; QBox without a body still works', async () => {
    for (const id of ['q_new', 'q_batch', 'q_form']) assert.equal((await live.req('GET', `/server/user/info/${id}`)).status, 404);
    const path = '/server/user/info/q_old';
    const r = await httpRequest({
      port: srv.live, path, headers: { Host: '127.0.0.1', Authorization: qiniu.util.generateAccessToken(mac, `http://127.0.0.1${path}`, null) },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.data.nick, 'Old');
  });
});
