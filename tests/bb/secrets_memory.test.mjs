// Plaintext passwords do not linger in userd's memory after their requests
// (issue 17, defect 4). The test reads the whole writable memory of the
// running server (/proc/PID/mem: the tests run as root, or as the parent of
// the server) and looks for passwords sent on password routes of the IM and
// app faces. Under ASan (the build the black-box suite runs) freed memory sits
// in the allocator's quarantine untouched, so a request body or a jansson
// string that was freed without being wiped is found; nothing else would
// reuse it and hide it. ASan writes its own bookkeeping over the first bytes
// of a freed block, so the scan looks for each password without its first 8
// characters (12 random ones remain: no false match).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { imClient, sleep } from './lib/harness.mjs';
import { startApp, signUp, post } from './app_lib.mjs';

const MAX_REGION = 256 * 1024 * 1024; // larger mappings are ASan's shadow memory, not the heap

/**
 * Every place where one of needles occurs in the writable mappings of pid.
 * @returns {{hits:string[][], scanned:number}}
 */
function scanMemory(pid, needles) {
  const maps = fs.readFileSync(`/proc/${pid}/maps`, 'utf8').trim().split('\n');
  const fd = fs.openSync(`/proc/${pid}/mem`, 'r');
  const hits = needles.map(() => []);
  let scanned = 0;
  try {
    for (const line of maps) {
      const [range, perms] = line.split(/\s+/);
      if (!perms.startsWith('rw')) continue;
      const [a, b] = range.split('-').map((x) => BigInt(`0x${x}`));
      const size = Number(b - a);
      if (size > MAX_REGION) continue;
      const buf = Buffer.alloc(size);
      let n;
      try { n = fs.readSync(fd, buf, 0, size, a); } catch { continue; } // guard pages, vanished mappings
      scanned += n;
      needles.forEach((needle, i) => {
        for (let at = buf.indexOf(needle); at >= 0 && at < n; at = buf.indexOf(needle, at + 1)) {
          hits[i].push(`${line.trim()} +0x${at.toString(16)}`);
        }
      });
    }
  } finally { fs.closeSync(fd); }
  return { hits, scanned };
}

/** A password nobody else sends: 20 random letters and digits. */
const freshPassword = () => `Pw${Math.random().toString(36).slice(2, 11)}${Math.random().toString(36).slice(2, 11)}`.slice(0, 20);

describe('plaintext passwords do not linger in memory', () => {
  let ctx, readable = true;

  before(async () => {
    ctx = await startApp();
    try { fs.closeSync(fs.openSync(`/proc/${ctx.srv.proc.pid}/mem`, 'r')); } catch { readable = false; }
  });
  after(async () => { await ctx.stop(); });

  /** Waits until the requests are over (connections closed, requests freed), then scans. */
  async function assertGone(passwords) {
    await sleep(300);
    const { hits, scanned } = scanMemory(ctx.srv.proc.pid, passwords.map((p) => Buffer.from(p.slice(8))));
    assert.ok(scanned > 1 << 20, `scanned only ${scanned} bytes`);
    passwords.forEach((p, i) => assert.deepEqual(hits[i], [], `password #${i} still in memory`));
  }

  test('the scan finds a secret that is still held (it can fail)', { skip: !readable && 'needs to read /proc/PID/mem (root)' }, async () => {
    // A nickname is no secret: the server keeps it (SQLite page cache), and the scan must see it.
    const u = await signUp(ctx, { nickname: 'Held0123456789abc', password: freshPassword() });
    u.c.close();
    await sleep(300);
    const { hits } = scanMemory(ctx.srv.proc.pid, [Buffer.from('Held0123456789abc')]);
    assert.ok(hits[0].length > 0, 'the scan did not see data the server holds');
  });

  test('IM face: register/v2, /token/user, /token/login, change_password', { skip: !readable && 'needs to read /proc/PID/mem (root)' }, async () => {
    const app = ctx.srv.defaultApp;
    const im = imClient(ctx.srv, app);
    const [pw1, pw2] = [freshPassword(), freshPassword()];
    const name = `mem_${Date.now() % 100000}`;
    let r = await im.req('POST', '/user/register/v2', { body: { username: name, password: pw1 } });
    assert.equal(r.json?.code, 200, r.text);
    r = await im.req('POST', '/token/user', { body: { name, password: pw1 } });
    assert.equal(r.json?.code, 200, r.text);
    r = await im.req('POST', '/token/login', { body: { login_name: name, password: pw1, device_guid: 'd1' } });
    assert.equal(r.json?.code, 200, r.text);
    const user = imClient(ctx.srv, app, r.json.data.token);
    r = await user.req('POST', '/user/change_password', { body: { old_password: pw1, new_password: pw2 } });
    assert.equal(r.json?.code, 200, r.text);
    r = await im.req('POST', '/token/user', { body: { name, password: 'wrong-password-1' } });
    assert.equal(r.json?.code, 10005, r.text);
    im.close();
    user.close();
    await assertGone([pw1, pw2]);
  });

  test('app face: register, login, change_password, a wrong login', { skip: !readable && 'needs to read /proc/PID/mem (root)' }, async () => {
    const [pw1, pw2] = [freshPassword(), freshPassword()];
    const u = await signUp(ctx, { password: pw1 });
    let r = await post(u.c, '/user/change_password', { oldPassword: pw1, newPassword: pw2 });
    assert.equal(r.json?.code, 200, r.text);
    r = await post(u.c, '/user/login', { region: 86, phone: u.phone, password: pw2 });
    assert.equal(r.json?.code, 200, r.text);
    r = await post(u.c, '/user/login', { region: 86, phone: u.phone, password: pw1 });
    assert.equal(r.json?.code, 1001, r.text);
    u.c.close();
    await assertGone([pw1, pw2]);
  });
});
