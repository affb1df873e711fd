// The request head, tried as a hostile client would, on raw sockets: the
// documented limits (docs/architecture.md, "Limits of a request head") hold
// exactly, a head over them is refused at once (never a wait for the
// timeout, never a leak), and framing that two servers could read
// differently (request smuggling behind a proxy) is refused with 400 and a
// closed connection, as RFC 9112 asks.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startUserd } from './lib/harness.mjs';
import { startApp, signUp } from './app_lib.mjs';

/**
 * Sends text on a fresh connection; resolves what came back, whether the
 * server closed the connection, and how long it took. Gives up after ms.
 */
function exchange(port, text, ms = 5000) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const chunks = [];
    const sock = net.connect(port, '127.0.0.1');
    let timer;
    const done = (closed) => {
      clearTimeout(timer);
      sock.destroy();
      const out = Buffer.concat(chunks).toString('latin1');
      resolve({ text: out, closed, ms: Date.now() - t0, statuses: [...out.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1])) });
    };
    timer = setTimeout(() => done(false), ms);
    sock.on('connect', () => sock.write(text, 'latin1'));
    sock.on('data', (c) => chunks.push(c));
    sock.on('end', () => done(true));
    sock.on('error', (e) => (chunks.length ? done(true) : (clearTimeout(timer), reject(e))));
  });
}

const HOST = 'Host: x\r\n';
const get = (target, headers = '') => `GET ${target} HTTP/1.1\r\n${HOST}${headers}\r\n`;
const args = (n) => Array.from({ length: n }, (_, i) => `a${i}=1`).join('&');
const fields = (n) => Array.from({ length: n }, (_, i) => `X-F${i}: v\r\n`).join('');
const cookies = (n, width = 1) => 'Cookie: ' + Array.from({ length: n }, (_, i) => `c${i}=${'v'.repeat(width)}`).join('; ') + '\r\n';

/** A refusal: the status, at once, in plain text, and the connection closed. */
function refused(r, status, what) {
  assert.deepEqual(r.statuses, [status], `${what}: ${r.text.slice(0, 300)}`);
  assert.ok(r.closed, `${what}: connection left open`);
  assert.ok(r.ms < 2000, `${what}: took ${r.ms} ms`);
  assert.match(r.text, /Connection: close/i, what);
  assert.match(r.text, /Content-Type: text\/plain/i, what);
}

function served(r, what) {
  assert.deepEqual(r.statuses, [200], `${what}: ${r.text.slice(0, 300)}`);
}

