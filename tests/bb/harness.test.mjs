// Self-test of the black-box harness. Pure helpers always run; the process
// plumbing runs against a tiny fake `userd` written in Node; the real binary
// is only used (and otherwise skipped) in the last test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import qiniu from 'qiniu';
import {
  freePort, sleep, smsCapture, parseSetCookie, CookieJar, rawHttp, httpRequest,
  startUserd, createApp, imClient, liveClient, appClient, haveBinary, USERD_BIN,
} from './lib/harness.mjs';

test('freePort gives distinct usable ports', async () => {
  const ports = [await freePort(), await freePort(), await freePort()];
  for (const p of ports) assert.ok(p > 0 && p < 65536);
  assert.equal(new Set(ports).size, 3);
});

test('smsCapture records messages and can fail', async () => {
  const sms = await smsCapture();
  try {
    const post = (b) => fetch(sms.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
    assert.equal((await post({ region: '86', phone: '13800000000', code: '123456' })).status, 200);
    sms.failNext(503);
    assert.equal((await post({ region: '86', phone: '13800000000', code: '654321' })).status, 503);
    assert.equal((await post({ region: '86', phone: '13800000000', code: '111111' })).status, 200);
    assert.equal(sms.messages.length, 2);
    assert.deepEqual(sms.messages[0], { region: '86', phone: '13800000000', code: '123456' });
    assert.equal(sms.lastCode('13800000000'), '111111');
    assert.equal(await sms.waitCode('13800000000', 100), '111111');
    assert.equal(sms.lastCode('13900000000'), undefined);
  } finally { await sms.close(); }
});

test('cookie jar parses, replaces and expires cookies', () => {
  const c = parseSetCookie('sid=abc=def; Path=/; HttpOnly; Max-Age=3600; SameSite=Lax');
  assert.equal(c.name, 'sid');
  assert.equal(c.value, 'abc=def');
  assert.equal(c.attrs.httponly, true);
  assert.equal(c.attrs['max-age'], '3600');
  assert.equal(c.attrs.path, '/');
  const jar = new CookieJar();
  assert.equal(jar.header(), undefined);
  jar.update(['sid=one; Path=/', 'lang=en']);
  assert.equal(jar.header(), 'sid=one; lang=en');
  jar.update('sid=two; HttpOnly');
  assert.equal(jar.get('sid'), 'two');
  jar.update('sid=; Max-Age=0');
  assert.equal(jar.get('sid'), undefined);
  jar.update('lang=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  assert.equal(jar.header(), undefined);
});

test('SDK signature matches the published vector', () => {
  const mac = new qiniu.auth.digest.Mac('ak', 'sk');
  assert.equal(qiniu.util.generateAccessTokenV2(mac, 'http://rs.qbox.me/', 'GET', 'application/json', '{"name": "test"}'),
    'Qiniu ak:ksh7bJBnBzFO0yxJ_tLLUcg0csM=');
});

// A fake userd: serves every listener (the ops one too), echoes the request, writes default-app.json.
const FAKE = `#!/usr/bin/env node
const http = require('node:http'), fs = require('node:fs'), path = require('node:path');
const env = process.env;
fs.writeFileSync(path.join(env.USERD_DATA_DIR, 'default-app.json'), JSON.stringify(
  { app_id: 'dflt', name: 'default', access_key: 'AK', secret_key: 'SK', admin_token: 'ADM' }), { mode: 0o600 });
const servers = [];
for (const face of ['IM', 'LIVE', 'APP', 'OPS']) {
  const l = env['USERD_' + face + '_LISTEN'];
  if (l === 'off') continue;
  const s = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => body += c);
    req.on('end', () => {
      const h = { 'Content-Type': 'application/json' };
      if (req.url === '/login') h['Set-Cookie'] = 'sid=s1; Path=/; HttpOnly';
      res.writeHead(200, h);
      res.end(JSON.stringify({ face, method: req.method, url: req.url, headers: req.headers, body }));
    });
  });
  s.listen(Number(l.split(':')[1]), '127.0.0.1');
  servers.push(s);
}
console.error('fake userd up, store ' + env.USERD_STORE_URL.replace(/:.*/, ':...'));
process.on('SIGTERM', () => { console.error('stopping'); servers.forEach((s) => s.close()); process.exit(0); });
`;

test('startUserd and clients against a fake userd', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-fake-'));
  const bin = path.join(dir, 'userd');
  fs.writeFileSync(bin, FAKE, { mode: 0o755 });
  const srv = await startUserd({ bin, env: { USERD_APP_LISTEN: 'off' } });
  try {
    assert.equal(srv.app, null);
    assert.ok(srv.im && srv.live && srv.im !== srv.live);
    assert.equal(srv.defaultApp.app_id, 'dflt');
    assert.match(srv.storeUrl, /^(sqlite:|postgres)/);
    await srv.waitLog(/fake userd up/);

    const im = imClient(srv, srv.defaultApp, 'TOK');
    let r = await im.req('POST', '/user/nickname', { query: { nick_name: 'a b', x: [1, 2] }, body: { k: 1 } });
    assert.equal(r.json.url, '/user/nickname?nick_name=a+b&x=1&x=2');
    assert.equal(r.json.headers.app_id, 'dflt');
    assert.equal(r.json.headers['access-token'], 'TOK');
    assert.equal(r.json.body, '{"k":1}');
    r = await im.req('POST', '/user/public', { raw: 'hello', headers: { app_id: null } });
    assert.equal(r.json.body, 'hello');
    assert.equal(r.json.headers.app_id, undefined);
    im.close();

    const live = liveClient(srv, srv.defaultApp);
    r = await live.req('POST', '/server/user/register?x=1', { body: { user_id: 'u1' } });
    const mac = new qiniu.auth.digest.Mac('AK', 'SK');
    assert.equal(r.json.headers.host, '127.0.0.1');
    assert.equal(r.json.headers.authorization,
      qiniu.util.generateAccessTokenV2(mac, 'http://127.0.0.1/server/user/register?x=1', 'POST', 'application/json', '{"user_id":"u1"}'));
    r = await live.req('POST', '/x', { body: { a: 1 }, tamperBody: '{"a":2}', authorization: null });
    assert.equal(r.json.body, '{"a":2}');
    assert.equal(r.json.headers.authorization, undefined);
    live.close();

    // keep-alive and raw requests
    const raw = await rawHttp(srv.im, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(raw.match(/^HTTP\/1\.1 200/gm).length, 2);
    assert.doesNotMatch(raw, /connection: close/i);
  } finally {
    assert.equal(await srv.stop(), 0);
  }
  assert.ok(srv.logs().includes('stopping'));
  assert.ok(!srv.logs().join('\n').includes('SK'));

  // app face with cookies
  const srv2 = await startUserd({ bin });
  try {
    const app = appClient(srv2);
    let r = await app.req('POST', '/login', { body: { phone: '1' } });
    assert.deepEqual(r.setCookie, ['sid=s1; Path=/; HttpOnly']);
    r = await app.req('GET', '/me');
    assert.equal(r.json.headers.cookie, 'sid=s1');
    app.close();
  } finally { await srv2.stop(); }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('startUserd reports a missing binary', async () => {
  await assert.rejects(startUserd({ bin: '/nonexistent/userd' }), /userd did not start/);
});

test('real userd starts, answers /healthz and stops cleanly', { skip: !haveBinary() && `no ${USERD_BIN}` }, async () => {
  const srv = await startUserd();
  try {
    for (const k of ['app_id', 'name', 'access_key', 'secret_key', 'admin_token']) assert.equal(typeof srv.defaultApp[k], 'string', k);
    for (const port of [srv.im, srv.live, srv.app]) assert.equal((await httpRequest({ port, path: '/healthz' })).status, 200);
    const made = createApp(srv, 'second');
    assert.equal(made.name, 'second');
    assert.notEqual(made.app_id, srv.defaultApp.app_id);
    await sleep(10);
  } finally {
    assert.equal(await srv.stop(), 0);
  }
  const logs = srv.logs().join('\n');
  assert.ok(!logs.includes(srv.defaultApp.secret_key), 'secret key in logs');
});
