// CORS on the IM and app faces (issue 14; docs/im.md and docs/app.md, "Web
// clients"): the exact headers for an allowed origin, a disallowed one and
// none; preflights answered by the HTTP layer; credentials on the app face
// only; "*" on the IM face only; the live face never; bad lists refused at start.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { startUserd, httpRequest, USERD_BIN } from './lib/harness.mjs';

const IM_ORIGIN = 'https://web.example.com';
const APP_ORIGIN = 'https://chat.example.com';
const OTHER = 'https://evil.example.net';
const IM_HEADERS = 'access-token, app_id, user_id, group_id, content-type';

/** The answer's Access-Control-* headers, by lower-case name. */
const acHeaders = (r) => Object.fromEntries(Object.entries(r.headers).filter(([k]) => k.startsWith('access-control-')));

const preflight = (port, path, origin, method = 'POST', headers = 'content-type') => httpRequest({
  port, method: 'OPTIONS', path,
  headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': headers },
});

describe('CORS on, an exact list on each face', () => {
  let srv;
  before(async () => {
    srv = await startUserd({ env: {
      USERD_IM_CORS_ORIGINS: `${IM_ORIGIN}, http://127.0.0.1:5555`,
      USERD_APP_CORS_ORIGINS: APP_ORIGIN,
    } });
  });
  after(async () => { await srv?.stop(); });

  const im = (origin, extra = {}) => httpRequest({
    port: srv.im, path: '/user/profile',
    headers: { app_id: srv.defaultApp.app_id, 'access-token': 'no-such-token', Origin: origin, ...extra },
  });

  test('IM: an allowed origin is echoed, with Vary: Origin and no credentials', async () => {
    for (const origin of [IM_ORIGIN, 'http://127.0.0.1:5555']) {
      const r = await im(origin);
      assert.equal(r.status, 200);
      assert.equal(r.json.code, 10008, r.text); // served as without CORS: the token is refused
      assert.deepEqual(acHeaders(r), { 'access-control-allow-origin': origin });
      assert.equal(r.headers.vary, 'Origin');
    }
  });

  test('IM: a disallowed origin, or none, gets no CORS header and the same answer', async () => {
    const plain = await im(undefined);
    for (const origin of [OTHER, 'https://web.example.com.evil.net', 'https://WEB.example.com', 'null', undefined]) {
      const r = await im(origin);
      assert.deepEqual(acHeaders(r), {}, String(origin));
      assert.equal(r.headers.vary, 'Origin'); // a cache must not hand this answer to an allowed origin
      assert.equal(r.status, plain.status);
      assert.deepEqual(r.json, plain.json);
    }
  });

  test('IM: a preflight from an allowed origin is 204 with the path\'s methods and every header the face reads', async () => {
    const r = await preflight(srv.im, '/user/profile', IM_ORIGIN, 'PUT', 'access-token,app_id,content-type');
    assert.equal(r.status, 204);
    assert.equal(r.body.length, 0);
    assert.equal(r.headers['content-type'], undefined);
    assert.deepEqual(acHeaders(r), {
      'access-control-allow-origin': IM_ORIGIN,
      'access-control-allow-methods': 'GET, POST, PUT',
      'access-control-allow-headers': IM_HEADERS,
      'access-control-max-age': '7200',
    });
    assert.equal(r.headers.vary, 'Origin');
    const d = await preflight(srv.im, '/user/device/remove', IM_ORIGIN, 'DELETE');
    assert.equal(d.headers['access-control-allow-methods'], 'POST, DELETE');
    const h = await preflight(srv.im, '/healthz', IM_ORIGIN, 'GET');
    assert.equal(h.status, 204);
    assert.equal(h.headers['access-control-allow-methods'], 'GET');
  });

  test('IM: a preflight from a disallowed origin is served as any OPTIONS (405, Allow), without CORS headers', async () => {
    const r = await preflight(srv.im, '/user/profile', OTHER, 'PUT');
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, 'GET, POST, PUT');
    assert.deepEqual(acHeaders(r), {});
    assert.equal(r.json.code, 405);
  });

  test('IM: a preflight on a path the face does not serve is its 404; OPTIONS without a request method is a 405', async () => {
    const r = await preflight(srv.im, '/no/such/path', IM_ORIGIN);
    assert.equal(r.status, 404);
    assert.equal(r.headers['access-control-allow-methods'], undefined);
    assert.equal(r.headers['access-control-allow-origin'], IM_ORIGIN); // the 404 is readable by the page
    const o = await httpRequest({ port: srv.im, method: 'OPTIONS', path: '/user/profile', headers: { Origin: IM_ORIGIN } });
    assert.equal(o.status, 405);
    assert.equal(o.headers['access-control-allow-methods'], undefined);
  });

  test('app: an allowed origin gets credentials; a preflight lists the methods the face serves on the path', async () => {
    const r = await httpRequest({ port: srv.app, path: '/user/regionlist', headers: { Origin: APP_ORIGIN } });
    assert.equal(r.status, 200);
    assert.deepEqual(acHeaders(r), {
      'access-control-allow-origin': APP_ORIGIN,
      'access-control-allow-credentials': 'true',
    });
    assert.equal(r.headers.vary, 'Origin, Accept-Encoding'); // the region list is over 1 KiB
    const p = await preflight(srv.app, '/user/login', APP_ORIGIN);
    assert.equal(p.status, 204);
    assert.deepEqual(acHeaders(p), {
      'access-control-allow-origin': APP_ORIGIN,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST', // not the GET of /user/{id}: GET /user/login is a 405
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': '7200',
    });
    const g = await preflight(srv.app, '/user/get_token', APP_ORIGIN, 'GET');
    assert.equal(g.headers['access-control-allow-methods'], 'GET, POST');
  });

  test('app: a disallowed origin (even the IM face\'s) gets no CORS header', async () => {
    for (const origin of [OTHER, IM_ORIGIN]) {
      const r = await httpRequest({ port: srv.app, path: '/user/regionlist', headers: { Origin: origin } });
      assert.equal(r.status, 200);
      assert.deepEqual(acHeaders(r), {});
      assert.equal(r.headers.vary, 'Origin, Accept-Encoding');
      const p = await preflight(srv.app, '/user/login', origin);
      assert.equal(p.status, 405);
      assert.equal(p.headers.allow, 'POST');
      assert.deepEqual(acHeaders(p), {});
    }
  });

  test('live: no CORS, whatever the origin', async () => {
    const r = await httpRequest({ port: srv.live, path: '/healthz', headers: { Origin: IM_ORIGIN } });
    assert.equal(r.status, 200);
    assert.deepEqual(acHeaders(r), {});
    assert.equal(r.headers.vary, undefined);
  });
});

