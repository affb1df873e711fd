// A real browser (Debian's Chromium, headless, driven by playwright-core)
// calls the IM and app faces from a page of another origin (issue 14; docs
// im.md and app.md, "Web clients"). The page (tests/bb/web/client.html) is
// served by a small static server on its own loopback port:
//  - from an allowed origin it registers, signs in and reads and updates the
//    profile and the settings on the IM face with the token headers (every
//    call with them is preflighted), and on the app face gets an SMS code,
//    registers, signs in (the session cookie set by a cross-origin answer
//    with credentials), reads its user, sets the nickname, signs out and is
//    refused after;
//  - from an origin that is not allowed, the browser blocks the same calls.
//
// Both origins are http://127.0.0.1 with different ports: different origins
// but the same site, so the cookie's default SameSite=Lax lets it ride on the
// page's credentialed fetches (a page on another site needs
// session.samesite=None and session.secure, i.e. HTTPS; docs/app.md).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, newPage, screenshot } from './lib/browser.mjs';
import { sleep } from './lib/harness.mjs';
import { startApp } from './app_lib.mjs';

const PAGE = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'web/client.html'));

/** A static server on a free loopback port: the page at "/", 404 elsewhere. */
async function pageServer() {
  const server = http.createServer((req, res) => {
    if (req.url !== '/') { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(PAGE);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

const phone = () => `138${String(process.pid % 10000).padStart(4, '0')}${String(Date.now() % 10000).padStart(4, '0')}`;

describe('a browser page of another origin calls the IM and app faces', () => {
  let allowed, other, ctx, browser, im, app;
  before(async () => {
    allowed = await pageServer();
    other = await pageServer();
    ctx = await startApp({ USERD_IM_CORS_ORIGINS: allowed.origin, USERD_APP_CORS_ORIGINS: allowed.origin, USERD_LOG_ACCESS: 'true' });
    im = `http://127.0.0.1:${ctx.srv.im}`;
    app = `http://127.0.0.1:${ctx.srv.app}`;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await ctx?.stop();
    await allowed?.close();
    await other?.close();
  });

  /** The page from origin. */
  async function open(origin) {
    const page = await newPage(browser);
    await page.goto(`${origin}/`);
    return page;
  }

  /**
   * What reached the server since the access log held `from` lines: "METHOD
   * path status" (the preflights too, which the browser does not show a page).
   */
  const logLines = () => ctx.srv.logs().length;
  const served = (from) => ctx.srv.logs().slice(from).filter((l) => l.includes('"request_id"'))
    .map((l) => JSON.parse(l)).map((a) => `${a.method} ${a.path} ${a.status}`);
  /** served(from) once it lists last (the access log is written by a thread of its own, a moment after the answer). */
  async function servedUntil(from, wanted) {
    // The faces' threads write their lines as they finish, not in the page's order.
    for (const end = Date.now() + 5000; !wanted.every((w) => served(from).includes(w)) && Date.now() < end;) await sleep(20);
    return served(from);
  }

  /** step -> its result, for steps the page listed. */
  const byStep = (results) => Object.fromEntries(results.map((r) => [r.step, r]));

  test('from an allowed origin: every call answers, the session cookie works across origins', async () => {
    const page = await open(allowed.origin);
    const mark = logLines();
    const username = `web${process.pid}${Date.now() % 100000}`;
    const imSteps = byStep(await page.evaluate(([b, a, u]) => window.client.im(b, a, u, 'secret123'),
      [im, ctx.srv.defaultApp.app_id, username]));
    for (const r of Object.values(imSteps)) {
      assert.equal(r.outcome, 'ok', JSON.stringify(r));
      assert.equal(r.detail.body.code, 200, JSON.stringify(r));
    }
    const userId = imSteps['im login'].detail.body.data.user_id;
    assert.equal(imSteps['im profile'].detail.body.data.username, username);
    assert.equal(imSteps['im profile'].detail.body.data.nick_name, '');
    assert.equal(imSteps['im set profile'].detail.body.data, true);
    assert.deepEqual(imSteps['im profile again'].detail.body.data, {
      user_id: userId, username, avatar: '', description: 'from a page', mobile: '', email: '', nick_name: 'Web Tom',
      public_info: '', private_info: '',
    });
    assert.equal(imSteps['im settings'].detail.body.data.no_sounds, true);
    assert.equal(imSteps['im settings'].detail.body.data.push_nick_name, 'Tom');
    // the browser preflighted the calls with the token headers or a JSON body (once a method and path: it keeps the answer)
    const imWanted = ['OPTIONS /user/register/v2 204', 'POST /user/register/v2 200', 'OPTIONS /token/user 204', 'POST /token/user 200',
      'OPTIONS /user/profile 204', 'GET /user/profile 200', 'PUT /user/profile 200', 'OPTIONS /user/settings 204',
      'POST /user/settings 200', 'GET /user/settings 200'];
    const imServed = await servedUntil(mark, imWanted);
    for (const want of imWanted) assert.ok(imServed.includes(want), `${want} not in:\n${imServed.join('\n')}`);

    const p = phone();
    const sent = await page.evaluate(([b, ph]) => window.client.appSendCode(b, ph), [app, p]);
    assert.deepEqual(sent.map((r) => [r.outcome, r.detail.body]), [['ok', { code: 200 }]]);
    const code = await ctx.sms.waitCode(p);
    const appSteps = byStep(await page.evaluate(([b, ph, c]) => window.client.appSession(b, ph, c, 'P@ssw0rd'), [app, p, code]));
    for (const step of ['app verify_code', 'app register', 'app login', 'app user', 'app set_nickname', 'app user again', 'app logout'])
      assert.equal(appSteps[step]?.outcome, 'ok', `${step}: ${JSON.stringify(appSteps[step])}`);
    const id = appSteps['app login'].detail.body.result.id;
    assert.equal(appSteps['app register'].detail.body.result.id, id);
    assert.deepEqual(appSteps['app user'].detail.body, { code: 200, result: appSteps['app user'].detail.body.result });
    assert.equal(appSteps['app user'].detail.body.result.id, id);
    assert.equal(appSteps['app user'].detail.body.result.nickname, 'Jerry');
    assert.deepEqual(appSteps['app set_nickname'].detail.body, { code: 200 });
    assert.equal(appSteps['app user again'].detail.body.result.nickname, 'Jerry Web');
    assert.deepEqual(appSteps['app logout'].detail.body, { code: 200 });
    // signed out: the next call is refused, and the page can read why (403, the face's JSON)
    assert.deepEqual(appSteps['app user after logout'], {
      step: 'app user after logout', outcome: 'refused', detail: { status: 403, body: { code: 1000, msg: 'Not loged in.' } },
    });
    // the cookie lives in the browser, set for the app face's host, HttpOnly (the page never saw it)
    const cookies = await page.context().cookies(app);
    assert.deepEqual(cookies, []); // cleared by the logout
    assert.equal(await page.evaluate(() => document.cookie), '');

    await screenshot(page.locator('#results'), 'browser-clients-allowed');
    // Chromium reports the one refused answer (the 403 after logout) on the console; nothing else went wrong.
    assert.deepEqual(page.problems.filter((m) => !/status of 403/.test(m)), []);
    assert.equal(page.problems.length, 1, page.problems.join('\n'));
    await page.context().close();
  });

  test('from an origin that is not allowed: the browser blocks every call', async () => {
    const page = await open(other.origin);
    const mark = logLines();
    const imSteps = await page.evaluate(([b, a]) => window.client.im(b, a, 'blocked1', 'secret123'), [im, ctx.srv.defaultApp.app_id]);
    assert.deepEqual(imSteps.map((r) => [r.step, r.outcome, r.detail]), [
      ['im register', 'blocked', { error: 'TypeError' }],
      ['im login', 'blocked', { error: 'TypeError' }],
    ]);
    const p = phone();
    const sent = await page.evaluate(([b, ph]) => window.client.appSendCode(b, ph), [app, p]);
    assert.deepEqual(sent.map((r) => [r.outcome, r.detail]), [['blocked', { error: 'TypeError' }]]);
    // the JSON bodies made the browser ask first: the preflights were refused (405, no CORS header), so no call was made
    const preflights = ['OPTIONS /user/register/v2 405', 'OPTIONS /token/user 405', 'OPTIONS /user/send_code 405'];
    assert.deepEqual((await servedUntil(mark, preflights)).sort(), preflights.sort());
    assert.equal(ctx.sms.messages.filter((m) => String(m.phone) === p).length, 0);
    await screenshot(page.locator('#results'), 'browser-clients-blocked');
    // what went wrong is only the blocked calls: for each, Chromium's CORS error, its failed load, the failed request
    for (const [base, p] of [[im, '/user/register/v2'], [im, '/token/user'], [app, '/user/send_code']]) {
      const cors = page.problems.filter((m) => m.startsWith(`console: Access to fetch at '${base}${p}' from origin '${other.origin}' has been blocked by CORS policy`));
      assert.equal(cors.length, 1, `${p}:\n${page.problems.join('\n')}`);
      assert.ok(page.problems.includes(`request failed: ${base}${p} net::ERR_FAILED`), page.problems.join('\n'));
    }
    for (const m of page.problems)
      assert.match(m, /^console: Access to fetch at .* has been blocked by CORS policy|^console: Failed to load resource: net::ERR_FAILED$|^request failed: .* net::ERR_FAILED$/, m);
    assert.equal(page.problems.length, 9, page.problems.join('\n'));
    await page.context().close();
  });
});
