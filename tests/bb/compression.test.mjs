// gzip compression of answers over 1 KiB, on every face (issue 14;
// src/http/gzip.c): a large answer decompresses to exactly the uncompressed
// one; small answers, clients that do not accept gzip, and gzip;q=0 get the
// answer as it is; Vary: Accept-Encoding on every answer that could be
// compressed.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { startUserd, imClient, liveClient, httpRequest } from './lib/harness.mjs';

const USERS = 40;
/** An answer's text without the live face's request_id, the one part that differs between two calls. */
const norm = (t) => t.replace(/"request_id":"[0-9a-f]+"/, '"request_id":"-"');

describe('gzip compression', () => {
  let srv, live, admin;
  before(async () => {
    srv = await startUserd();
    live = liveClient(srv, srv.defaultApp);
    admin = imClient(srv, srv.defaultApp, srv.defaultApp.admin_token);
    const users = Array.from({ length: USERS }, (_, i) => ({ user_id: `gz${i}`, nick: `Nick ${i}`, extends: { level: String(i) } }));
    const r = await live.req('POST', '/server/user/register/batch', { body: users });
    assert.equal(r.json.code, 0, r.text);
  });
  after(async () => { admin?.close(); live?.close(); await srv?.stop(); });

  /** The same request without Accept-Encoding and with each of codings; asserts the plain answer. */
  async function variants(send, codings) {
    const plain = await send({});
    assert.equal(plain.status, 200, plain.text);
    assert.equal(plain.headers['content-encoding'], undefined);
    const out = [];
    for (const ae of codings) out.push(await send({ 'Accept-Encoding': ae }));
    return { plain, out };
  }

  const large = [
    ['IM GET /user/list (admin)', (h) => admin.req('GET', '/user/list', { query: { page_size: 200 }, headers: h })],
    ['live GET /server/user/infos', (h) => live.req('GET', `/server/user/infos?${Array.from({ length: USERS }, (_, i) => `user_ids=gz${i}`).join('&')}`, { headers: h })],
    ['app GET /user/regionlist', (h) => httpRequest({ port: srv.app, path: '/user/regionlist', headers: h })],
  ];

  for (const [name, send] of large) {
    test(`${name}: over 1 KiB, gzip when accepted, and it decompresses to the same bytes`, async () => {
      const { plain, out: [gz, chrome, star] } = await variants(send, ['gzip', 'gzip, deflate, br, zstd', 'br;q=1, *;q=0.5']);
      assert.ok(plain.body.length > 1024, `${plain.body.length} bytes`);
      assert.match(plain.headers.vary, /Accept-Encoding/);
      for (const r of [gz, chrome, star]) {
        assert.equal(r.status, 200);
        assert.equal(r.headers['content-encoding'], 'gzip');
        assert.match(r.headers.vary, /(^|, )Accept-Encoding$/);
        assert.equal(r.headers['content-type'], plain.headers['content-type']);
        assert.equal(Number(r.headers['content-length']), r.body.length);
        assert.ok(r.body.length < plain.body.length / 2, `${r.body.length} of ${plain.body.length} bytes`);
        const d = zlib.gunzipSync(r.body);
        assert.equal(norm(d.toString('utf8')), norm(plain.text));
      }
    });

    test(`${name}: gzip;q=0, identity or another coding only: not compressed`, async () => {
      const { plain, out } = await variants(send, ['gzip;q=0', 'identity', 'deflate, br', 'gzip;q=0, *;q=1', '*;q=0']);
      for (const r of out) {
        assert.equal(r.headers['content-encoding'], undefined);
        assert.match(r.headers.vary, /Accept-Encoding/);
        assert.equal(norm(r.text), norm(plain.text));
      }
    });
  }

  test('answers of 1 KiB or less are never compressed, and carry no Vary', async () => {
    for (const [port, path] of [[srv.im, '/healthz'], [srv.live, '/healthz'], [srv.app, '/healthz'], [srv.app, '/user/get_poke']]) {
      const r = await httpRequest({ port, path, headers: { 'Accept-Encoding': 'gzip' } });
      assert.ok(r.body.length <= 1024);
      assert.equal(r.headers['content-encoding'], undefined);
      assert.equal(r.headers.vary, undefined);
    }
  });
});