describe('request head limits', () => {
  let srv;
  before(async () => { srv = await startUserd({ env: { USERD_LOG_ACCESS: 'false' } }); });
  after(async () => { await srv?.stop(); });

  test(`query arguments: 256 are served, 257 and 600 are refused with 414 at once`, async () => {
    served(await exchange(srv.im, get(`/healthz?${args(256)}`), 2000), '256 arguments');
    refused(await exchange(srv.im, get(`/healthz?${args(257)}`)), 414, '257 arguments');
    // ~600 arguments made libmicrohttpd run out of connection memory and answer nobody until the timeout
    refused(await exchange(srv.im, get(`/user/profile?${args(600)}`)), 414, '600 arguments');
    refused(await exchange(srv.im, get(`/healthz?${'&'.repeat(20000)}`)), 414, '20000 empty arguments');
  });

  test('header fields: 100 are served (Host counts), 101 and 1000 get 431', async () => {
    served(await exchange(srv.im, get('/healthz', fields(99)), 2000), '100 fields');
    refused(await exchange(srv.im, get('/healthz', fields(100))), 431, '101 fields');
    const r = await exchange(srv.im, get('/healthz', fields(1000)));
    assert.deepEqual(r.statuses, [431], r.text.slice(0, 200)); // past the memory: libmicrohttpd's own answer
    assert.ok(r.closed && r.ms < 2000);
  });

  test('cookies: 100 are served, 101 (short ones, 1 KB) and 500 get 431; so do 8 KB of cookies', async () => {
    served(await exchange(srv.im, get('/healthz', cookies(100)), 2000), '100 cookies');
    refused(await exchange(srv.im, get('/healthz', cookies(101))), 431, '101 cookies');
    refused(await exchange(srv.im, get('/healthz', cookies(500))), 431, '500 cookies');
    served(await exchange(srv.im, get('/healthz', cookies(10, 800)), 2000), '10 cookies of 800 bytes');
    refused(await exchange(srv.im, get('/healthz', cookies(11, 800))), 431, '8.8 KB of cookies');
  });

  test('http.max_header (32768) is the size of the request line and headers, whatever they hold', async () => {
    // the worst head within every limit at once: 100 fields, 256 arguments, 100 cookies in 8 KB, 32 KB in all
    const line = `/healthz?${args(256)}`;
    const cookie = cookies(100, 70);
    const fixed = `GET ${line} HTTP/1.1\r\n${HOST}${cookie}`.length + 2;
    const filler = Array.from({ length: 97 }, (_, i) => `X-F${i}: v\r\n`).join('');
    const padLen = 32768 - fixed - filler.length - 'X-Pad: \r\n'.length;
    const worst = `GET ${line} HTTP/1.1\r\n${HOST}${cookie}${filler}X-Pad: ${'p'.repeat(padLen)}\r\n\r\n`;
    assert.equal(worst.length, 32768);
    served(await exchange(srv.im, worst, 2000), 'the worst 32768-byte head');
    const over = worst.replace('X-Pad: p', 'X-Pad: pp');
    refused(await exchange(srv.im, over), 431, '32769 bytes');
    served(await exchange(srv.im, get(`/healthz?x=${'a'.repeat(32000)}`), 2000), 'a 32 KB request line');
    refused(await exchange(srv.im, get(`/healthz?x=${'a'.repeat(33000)}`)), 414, 'a 33 KB request line');
  });

  test('a hundred refused heads leave nothing behind: SIGTERM exits at once, cleanly (LeakSanitizer under ASan)', async () => {
    const own = await startUserd({ env: { USERD_LOG_ACCESS: 'false' } });
    const all = [];
    for (let i = 0; i < 25; i++) {
      all.push(exchange(own.im, get(`/user/profile?${args(600)}`)));
      all.push(exchange(own.im, get('/healthz', fields(1000))));
      all.push(exchange(own.im, get('/healthz', cookies(500))));
      all.push(exchange(own.im, `GET /healthz HTTP/1.1\r\n${HOST}Content-Length: 1\r\nContent-Length: 2\r\n\r\n`));
    }
    for (const r of await Promise.all(all)) assert.ok(r.closed && r.statuses.length === 1, r.text.slice(0, 200));
    const t0 = Date.now();
    assert.equal(await own.stop(), 0, own.logs().join('\n').slice(-3000));
    assert.ok(Date.now() - t0 < 3000, `stop took ${Date.now() - t0} ms`);
    assert.ok(!own.logs().some((l) => /LeakSanitizer|ERROR: AddressSanitizer/.test(l)));
  });
});