describe('CORS off (the default)', () => {
  let srv;
  before(async () => { srv = await startUserd(); });
  after(async () => { await srv?.stop(); });

  test('no CORS header and no Vary on any face; a preflight is a 405', async () => {
    for (const port of [srv.im, srv.app]) {
      const r = await httpRequest({ port, path: '/healthz', headers: { Origin: IM_ORIGIN } });
      assert.deepEqual(acHeaders(r), {});
      assert.equal(r.headers.vary, undefined);
    }
    const p = await preflight(srv.im, '/user/profile', IM_ORIGIN);
    assert.equal(p.status, 405);
    assert.deepEqual(acHeaders(p), {});
  });
});

describe('"*" on the IM face', () => {
  let srv;
  before(async () => { srv = await startUserd({ env: { USERD_IM_CORS_ORIGINS: '*' } }); });
  after(async () => { await srv?.stop(); });

  test('any origin is echoed', async () => {
    for (const origin of [OTHER, 'http://localhost:3000']) {
      const r = await preflight(srv.im, '/token/user', origin);
      assert.equal(r.status, 204);
      assert.equal(r.headers['access-control-allow-origin'], origin);
      assert.equal(r.headers['access-control-allow-methods'], 'POST');
      assert.equal(r.headers['access-control-allow-credentials'], undefined);
    }
  });
});

describe('a list that is not origins is refused at start', () => {
  for (const [env, msg] of [
    [{ USERD_APP_CORS_ORIGINS: '*' }, 'app face: setting app.cors_origins: \\"*\\" is not an origin'],
    [{ USERD_IM_CORS_ORIGINS: 'https://web.example.com/' }, 'im face: setting im.cors_origins: \\"https://web.example.com/\\" is not an origin'],
    [{ USERD_IM_CORS_ORIGINS: 'web.example.com' }, 'im face: setting im.cors_origins: \\"web.example.com\\" is not an origin'],
    [{ USERD_IM_CORS_ORIGINS: 'https://Web.example.com' }, 'is not an origin'],
  ]) {
    test(JSON.stringify(env), () => {
      const dir = fs.mkdtempSync('/tmp/userd-cors-');
      const r = spawnSync(USERD_BIN, ['serve'], {
        encoding: 'utf8', timeout: 20000,
        env: { PATH: process.env.PATH, USERD_STORE_URL: `sqlite:${dir}/userd.db`, USERD_DATA_DIR: dir,
          USERD_IM_LISTEN: '127.0.0.1:0', USERD_LIVE_LISTEN: 'off', USERD_APP_LISTEN: '127.0.0.1:0', ...env },
      });
      fs.rmSync(dir, { recursive: true, force: true });
      assert.equal(r.status, 1, r.stderr);
      assert.ok(r.stderr.includes(msg), r.stderr);
    });
  }
});
