// Connection abuse: thousands of unfinished connections from one address,
// thousands of requests abandoned mid-body, slowloris heads, and too many
// requests from one client behind a proxy. A normal client is served within
// a second or two throughout.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { httpRequest, sleep, startUserd } from '../lib/harness.mjs';

/** Opens a connection from address `from` and writes text; resolves the socket once connected (or null). */
function openWith(port, from, text) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress: from });
    s.closedAt = null;
    s.on('close', () => { s.closedAt = Date.now(); });
    s.on('error', () => resolve(null));
    s.on('data', () => {});
    s.on('connect', () => { if (text) s.write(text); resolve(s); });
  });
}

/** Sockets of the server's port in CLOSE_WAIT (its end of connections the peer closed), from /proc. */
function closeWait(port) {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  let n = 0;
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try { text = fs.readFileSync(f, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 3 && cols[1].endsWith(`:${hex}`) && cols[3] === '08') n++;
    }
  }
  return n;
}

/** A normal client from 127.0.0.1: a fresh connection, GET /healthz; resolves the time it took (or throws). */
async function normalClient(srv) {
  const t0 = Date.now();
  const r = await httpRequest({ port: srv.im, path: '/healthz', timeoutMs: 5000 });
  assert.equal(r.status, 200);
  return Date.now() - t0;
}

async function servedThroughout(srv, seconds) {
  const times = [];
  for (let i = 0; i < seconds * 4; i++) {
    times.push(await normalClient(srv));
    await sleep(250);
  }
  assert.ok(Math.max(...times) < 2000, `a normal client waited ${Math.max(...times)} ms`);
  return times;
}

const HEAD = 'GET /healthz HTTP/1.1\r\nHost: x\r\n'; // unfinished: no blank line

