// The admin console behind a TLS reverse proxy (http.trust_proxy): the
// session cookie is Secure when the proxy says the client came over HTTPS,
// and the audit log and lockouts see the forwarded client address.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { httpRequest, parseSetCookie, startUserd, userdCli } from './lib/harness.mjs';

describe('console behind a proxy', () => {
  let srv, password;
  before(async () => {
    srv = await startUserd({ env: { USERD_HTTP_TRUST_PROXY: 'true' } });
    password = userdCli(srv, 'operator', 'add', 'carol').stdout.trim();
  });
  after(async () => { await srv.stop(); });

  const login = (headers) => httpRequest({ port: srv.ops, method: 'POST', path: '/console/api/login',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '203.0.113.7', ...headers },
    body: JSON.stringify({ name: 'carol', password }) });

  test('the cookie is Secure over HTTPS (X-Forwarded-Proto), not over plain HTTP', async () => {
    const tls = await login({ 'X-Forwarded-Proto': 'https' });
    assert.equal(tls.status, 200, tls.text);
    const c = parseSetCookie(tls.headers['set-cookie'][0]);
    assert.deepEqual(c.attrs, { path: '/console', httponly: true, samesite: 'Strict', secure: true });
    const plain = await login({});
    assert.equal(plain.status, 200, plain.text);
    assert.deepEqual(parseSetCookie(plain.headers['set-cookie'][0]).attrs, { path: '/console', httponly: true, samesite: 'Strict' });

    // The audit log names the forwarded client.
    const cookie = `userd_console=${c.value}`;
    const r = await httpRequest({ port: srv.ops, path: '/console/api/audit?action=login',
      headers: { Cookie: cookie, 'X-Forwarded-For': '203.0.113.7' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.entries.map((e) => [e.operator, e.action, e.address]),
      [['carol', 'login', '203.0.113.7'], ['carol', 'login', '203.0.113.7']]);
  });
});
