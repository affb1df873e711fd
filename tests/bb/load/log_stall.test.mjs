// The log never blocks a request: userd's stderr is a pipe that nobody reads,
// 20,000 requests are all served, and the lines that did not fit are counted
// and reported once someone reads the pipe again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { USERD_BIN, freePort, httpRequest, sleep } from '../lib/harness.mjs';

test('stderr nobody reads: 20,000 requests served; dropped lines counted, and the count logged once stderr drains', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-log-'));
  const port = await freePort();
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('USERD_')) env[k] = v;
  Object.assign(env, {
    USERD_STORE_URL: `sqlite:${path.join(dir, 'userd.db')}`, USERD_DATA_DIR: dir,
    USERD_IM_LISTEN: `127.0.0.1:${port}`, USERD_LIVE_LISTEN: 'off', USERD_APP_LISTEN: 'off', USERD_OPS_LISTEN: 'off',
  });
  const proc = spawn(USERD_BIN, ['serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr.pause(); // nobody reads: the pipe fills, then userd's log buffer
  const exited = new Promise((r) => proc.on('exit', (code) => r(code)));
  try {
    let polls = 0;
    for (let i = 0; ; i++) {
      try {
        if ((await httpRequest({ port, path: '/healthz', timeoutMs: 1000 })).status === 200) { polls++; break; }
      } catch { /* not yet */ }
      assert.ok(i < 200, 'userd did not start');
      await sleep(50);
    }

    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const N = 20000;
    let next = 0, served = 0;
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < N) {
        next++;
        const r = await httpRequest({ port, path: '/healthz', agent, timeoutMs: 5000 });
        assert.equal(r.status, 200);
        served++;
      }
    }));
    agent.destroy();
    const ms = Date.now() - t0;
    assert.equal(served, N);

    // Read the pipe again: the buffered lines come out, then the count of the dropped ones.
    const lines = [];
    let buf = '';
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) { lines.push(buf.slice(0, i)); buf = buf.slice(i + 1); }
    });
    proc.stderr.resume();
    let report;
    for (let i = 0; i < 100 && !report; i++) {
      await sleep(50);
      report = lines.find((l) => /lines dropped/.test(l));
    }
    assert.ok(report, `no report of dropped lines among ${lines.length} lines`);
    const dropped = Number(JSON.parse(report).msg.match(/(\d+) lines dropped/)[1]);
    const access = lines.filter((l) => l.includes('"path":"/healthz"')).length;
    assert.ok(dropped > 0 && access > 0, `dropped ${dropped}, received ${access}`);
    // every access line either came out or was counted (a stray warning may be among the dropped)
    const missing = N + polls - access;
    assert.ok(dropped >= missing && dropped <= missing + 5, `${access} access lines out of ${N + polls}, ${dropped} dropped`);
    console.log(`# ${N} requests in ${ms} ms with stderr stalled; ${access} access lines came out, ${dropped} dropped`);
  } finally {
    proc.stderr.resume();
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    assert.equal(await exited, 0);
    clearTimeout(t);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