describe('framing (RFC 9112): what a proxy and userd could read differently is refused', () => {
  let srv;
  before(async () => { srv = await startUserd({ env: { USERD_LOG_ACCESS: 'false' } }); });
  after(async () => { await srv?.stop(); });

  // The smuggled request rides in the body: it must never be answered.
  const smuggled = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
  const post = (headers, body = smuggled) => `POST /user/profile HTTP/1.1\r\n${headers}\r\n${body}`;

  const cases = [
    ['two different Content-Length', post(`${HOST}Content-Length: 0\r\nContent-Length: ${smuggled.length}\r\n`)],
    ['two equal Content-Length', post(`${HOST}Content-Length: ${smuggled.length}\r\nContent-Length: ${smuggled.length}\r\n`)],
    ['Content-Length with Transfer-Encoding: chunked', post(`${HOST}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n`, `0\r\n\r\n${smuggled}`)],
    ['two Transfer-Encoding', post(`${HOST}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n`, `0\r\n\r\n${smuggled}`)],
    ['Transfer-Encoding in HTTP/1.0', `POST /user/profile HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`],
    ['two Host headers', get('/healthz', 'Host: y\r\n')],
    ['HTTP/1.1 without Host', 'GET /healthz HTTP/1.1\r\n\r\n'],
    ['white space before a colon', `GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n`],
    ['a tab before a colon', `GET /healthz HTTP/1.1\r\n${HOST}Content-Length\t: 0\r\n\r\n`],
    ['obs-fold', `GET /healthz HTTP/1.1\r\n${HOST}X-Folded: a\r\n b\r\n\r\n`],
    ['obs-fold of Transfer-Encoding', post(`${HOST}X-A: 1\r\n Transfer-Encoding: chunked\r\nContent-Length: ${smuggled.length}\r\n`)],
    ['a space inside the request target', 'GET /healthz x HTTP/1.1\r\nHost: x\r\n\r\n'],
  ];
  for (const [what, text] of cases) {
    test(`${what}: 400 and the connection closes`, async () => {
      refused(await exchange(srv.im, text), 400, what);
    });
  }

  test('Transfer-Encoding: gzip with no length: 501 at once, not a wait for the timeout', async () => {
    refused(await exchange(srv.im, post(`${HOST}Transfer-Encoding: gzip\r\n`, 'xxxx')), 501, 'gzip');
    refused(await exchange(srv.im, post(`${HOST}Transfer-Encoding: gzip, chunked\r\n`, '0\r\n\r\n')), 501, 'gzip, chunked');
  });

  test('well-framed requests still pass: chunked bodies, HTTP/1.0 without Host, keep-alive', async () => {
    const app = srv.defaultApp.app_id;
    const body = JSON.stringify({ username: 'chunky', password: 'secret123' });
    const chunked = `POST /user/register/v2 HTTP/1.1\r\n${HOST}app_id: ${app}\r\nTransfer-Encoding: chunked\r\n\r\n`
      + `${(10).toString(16)}\r\n${body.slice(0, 10)}\r\n${(body.length - 10).toString(16)}\r\n${body.slice(10)}\r\n0\r\n\r\n`;
    const r = await exchange(srv.im, chunked + get('/healthz'), 3000);
    assert.deepEqual(r.statuses, [200, 200], r.text);
    assert.match(r.text, /"code":200/);
    assert.ok(!r.closed, 'keep-alive was dropped');
    served(await exchange(srv.im, 'GET /healthz HTTP/1.0\r\n\r\n'), 'HTTP/1.0');
    served(await exchange(srv.im, `GET /healthz HTTP/1.1\r\nhOsT:x\r\n\r\n`), 'a Host in any case, no space');
  });
});

describe('the session cookie is matched exactly', () => {
  let ctx, user, cookieName, value;
  before(async () => {
    ctx = await startApp();
    user = await signUp(ctx);
    cookieName = 'rong_auth_cookie';
    value = user.c.jar.get(cookieName);
    assert.ok(value);
  });
  after(async () => { await ctx?.stop(); });

  const privacy = (cookie) => new Promise((resolve, reject) => {
    exchange(ctx.srv.app, `GET /user/get_privacy HTTP/1.1\r\n${HOST}Cookie: ${cookie}\r\nConnection: close\r\n\r\n`)
      .then((r) => resolve(r.statuses[0]), reject);
  });

  test('as browsers, iOS and Android send it: signed in', async () => {
    assert.equal(await privacy(`${cookieName}=${value}`), 200);
    assert.equal(await privacy(`other=1; ${cookieName}=${value}; more=2`), 200);
    assert.equal(await privacy(`${cookieName}=${value};`), 200); // iOS
    assert.equal(await privacy(`${cookieName}=${value}; Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax`), 200); // Android
  });

  test('another case of the name, a quoted value, or a look-alike: not signed in (403)', async () => {
    assert.equal(await privacy(`${cookieName.toUpperCase()}=${value}`), 403);
    assert.equal(await privacy(`Rong_Auth_Cookie=${value}`), 403);
    assert.equal(await privacy(`${cookieName}="${value}"`), 403);
    assert.equal(await privacy(`x${cookieName}=${value}`), 403);
    assert.equal(await privacy(`${cookieName} =${value}`), 403);
    assert.equal(await privacy(`${cookieName}=`), 403);
  });
});
