// The admin console (docs/console.md) in a real browser: Debian's Chromium,
// headless, driven by playwright-core. An operator made with the CLI signs
// in, creates an app, finds users made on each face by every kind of id,
// disables, resets, rotates and mints, and the faces feel each action at
// once; the audit log lists them all. Then what the console refuses: a
// change without the CSRF token, wrong passwords past the lockout.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { REPO, appClient, httpRequest, imClient, liveClient, rawHttp, storeQuery, userdCli } from './lib/harness.mjs';
import { launchBrowser, newPage, screenshot } from './lib/browser.mjs';
import { startApp, signUp, assertImTokenDead, assertLogin, newPhone, post } from './app_lib.mjs';
import { assertOk, assertError, login, newUser } from './im_util.mjs';

const OPERATOR = 'alice';

describe('admin console in the browser', () => {
  let ctx, srv, browser, page, base, password;
  const requested = [];

  before(async () => {
    ctx = await startApp();
    srv = ctx.srv;
    base = `http://127.0.0.1:${srv.ops}`;
    const r = userdCli(srv, 'operator', 'add', OPERATOR);
    assert.equal(r.status, 0, r.stderr);
    password = r.stdout.trim();
    assert.match(password, /^[A-Za-z0-9_-]{24}$/);
    browser = await launchBrowser();
    page = await newPage(browser);
    page.on('request', (q) => requested.push(q.url()));
  });
  after(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  // The console's own API, from the test (not the page), with the page's cookie.
  async function consoleApi(method, path, { body, csrf, cookie = true, contentType = 'application/json' } = {}) {
    const cookies = cookie ? await page.context().cookies(`${base}/console/`) : [];
    const headers = { Cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') };
    if (body !== undefined) headers['Content-Type'] = contentType;
    if (csrf) headers['X-CSRF-Token'] = csrf;
    return httpRequest({ port: srv.ops, method, path: `/console/api${path}`, headers,
      body: body === undefined ? undefined : JSON.stringify(body) });
  }

  async function clickConfirmed(selector) {
    await page.click(selector);
    await page.locator('#confirm').waitFor({ state: 'visible' });
    await page.click('#confirm-ok');
  }

  // Opens a user's page and waits for it (not for the page it replaces).
  async function openUser(appId, id) {
    await page.goto(`${base}/console/#/user/${appId}/${id}`);
    await page.waitForFunction((t) => document.getElementById('page-title')?.textContent === t, `User ${id}`);
  }

  let searches = 0;
  async function search(appId, by, q) {
    // A fresh Users page (an empty result area), not the previous search's.
    await page.goto(`${base}/console/#/users?fresh=${++searches}`);
    await page.waitForFunction(() => document.getElementById('results')?.childElementCount === 0);
    await page.selectOption('#search-app', appId);
    await page.selectOption('#search-by', by);
    await page.fill('#search-q', q);
    await page.click('#search button[type=submit]');
    await page.locator('#results table, #view p.error').first().waitFor();
    if (await page.locator('#view p.error').count()) throw new Error(await page.textContent('#view p.error'));
    return page.locator('#results tbody tr');
  }

  let app; // the app made in the console: {app_id, name, access_key, secret_key, admin_token}
  const users = {};

  test('the page: security headers, the sign-in form, then the overview', async () => {
    const r = await httpRequest({ port: srv.ops, path: '/console/' });
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^text\/html/);
    assert.equal(r.headers['content-security-policy'],
      "default-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.doesNotMatch(r.text, /<script>|<script [^>]*>[^<]|\son\w+=/); // no inline script or handler
    const redirect = await httpRequest({ port: srv.ops, path: '/console' });
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.location, '/console/');

    await page.goto(`${base}/console/`);
    await page.locator('#login-name').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'login-name'); // focus starts there
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'login-password');
    await screenshot(page, 'console-login');
    await page.fill('#login-name', OPERATOR);
    await page.fill('#login-password', password);
    await page.press('#login-password', 'Enter');
    await page.locator('#page-title', { hasText: 'Overview' }).waitFor();
    assert.equal(await page.textContent('#who-name'), OPERATOR);
    assert.equal(await page.textContent('#store-state'), 'ok');
    // Right now: from the ops listener's /metrics, sampled every 5 s.
    await page.locator('#right-now table').waitFor({ timeout: 15000 });
    const metrics = await httpRequest({ port: srv.ops, path: '/metrics' });
    const version = metrics.text.match(/^userd_build_info\{[^}]*version="([^"]+)"/m)[1];
    assert.equal(await page.textContent('#version'), version);
    assert.match(await page.textContent('#hash-queue'), /^\d+$/);
    const faces = await page.locator('#right-now tbody tr td:first-child').allTextContents();
    assert.deepEqual(faces, ['im', 'live', 'app', 'ops']);
    await screenshot(page, 'console-overview-empty');

    const [cookie] = await page.context().cookies(`${base}/console/`);
    assert.equal(cookie.name, 'userd_console');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.path, '/console');
    assert.equal(await page.evaluate(() => document.cookie), ''); // not readable by script
  });

  test('Apps: create one; its secret key and admin token are shown once', async () => {
    await page.goto(`${base}/console/#/apps`);
    await page.locator('#create-app').waitFor();
    await page.fill('#app-name', 'console shop');
    await page.click('#create-app button[type=submit]');
    await page.locator('#created-secret').waitFor();
    const created = await page.textContent('#app-created p.ok');
    const appId = created.match(/\(([a-z0-9]+)\)/)[1];
    const row = page.locator('tbody tr', { hasText: appId });
    app = {
      app_id: appId, name: 'console shop',
      access_key: await row.locator('code').textContent(),
      secret_key: await page.textContent('#created-secret'),
      admin_token: await page.textContent('#created-token'),
    };
    assert.match(app.secret_key, /^[A-Za-z0-9_-]{40}$/);
    await screenshot(page, 'console-apps');
  });

  test('users made on each face are found by every kind of id', async () => {
    users.im = await newUser(srv, app, { name: `imuser_${process.pid}` });
    const admin = imClient(srv, app, app.admin_token); // the admin token the console showed works
    try {
      assertOk(await admin.req('GET', '/user/profile', { headers: { user_id: String(users.im.id) } }));
    } finally { admin.close(); }
    const live = liveClient(srv, app);
    try {
      const reg = await live.req('POST', '/server/user/register', { body: { user_id: `lv${process.pid}`, nick: 'Zelda Live' } });
      assert.equal(reg.json.code, 0, reg.text);
      const prof = await live.req('GET', `/server/user/profile/lv${process.pid}`);
      assert.equal(prof.json.code, 0, prof.text);
      users.live = { uid: `lv${process.pid}`, ...prof.json.data };
      users.live.imToken = await login(srv, app, users.live.im_username, users.live.im_password);
    } finally { live.close(); }
    users.app = await signUp(ctx, { nickname: 'Appy', phone: newPhone() });
    const defaultApp = srv.defaultApp.app_id;

    const expect = async (appId, by, q, id) => {
      const rows = await search(appId, by, q);
      assert.equal(await rows.count(), 1, `${by}=${q}`);
      assert.equal(await rows.first().locator('a').textContent(), String(id), `${by}=${q}`);
    };
    await expect(app.app_id, 'id', String(users.im.id), users.im.id);
    await expect(app.app_id, 'username', users.im.name, users.im.id);
    await expect(app.app_id, 'nick', 'Zeld', users.live.im_userid);
    await expect(app.app_id, 'live', users.live.uid, users.live.im_userid);
    await screenshot(page, 'console-users');
    const rows = await search(defaultApp, 'mobile', users.app.phone);
    assert.equal(await rows.count(), 1);
    users.app.accountId = Number(await rows.first().locator('a').textContent());
    assert.equal(await rows.first().locator('td').nth(5).textContent(), users.app.id); // its app-face id
    await expect(defaultApp, 'appface', users.app.id, users.app.accountId);
    // What matches nothing: an empty table, no error.
    assert.equal(await (await search(app.app_id, 'username', 'nobody-here')).locator('a').count(), 0);
    assert.equal(await (await search(app.app_id, 'appface', '!!')).locator('a').count(), 0);
  });

  test('a user page; disable refuses the user on every face at once', async () => {
    // The live user: its IM token and its live profile.
    await openUser(app.app_id, users.live.im_userid);
    assert.equal(await page.textContent('#user-state'), 'active');
    assert.match(await page.textContent('dl.facts'), /FacesIM, live/);
    await screenshot(page, 'console-user');
    // By keyboard: the dialog takes the focus (on Cancel), and Escape cancels.
    await page.focus('#user-disable');
    await page.keyboard.press('Enter');
    await page.locator('#confirm').waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'confirm-cancel');
    await page.keyboard.press('Escape');
    await page.locator('#confirm').waitFor({ state: 'hidden' });
    assert.equal(await page.textContent('#user-state'), 'active');
    await clickConfirmed('#user-disable');
    await page.locator('#user-state', { hasText: 'disabled' }).waitFor();
    const im = imClient(srv, app, users.live.imToken);
    const live = liveClient(srv, app);
    try {
      assertError(await im.req('GET', '/user/profile'), 10008);
      const prof = await live.req('GET', `/server/user/profile/${users.live.uid}`);
      assert.equal(prof.status, 404, prof.text);
      assert.equal(prof.json.message, 'user is disabled');
    } finally { im.close(); live.close(); }

    // The app-face user: its IM token and its app cookie.
    await openUser(srv.defaultApp.app_id, users.app.accountId);
    assert.equal(await page.textContent('#user-state'), 'active');
    await clickConfirmed('#user-disable');
    await page.locator('#user-state', { hasText: 'disabled' }).waitFor();
    await assertImTokenDead(ctx, users.app.imToken);
    // (raw: docs/openapi/app.json still says text/plain for this 403, which the app face answers in JSON)
    const raw = await rawHttp(srv.app, `GET /user/get_token HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${users.app.c.jar.header()}\r\n\r\n`);
    assert.match(raw, /^HTTP\/1\.1 403 /);
    assert.ok(raw.endsWith('{"code":1000,"msg":"Not loged in."}'), raw);
    // Enabled again: sign-in works again (the old credentials stay dead).
    await clickConfirmed('#user-enable');
    await page.locator('#user-state', { hasText: 'active' }).waitFor();
  });

  test('reset password: the generated one signs in on the IM face, the old one no longer', async () => {
    await openUser(app.app_id, users.im.id);
    await clickConfirmed('#user-reset');
    await page.locator('#new-password').waitFor();
    const fresh = await page.textContent('#new-password');
    assert.match(fresh, /^[A-Za-z0-9_-]{16}$/);
    assertError(await users.im.c.req('GET', '/user/profile'), 10008); // the old token ended with it
    const open = imClient(srv, app);
    try {
      assertError(await open.req('POST', '/token/user', { body: { name: users.im.name, password: users.im.password } }), 10005);
      assertOk(await open.req('POST', '/token/user', { body: { name: users.im.name, password: fresh } }));
    } finally { open.close(); }
  });

  test('sign out everywhere ends the app cookie and the IM token; delete removes the account', async () => {
    // The app-face user signs in again (its old credentials ended with the disable).
    const c = appClient(srv);
    const l = assertLogin(await post(c, '/user/login', { region: 86, phone: users.app.phone, password: users.app.password }), users.app.id);
    await openUser(srv.defaultApp.app_id, users.app.accountId);
    assert.equal(await page.textContent('#user-sessions'), '1');
    await clickConfirmed('#user-kick');
    await page.locator('#action-result', { hasText: 'sign out everywhere' }).waitFor();
    assert.equal(await page.textContent('#user-sessions'), '0');
    assert.equal(await page.textContent('#user-tokens'), '0');
    await assertImTokenDead(ctx, l.token);
    const raw = await rawHttp(srv.app, `GET /user/get_token HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${c.jar.header()}\r\n\r\n`);
    assert.match(raw, /^HTTP\/1\.1 403 /);
    c.close();

    users.doomed = await newUser(srv, app, { name: `doomed_${process.pid}` });
    await openUser(app.app_id, users.doomed.id);
    await clickConfirmed('#user-delete');
    await page.locator('#search').waitFor(); // back to the search
    assertError(await users.doomed.c.req('GET', '/user/profile'), 10008);
    const rows = await search(app.app_id, 'id', String(users.doomed.id));
    assert.equal(await rows.locator('a').count(), 0);
  });

  test('rotate the secret key: the old signature is refused on the live face, the new one works', async () => {
    await page.goto(`${base}/console/#/app/${app.app_id}`);
    await page.locator('#show-secret').waitFor();
    await page.click('#show-secret');
    await page.locator('#secret-key').waitFor();
    assert.equal(await page.textContent('#secret-key'), app.secret_key);
    await clickConfirmed('#rotate-secret');
    await page.locator('#rotated-secret').waitFor();
    const fresh = await page.textContent('#rotated-secret');
    assert.notEqual(fresh, app.secret_key);
    const old = liveClient(srv, app), now = liveClient(srv, { ...app, secret_key: fresh });
    try {
      const r = await old.req('GET', `/server/user/info/${users.live.uid}`);
      assert.equal(r.status, 401, r.text);
      const ok = await now.req('GET', `/server/user/info/${users.live.uid}`);
      assert.equal(ok.status, 200, ok.text);
    } finally { old.close(); now.close(); }
    app.secret_key = fresh;

    // Mint an admin token (shown once), then revoke it: refused at once.
    await page.click('#mint-token');
    await page.locator('#minted-token').waitFor();
    const token = await page.textContent('#minted-token');
    app.minted = token.slice(0, 8);
    const admin = imClient(srv, app, token);
    try {
      assertOk(await admin.req('GET', '/user/profile', { headers: { user_id: String(users.im.id) } }));
      await screenshot(page, 'console-app');
      await clickConfirmed(`#revoke-${token.slice(0, 8)}`);
      await page.locator('#app-result', { hasText: 'revoked' }).waitFor();
      assertError(await admin.req('GET', '/user/profile', { headers: { user_id: String(users.im.id) } }), 10008);
    } finally { admin.close(); }
  });

  test('a change without the CSRF token is refused, and so is one without a session', async () => {
    const path = `/apps/${app.app_id}/users/${users.im.id}/disable`;
    const session = await consoleApi('GET', '/session');
    assert.equal(session.json.operator, OPERATOR);
    for (const [what, o] of [['no token', {}], ['a wrong token', { csrf: 'f'.repeat(64) }],
      ['a form body', { csrf: session.json.csrf, contentType: 'application/x-www-form-urlencoded' }]]) {
      const r = await consoleApi('POST', path, { body: {}, ...o });
      assert.equal(r.status, 403, `${what}: ${r.text}`);
      assert.deepEqual(r.json, { error: 'refused: the request has no valid CSRF token' });
    }
    const anon = await consoleApi('POST', path, { body: {}, csrf: session.json.csrf, cookie: false });
    assert.equal(anon.status, 401);
    // The metrics through the console: for a session only.
    assert.equal((await consoleApi('GET', '/metrics', { cookie: false })).status, 401);
    const m = await consoleApi('GET', '/metrics');
    assert.equal(m.status, 200);
    assert.match(m.text, /^userd_build_info\{/m);
    // The sign-in takes JSON only, which a cross-site form cannot send.
    const form = await httpRequest({ port: srv.ops, method: 'POST', path: '/console/api/login',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `name=${OPERATOR}&password=${password}` });
    assert.equal(form.status, 403, form.text);
    assert.equal(form.headers['set-cookie'], undefined);
    const r = await consoleApi('GET', `/apps/${app.app_id}/users/${users.im.id}`);
    assert.equal(r.json.disabled, false); // nothing happened
  });

  test('the audit log lists every action, who did it and from where', async () => {
    await page.goto(`${base}/console/#/audit`);
    await page.locator('#audit-filter').waitFor();
    await page.locator('tbody tr').first().waitFor();
    await screenshot(page, 'console-audit');
    const r = await consoleApi('GET', '/audit');
    const got = r.json.entries.map((e) => `${e.operator} ${e.action} ${e.app_id} ${e.target}`).reverse();
    const d = srv.defaultApp.app_id;
    assert.deepEqual(got, [
      `(cli) operator.add  ${OPERATOR}`,
      `${OPERATOR} login  `,
      `${OPERATOR} app.create ${app.app_id} console shop`,
      `${OPERATOR} user.disable ${app.app_id} ${users.live.im_userid}`,
      `${OPERATOR} user.disable ${d} ${users.app.accountId}`,
      `${OPERATOR} user.enable ${d} ${users.app.accountId}`,
      `${OPERATOR} user.reset_password ${app.app_id} ${users.im.id}`,
      `${OPERATOR} user.kick ${d} ${users.app.accountId}`,
      `${OPERATOR} user.delete ${app.app_id} ${users.doomed.id}`,
      `${OPERATOR} app.secret.show ${app.app_id} console shop`,
      `${OPERATOR} app.secret.rotate ${app.app_id} `,
      `${OPERATOR} app.token.mint ${app.app_id} ${app.minted}`,
      `${OPERATOR} app.token.revoke ${app.app_id} ${app.minted}`,
    ]);
    assert.ok(r.json.entries.filter((e) => e.operator === OPERATOR).every((e) => e.address === '127.0.0.1'));
    // Filtered, through the page.
    await page.fill('#audit-action', 'user.disable');
    await page.click('#audit-filter button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 2);
  });

  test('the overview counts the accounts per app and face, and the sign-ups of today', async () => {
    await page.goto(`${base}/console/#/overview`);
    await page.locator('#right-now table').waitFor({ timeout: 15000 });
    const rows = await page.locator('table').nth(1).locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    assert.deepEqual(rows.sort(), [
      ['console shop', '2', '1', '1', '0', '1'], // the IM user; the live user, disabled
      ['default', '1', '0', '0', '1', '0'],      // the app-face user, enabled again
    ]);
    assert.match(await page.textContent('h2:has-text("Sign-ups per day")'), /\(3\)$/);
    // Sign-ins (tokens and app sessions issued) of the last 48 hours, as the store counted them:
    // at least the IM user's, the live user's IM token, the app user's and the one after the reset.
    const signIns = Number(storeQuery(srv, 'SELECT SUM(count) FROM sign_ins_hourly'));
    assert.ok(signIns >= 4, String(signIns));
    assert.equal(await page.textContent('#sign-ins-title'), `Sign-ins per hour, last 48 hours (${signIns})`);
    assert.equal(await page.locator('#sign-ins-chart .bar').count(), 48);
    await screenshot(page, 'console-overview');
  });

  test('readable on a phone-sized screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: await page.context().storageState() });
    const p = await phone.newPage();
    const problems = [];
    p.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    try {
      await p.goto(`${base}/console/#/user/${app.app_id}/${users.im.id}`);
      await p.locator('#user-state').waitFor();
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
      await screenshot(p, 'console-phone-user');
      assert.deepEqual(problems, []);
    } finally { await phone.close(); }
  });

  test('every page passes axe-core (WCAG 2 A and AA rules)', async () => {
    // A context that lets the test inject axe-core (an inline script the console's CSP refuses).
    const ctxA = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 },
      storageState: await page.context().storageState() });
    const p = await ctxA.newPage();
    const axe = path.join(REPO, 'tests/node_modules/axe-core/axe.min.js');
    try {
      for (const [hash, ready] of [
        ['#/overview', '#right-now'],
        [`#/users?${new URLSearchParams({ app: app.app_id, by: 'all', q: '' })}`, '#results table'],
        [`#/user/${app.app_id}/${users.im.id}`, '#user-state'],
        ['#/apps', '#create-app'],
        [`#/app/${app.app_id}`, '#show-secret'],
        ['#/audit', '#audit-filter'],
      ]) {
        await p.goto(`${base}/console/${hash}`);
        await p.locator(ready).first().waitFor();
        await p.addScriptTag({ path: axe });
        const r = await p.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'best-practice'] }));
        assert.deepEqual(r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], hash);
      }
      // The sign-in page, signed out.
      await ctxA.clearCookies();
      await p.goto(`${base}/console/`);
      await p.locator('#login-name').waitFor();
      await p.addScriptTag({ path: axe });
      const r = await p.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'best-practice'] }));
      assert.deepEqual(r.violations.map((v) => v.id), [], 'sign-in');
    } finally { await ctxA.close(); }
  });

  test('nothing came from outside the console, and the browser logged no error', () => {
    const outside = requested.filter((u) => !u.startsWith(`${base}/console/`));
    assert.deepEqual(outside, []);
    assert.deepEqual(page.problems, []);
  });

  test('a session ends after console.idle_timeout without a request, and at sign-out', async () => {
    // Another browser's session, made idle for longer than the timeout (30 min by default).
    const other = await browser.newContext();
    const p = await other.newPage();
    try {
      await p.goto(`${base}/console/`);
      await p.fill('#login-name', OPERATOR);
      await p.fill('#login-password', password);
      await p.click('#login-form button');
      await p.locator('#page-title', { hasText: 'Overview' }).waitFor();
      const [c] = await other.cookies(`${base}/console/`);
      const cookie = `userd_console=${c.value}`;
      const ask = () => httpRequest({ port: srv.ops, path: '/console/api/overview', headers: { Cookie: cookie } });
      assert.equal((await ask()).status, 200);
      storeQuery(srv, 'UPDATE console_sessions SET seen_at = seen_at - 1801000 ' + // this one, the newest
        'WHERE created_at = (SELECT MAX(created_at) FROM console_sessions)');
      const r = await ask();
      assert.equal(r.status, 401, r.text);
      assert.deepEqual(r.json, { error: 'the session ended: sign in again' });
      assert.equal((await ask()).status, 401); // and it is gone
    } finally { await other.close(); }

    // Sign out in the page: back to the form, and the cookie no longer works.
    const [c] = await page.context().cookies(`${base}/console/`);
    await page.click('#logout');
    await page.locator('#login-name').waitFor();
    const r = await httpRequest({ port: srv.ops, path: '/console/api/apps', headers: { Cookie: `userd_console=${c.value}` } });
    assert.equal(r.status, 401);
    assert.deepEqual(await page.context().cookies(`${base}/console/`), []);
    assert.deepEqual(page.problems, []);
  });

  test('wrong passwords lock the operator out, then the address', async () => {
    const tryLogin = (name, pw) => httpRequest({ port: srv.ops, method: 'POST', path: '/console/api/login',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, password: pw }) });
    const bob = userdCli(srv, 'operator', 'add', 'bob').stdout.trim();
    for (let i = 0; i < 5; i++) {
      const r = await tryLogin('bob', 'wrong-password');
      assert.equal(r.status, 401, r.text);
      assert.deepEqual(r.json, { error: 'wrong name or password' });
    }
    let r = await tryLogin('bob', bob); // the right one, too late
    assert.equal(r.status, 429, r.text);
    assert.deepEqual(r.json, { error: 'too many failed sign-ins: try again later' });
    // The address: 20 attempts that did not sign in (console.ip_max_failures), whatever the names;
    // bob's six count, so 14 more reach it.
    for (let i = 0; i < 14; i++) assert.equal((await tryLogin(`nobody${i}`, 'x')).status, 401);
    r = await tryLogin(OPERATOR, password);
    assert.equal(r.status, 429, r.text);
  });
});
