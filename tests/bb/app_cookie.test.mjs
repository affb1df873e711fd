// The app face's session cookie attributes (issue 14; docs/app.md, "Web
// clients"): session.samesite, session.secure and session.domain, exactly as
// Set-Cookie writes them on sign-in and sign-out; SameSite=None without
// Secure, and values that are not SameSite values, refused at start.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { USERD_BIN } from './lib/harness.mjs';
import { startApp, signUp, post, answer } from './app_lib.mjs';

const TTL = 2592000; // session.ttl's default

/** Signs a user up and in; returns the Set-Cookie lines of a login and of the logout after it. */
async function cookies(ctx) {
  const u = await signUp(ctx);
  const login = await post(u.c, '/user/login', { region: 86, phone: u.phone, password: u.password });
  const token = u.c.jar.get('rong_auth_cookie');
  assert.match(token, /^[A-Za-z0-9_-]{20,}$/);
  const logout = await post(u.c, '/user/logout', {});
  answer(logout, { code: 200 });
  return { token, login: login.setCookie, logout: logout.setCookie };
}

for (const [name, env, attrs] of [
  ['the defaults: SameSite=Lax, host-only, not Secure', {}, `Max-Age=${TTL}; HttpOnly; SameSite=Lax`],
  ['Strict, Secure, a Domain', { USERD_SESSION_SAMESITE: 'Strict', USERD_SESSION_SECURE: 'true', USERD_SESSION_DOMAIN: 'example.com' },
    `Max-Age=${TTL}; HttpOnly; SameSite=Strict; Secure`],
  ['None (any case) with Secure, for a web client on another site', { USERD_SESSION_SAMESITE: 'none', USERD_SESSION_SECURE: 'true' },
    `Max-Age=${TTL}; HttpOnly; SameSite=None; Secure`],
]) {
  describe(`session cookie: ${name}`, () => {
    let ctx;
    before(async () => { ctx = await startApp(env); });
    after(async () => { await ctx?.stop(); });

    test('Set-Cookie on sign-in and on sign-out, exactly', async () => {
      const c = await cookies(ctx);
      const domain = env.USERD_SESSION_DOMAIN ? `; Domain=${env.USERD_SESSION_DOMAIN}` : '';
      assert.deepEqual(c.login, [`rong_auth_cookie=${c.token}; Path=/${domain}; ${attrs}`]);
      assert.deepEqual(c.logout, [`rong_auth_cookie=; Path=/${domain}; ${attrs.replace(`Max-Age=${TTL}`, 'Max-Age=0')}`]);
    });
  });
}

describe('cookie settings refused at start', () => {
  for (const [env, msg] of [
    [{ USERD_SESSION_SAMESITE: 'None' }, 'app face: setting session.samesite=None needs session.secure=true'],
    [{ USERD_SESSION_SAMESITE: 'Loose' }, 'app face: setting session.samesite: must be Lax, Strict or None'],
    [{ USERD_SESSION_DOMAIN: 'example.com; Secure' }, 'app face: setting session.domain: a host name'],
  ]) {
    test(JSON.stringify(env), () => {
      const dir = fs.mkdtempSync('/tmp/userd-cookie-');
      const r = spawnSync(USERD_BIN, ['serve'], {
        encoding: 'utf8', timeout: 20000,
        env: { PATH: process.env.PATH, USERD_STORE_URL: `sqlite:${dir}/userd.db`, USERD_DATA_DIR: dir,
          USERD_IM_LISTEN: 'off', USERD_LIVE_LISTEN: 'off', USERD_APP_LISTEN: '127.0.0.1:0', ...env },
      });
      fs.rmSync(dir, { recursive: true, force: true });
      assert.equal(r.status, 1, r.stderr);
      assert.ok(r.stderr.includes(msg), r.stderr);
    });
  }
});