describe('connection abuse', () => {
  test('5,000 unfinished connections from 127.0.0.2 (more than http.max_connections): 127.0.0.1 is served at once', async () => {
    const srv = await startUserd({ env: { USERD_LOG_ACCESS: 'false' } });
    const socks = [];
    for (let i = 0; i < 5000; i += 500)
      socks.push(...await Promise.all(Array.from({ length: 500 }, () => openWith(srv.im, '127.0.0.2', HEAD))));
    await sleep(300);
    const open = socks.filter((s) => s && !s.closedAt).length;
    assert.ok(open <= 256, `${open} connections from 127.0.0.2 still open (http.max_connections_per_ip is 256)`);
    await servedThroughout(srv, 2);
    for (const s of socks) s?.destroy();
    await srv.stop();
  });

  test('4,200 requests abandoned mid-body are let go at once: no CLOSE_WAIT left, 127.0.0.1 is served', async () => {
    const srv = await startUserd({ env: { USERD_LOG_ACCESS: 'false' } });
    const app = srv.defaultApp.app_id;
    const head = `POST /user/register/v2 HTTP/1.1\r\nHost: x\r\napp_id: ${app}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"username":`;
    for (let round = 0; round < 7; round++) {
      const socks = await Promise.all(Array.from({ length: 600 }, (_, i) => openWith(srv.im, `127.0.0.${3 + (i % 20)}`, head)));
      await sleep(50);
      for (const s of socks) s?.destroy();
    }
    let left = closeWait(srv.im);
    for (let i = 0; i < 20 && left > 0; i++) { await sleep(100); left = closeWait(srv.im); }
    assert.equal(left, 0, 'the server kept connections their clients had closed');
    await servedThroughout(srv, 2);
    const t0 = Date.now();
    assert.equal(await srv.stop(), 0);
    assert.ok(Date.now() - t0 < 3000, 'nothing left in flight');
  });

  test('slowloris: a head not in within http.header_timeout is cut; a kept-alive connection that idles then dribbles too', async () => {
    const srv = await startUserd({ env: { USERD_LOG_ACCESS: 'false', USERD_HTTP_HEADER_TIMEOUT: '2' } });
    // a new connection that sends a byte now and then, never the whole head
    const fresh = await openWith(srv.im, '127.0.0.2', 'GET /healthz HTTP/1.1\r\n');
    const dribble = setInterval(() => fresh.closedAt || fresh.write('X-A: b\r\n'), 300);
    // a kept-alive connection: one request, then idle, then a dribbled head
    const kept = await openWith(srv.im, '127.0.0.3', 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const t0 = Date.now();
    await sleep(3500);
    kept.write('GET /healthz HTTP/1.1\r\n');
    const keptDribble = setInterval(() => kept.closedAt || kept.write('X-A: b\r\n'), 300);
    for (let i = 0; i < 80 && !(fresh.closedAt && kept.closedAt); i++) await sleep(100);
    clearInterval(dribble);
    clearInterval(keptDribble);
    assert.ok(fresh.closedAt, 'the dribbling connection was never cut');
    assert.ok(fresh.closedAt - t0 < 2000 + 1500, `cut after ${fresh.closedAt - t0} ms`);
    assert.ok(kept.closedAt, 'the dribbling kept-alive connection was never cut');
    assert.ok(kept.closedAt - t0 >= 3500 && kept.closedAt - t0 < 3500 + 2000 + 2000, `cut after ${kept.closedAt - t0} ms`);
    // an idle kept-alive connection is not cut by the header deadline (http.timeout is 60 s)
    const idle = await openWith(srv.im, '127.0.0.4', 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(3500);
    assert.equal(idle.closedAt, null, 'an idle kept-alive connection was cut');
    idle.destroy();
    fresh.destroy();
    kept.destroy();
    await srv.stop();
  });

  test('http.max_connections_per_ip: the next connection from that address is closed at once, others are served', async () => {
    const srv = await startUserd({ env: { USERD_LOG_ACCESS: 'false', USERD_HTTP_MAX_CONNECTIONS_PER_IP: '3' } });
    const held = await Promise.all([1, 2, 3].map(() => openWith(srv.im, '127.0.0.5', HEAD)));
    const fourth = await openWith(srv.im, '127.0.0.5', HEAD);
    for (let i = 0; i < 20 && !fourth?.closedAt; i++) await sleep(50);
    assert.ok(!fourth || fourth.closedAt, 'the fourth connection from 127.0.0.5 was kept');
    assert.ok(held.every((s) => s && !s.closedAt));
    await normalClient(srv);
    for (const s of held) s.destroy();
    await srv.stop();
  });

  test('behind a proxy (http.trust_proxy), the cap counts requests in flight per forwarded client: 429 past it', async () => {
    const srv = await startUserd({ env: { USERD_LOG_ACCESS: 'false', USERD_HTTP_TRUST_PROXY: 'true', USERD_HTTP_MAX_CONNECTIONS_PER_IP: '2' } });
    const app = srv.defaultApp.app_id;
    const slow = (client) => openWith(srv.im, '127.0.0.1',
      `POST /user/register/v2 HTTP/1.1\r\nHost: x\r\napp_id: ${app}\r\nX-Forwarded-For: ${client}\r\nContent-Length: 50\r\n\r\n{`);
    const held = [await slow('203.0.113.7'), await slow('203.0.113.7')];
    await sleep(200);
    const get = (client) => httpRequest({ port: srv.im, path: '/healthz', headers: { 'X-Forwarded-For': client } });
    const third = await get('203.0.113.7');
    assert.equal(third.status, 429, third.text);
    assert.equal(third.headers['retry-after'], '1');
    assert.equal((await get('203.0.113.8')).status, 200);
    assert.equal((await get('198.51.100.1, 203.0.113.9')).status, 200); // the last address is the client
    // more connections from the proxy itself than the cap: fine, the proxy is not the client
    assert.equal((await Promise.all([1, 2, 3, 4].map((i) => get(`203.0.113.${20 + i}`)))).filter((r) => r.status === 200).length, 4);
    for (const s of held) s.destroy();
    await sleep(300);
    assert.equal((await get('203.0.113.7')).status, 200);
    await srv.stop();
  });
});
