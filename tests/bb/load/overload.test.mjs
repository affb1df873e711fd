// Overload of the hashing pool: admission by time (password.max_wait_ms),
// busy answers that come at once with Retry-After, a request that waited past
// its budget answered busy instead of run, batches counted as their hashes,
// and a SIGTERM while the pool is saturated (every request answered, a clean
// exit: under ASan, no use after free).
//
// Argon2id runs at the default cost here (the harness lowers it for speed).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { imClient, sleep, startUserd } from '../lib/harness.mjs';

const DEFAULT_COST = { USERD_PASSWORD_OPSLIMIT: '2', USERD_PASSWORD_MEMLIMIT_KIB: '19456' };

/**
 * One request on its own connection, from a given loopback address (the
 * per-address connection cap is about real clients, who come from many),
 * written on a raw socket: the 3000-client test runs client and server on
 * the same two cores, and node:http's client costs twice the CPU. The time
 * counts from the connection's start (the client's own queue of connects is
 * not userd's time). Resolves {status, headers, text, json, ms} or {status: 0, error}.
 */
function send(port, method, path, { body, headers = {}, from = '127.0.0.1', timeoutMs = 60000 } = {}) {
  const data = body === undefined ? '' : JSON.stringify(body);
  const head = Object.entries({ Host: 'x', ...headers, ...(data ? { 'Content-Type': 'application/json' } : {}),
    'Content-Length': Buffer.byteLength(data), Connection: 'close' }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return new Promise((resolve) => {
    let t0 = Date.now();
    const chunks = [];
    const s = net.connect({ port, host: '127.0.0.1', localAddress: from });
    const timer = setTimeout(() => s.destroy(new Error('timeout')), timeoutMs);
    s.on('connect', () => { t0 = Date.now(); s.write(`${method} ${path} HTTP/1.1\r\n${head}\r\n${data}`); });
    s.on('data', (c) => chunks.push(c));
    s.on('error', (e) => { clearTimeout(timer); resolve({ status: 0, error: e.message, ms: Date.now() - t0 }); });
    s.on('close', (hadError) => {
      clearTimeout(timer);
      if (hadError) return;
      const raw = Buffer.concat(chunks).toString('utf8');
      const at = raw.indexOf('\r\n\r\n');
      const headers = {};
      for (const line of raw.slice(0, at).split('\r\n').slice(1)) {
        const k = line.indexOf(':');
        headers[line.slice(0, k).trim().toLowerCase()] = line.slice(k + 1).trim();
      }
      const text = raw.slice(at + 4);
      let json;
      try { json = JSON.parse(text); } catch { json = undefined; }
      resolve({ status: Number(raw.slice(9, 12)) || 0, headers, text, json, ms: Date.now() - t0 });
    });
  });
}

const from = (i) => `127.0.0.${2 + (i % 20)}`;

/** A busy answer in the IM face's format, with a Retry-After of whole seconds. */
function imBusy(r) {
  assert.equal(r.status, 503, r.text ?? r.error);
  assert.equal(r.json?.code, 503, r.text);
  assert.equal(r.json.data, null);
  assert.match(r.headers['retry-after'] ?? '', /^[1-9][0-9]*$/, JSON.stringify(r.headers));
}

describe('the hashing pool admits by time', () => {
  test('3000 concurrent logins: the admitted all succeed within max_wait_ms + 2 s, the rest hear 503 + Retry-After at once; reads go on', async () => {
    const srv = await startUserd({ env: { ...DEFAULT_COST, USERD_LOG_ACCESS: 'false' } });
    const app = srv.defaultApp;
    const open = imClient(srv, app);
    const names = Array.from({ length: 10 }, (_, i) => `login_${process.pid}_${i}`);
    for (const username of names)
      assert.equal((await open.req('POST', '/user/register/v2', { body: { username, password: 'secret123' } })).json?.code, 200);
    const token = (await open.req('POST', '/token/user', { body: { name: names[0], password: 'secret123' } })).json.data.token;
    open.close();

    // profile reads all along, on a kept-alive connection
    const reader = imClient(srv, app, token);
    let reading = true;
    const reads = [];
    const readLoop = (async () => {
      while (reading) {
        const t0 = Date.now();
        const r = await reader.req('GET', '/user/profile').catch((e) => ({ status: 0, text: e.message }));
        reads.push({ ...r, ms: Date.now() - t0 });
        await sleep(20);
      }
    })();

    const logins = await Promise.all(Array.from({ length: 3000 }, (_, i) => send(srv.im, 'POST', '/token/user', {
      from: from(i), headers: { app_id: app.app_id }, body: { name: names[i % names.length], password: 'secret123' },
    })));
    reading = false;
    await readLoop;
    reader.close();

    const ok = logins.filter((r) => r.status === 200);
    const busy = logins.filter((r) => r.status === 503);
    for (const r of ok) {
      assert.equal(r.json?.code, 200, r.text);
      assert.ok(r.json.data.token);
      assert.ok(r.ms <= 10000 + 2000, `an admitted login took ${r.ms} ms`);
    }
    // A refusal comes at the door, long before the 10 s budget; or, where the estimate of the
    // wait was wrong (hashes got slower meanwhile), when the budget ran out before the hash
    // started: busy, not run. The estimate holds for nearly all.
    for (const r of busy) {
      imBusy(r);
      assert.ok(r.ms <= 10000 + 2000, `a refusal took ${r.ms} ms`);
    }
    const late = busy.filter((r) => r.ms >= 5000).length;
    assert.ok(late <= 0.1 * busy.length, `${late} of ${busy.length} refusals came after the budget, not at the door`);
    assert.equal(ok.length + busy.length, 3000, logins.filter((r) => r.status !== 200 && r.status !== 503).slice(0, 3).map((r) => r.text ?? r.error).join(' | '));
    assert.ok(ok.length >= 10 && busy.length >= 1, `${ok.length} admitted, ${busy.length} refused`);
    assert.ok(reads.length >= 10, `${reads.length} reads`);
    for (const r of reads) assert.equal(r.json?.code, 200, r.text);
    console.log(`# 3000 logins: ${ok.length} admitted (slowest ${Math.max(...ok.map((r) => r.ms))} ms), ${busy.length} refused (${late} after the budget; slowest ${Math.max(...busy.map((r) => r.ms))} ms); ${reads.length} reads, slowest ${Math.max(...reads.map((r) => r.ms ?? 0))} ms`);
    assert.equal(await srv.stop(), 0);
  });

  test('a request that waited past its budget is answered busy, not run', async () => {
    // Accounts whose stored hashes are costly (~0.3 s to check), then a server whose own hashes are
    // cheap: it paces itself by those, admits logins of these accounts, and finds they take longer.
    const costly = await startUserd({ env: { USERD_PASSWORD_OPSLIMIT: '6', USERD_PASSWORD_MEMLIMIT_KIB: '65536' } });
    const app = costly.defaultApp;
    const names = Array.from({ length: 8 }, (_, i) => `budget_${i}`);
    const open = imClient(costly, app);
    for (const username of names)
      assert.equal((await open.req('POST', '/user/register/v2', { body: { username, password: 'secret123' } })).json?.code, 200);
    open.close();
    await costly.stop();
    const srv = await startUserd({ storeUrl: costly.storeUrl, dataDir: costly.dataDir,
      env: { USERD_PASSWORD_THREADS: '1', USERD_PASSWORD_MAX_WAIT_MS: '200' } });
    const rs = await Promise.all(names.map((name) => send(srv.im, 'POST', '/token/user', {
      headers: { app_id: app.app_id }, body: { name, password: 'secret123', device_guid: `dev-${name}` },
    })));
    const ok = rs.filter((r) => r.status === 200), busy = rs.filter((r) => r.status === 503);
    assert.equal(ok.length + busy.length, 8, rs.map((r) => r.text).join(' | '));
    assert.ok(ok.length >= 1);
    busy.forEach(imBusy);
    // refused after waiting (the estimate admitted them), not at the door
    assert.ok(busy.some((r) => r.ms >= 200), busy.map((r) => r.ms).join(' '));
    // nothing of a refused login was done: no device signed in
    const admin = imClient(srv, app, app.admin_token);
    for (const [i, r] of rs.entries()) {
      const id = (await admin.req('GET', '/user/list', { query: { page_size: 200 } })).json.data.find((u) => u.username === names[i]).user_id;
      const devices = (await admin.req('GET', '/user/device/list', { headers: { user_id: String(id) } })).json;
      assert.equal(devices?.code, 200, JSON.stringify(devices));
      assert.equal(devices.data.length, r.status === 200 ? 1 : 0, `${names[i]}: ${r.status}, devices ${JSON.stringify(devices.data)}`);
    }
    admin.close();
    await srv.stop();
  });

  test('a batch counts as its hashes: three batches of 100 do not fit a 2 s budget on one thread; three single ones do', async () => {
    const srv = await startUserd({ env: { ...DEFAULT_COST, USERD_PASSWORD_THREADS: '1', USERD_PASSWORD_MAX_WAIT_MS: '2000' } });
    const app = srv.defaultApp;
    const admin = { app_id: app.app_id, 'access-token': app.admin_token };
    const batch = (k) => ({ list: Array.from({ length: 100 }, (_, i) => ({ username: `batch_${k}_${i}`, password: 'secret123' })) });
    const rs = await Promise.all([0, 1, 2].map((k) => send(srv.im, 'POST', '/user/register/batch', { headers: admin, body: batch(k) })));
    const busy = rs.filter((r) => r.status === 503);
    assert.ok(busy.length >= 1, rs.map((r) => `${r.status} ${r.ms} ms`).join(', '));
    busy.forEach(imBusy);
    for (const r of rs.filter((x) => x.status === 200)) assert.equal(r.json.data.filter((x) => x.success).length, 100);
    const singles = await Promise.all([0, 1, 2].map((k) => send(srv.im, 'POST', '/user/register/v2', {
      headers: { app_id: app.app_id }, body: { username: `single_${k}`, password: 'secret123' },
    })));
    for (const r of singles) assert.equal(r.json?.code, 200, r.text);
    await srv.stop();
  });
});

describe('SIGTERM while the hashing pool is saturated', () => {
  test('the waiting requests are answered busy at once, the running ones finish, and the process exits cleanly', async () => {
    // hashes of ~0.1-0.2 s, so that 200 registrations queue far beyond the 10 s grace of a stop
    const srv = await startUserd({ env: { USERD_PASSWORD_OPSLIMIT: '4', USERD_PASSWORD_MEMLIMIT_KIB: '65536', USERD_PASSWORD_MAX_WAIT_MS: '600000' } });
    const app = srv.defaultApp;
    const pending = Array.from({ length: 200 }, (_, i) => send(srv.im, 'POST', '/user/register/v2', {
      headers: { app_id: app.app_id }, body: { username: `term_${i}`, password: 'secret123' },
    }));
    await sleep(1000);
    const t0 = Date.now();
    const code = await srv.stop();
    const stopMs = Date.now() - t0;
    const rs = await Promise.all(pending);
    assert.equal(code, 0, srv.logs().slice(-30).join('\n'));
    assert.ok(stopMs < 4000, `stop took ${stopMs} ms`);
    assert.ok(!srv.logs().some((l) => /AddressSanitizer|LeakSanitizer|runtime error/.test(l)), srv.logs().slice(-30).join('\n'));
    const ok = rs.filter((r) => r.status === 200), busy = rs.filter((r) => r.status === 503);
    assert.equal(ok.length + busy.length, 200, rs.filter((r) => r.status !== 200 && r.status !== 503).slice(0, 3).map((r) => r.error ?? r.text).join(' | '));
    assert.ok(busy.length >= 100, `${busy.length} refused`);
    for (const r of ok) assert.equal(r.json?.code, 200, r.text);
    busy.forEach(imBusy);
  });
});
