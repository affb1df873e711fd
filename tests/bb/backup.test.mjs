// Backups (docs/operations.md, "Backups"): `userd backup FILE` copies a
// SQLite store while 32 clients write to it; the copy passes
// PRAGMA integrity_check, and userd restored from it (stop, replace the file,
// start) serves every write acknowledged before the backup began. On
// PostgreSQL the command refuses and points at pg_dump; a database dumped
// with pg_dump and restored with pg_restore serves the same users and logins.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { USERD_BIN, imClient, sleep, startUserd, storeQuery, userdCli } from './lib/harness.mjs';
import { assertOk, assertTrue, login, newUser, uname } from './im_util.mjs';

const PG_ADMIN = process.env.USERD_TEST_PG_ADMIN_URL;
const SQLITE = !PG_ADMIN && !process.env.USERD_TEST_STORE_URL;

/** `userd backup FILE` with srv's store settings, without blocking the event loop (the writers go on). */
function backup(srv, file) {
  return new Promise((resolve) => {
    const env = { PATH: process.env.PATH, USERD_STORE_URL: srv.env.USERD_STORE_URL, USERD_DATA_DIR: srv.env.USERD_DATA_DIR };
    execFile(USERD_BIN, ['backup', file], { env, encoding: 'utf8', timeout: 120000 }, (err, stdout, stderr) => {
      resolve({ status: err ? err.code : 0, stdout, stderr });
    });
  });
}

describe('userd backup (SQLite)', { skip: !SQLITE && 'the SQLite store only' }, () => {
  test('a copy taken while 32 clients write: intact, and restored it serves every write acknowledged before', async () => {
    const srv = await startUserd();
    const app = srv.defaultApp;
    const WRITERS = 24, REGISTRARS = 8; // 32 clients
    const users = [];
    for (let i = 0; i < WRITERS; i++) users.push(await newUser(srv, app));

    let stop = false;
    const acks = users.map(() => []); // per user: [{seq, at}] in order
    const registered = [];            // [{name, password, id, at}]
    const writer = async (u, i) => {
      for (let seq = 1; !stop; seq++) {
        const r = await u.c.req('POST', '/user/nickname', { body: { nick_name: `n${seq}` } });
        assertTrue(r);
        acks[i].push({ seq, at: Date.now() });
      }
    };
    const registrar = async () => {
      const c = imClient(srv, app);
      while (!stop) {
        const name = uname('bk');
        const r = await c.req('POST', '/user/register/v2', { body: { username: name, password: 'secret123' } });
        if (r.status === 503) { await sleep(20); continue; } // busy hashing pool: not acknowledged
        registered.push({ name, id: assertOk(r).user_id, at: Date.now() });
      }
      c.close();
    };
    const running = [...users.map(writer), ...Array.from({ length: REGISTRARS }, registrar)];
    await sleep(1500);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-backup-'));
    const file = path.join(dir, 'copy.db');
    const began = Date.now();
    const b = await backup(srv, file);
    await sleep(300);
    stop = true;
    await Promise.all(running);
    users.forEach((u) => u.c.close());
    assert.equal(b.status, 0, b.stderr);

    // What it says it copied, and nothing else left beside it.
    const m = b.stdout.match(/^backed up sqlite:(.*) to (.*): (\d+) pages, (\d+) bytes; (\d+) apps, (\d+) accounts\n$/);
    assert.ok(m, b.stdout);
    assert.equal(m[1], path.join(srv.dataDir, 'userd.db'));
    assert.equal(m[2], file);
    assert.equal(Number(m[4]), fs.statSync(file).size);
    assert.equal(Number(m[5]), 1);
    const before = registered.filter((r) => r.at < began);
    assert.ok(Number(m[6]) >= WRITERS + before.length, `${m[6]} accounts`);
    assert.deepEqual(fs.readdirSync(dir), ['copy.db']);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(storeQuery({ storeUrl: `sqlite:${file}` }, 'PRAGMA integrity_check'), 'ok');
    assert.ok(acks.every((a) => a.some((x) => x.at < began)), 'every writer had a write acknowledged before the backup');

    // Restore as docs/operations.md says: stop, replace the file (and drop the old WAL), start.
    assert.equal(await srv.stop(), 0);
    const db = path.join(srv.dataDir, 'userd.db');
    for (const f of [`${db}-wal`, `${db}-shm`]) fs.rmSync(f, { force: true });
    fs.copyFileSync(file, db);
    const back = await startUserd({ storeUrl: srv.storeUrl, dataDir: srv.dataDir });
    try {
      for (let i = 0; i < WRITERS; i++) {
        const last = acks[i].filter((x) => x.at < began).at(-1).seq;
        const c = imClient(back, app, users[i].token);
        const p = assertOk(await c.req('GET', '/user/profile'));
        c.close();
        const seq = Number(p.nick_name.slice(1));
        assert.ok(seq >= last && seq <= acks[i].at(-1).seq + 1, `user ${i}: copy has n${seq}, n${last} was acknowledged before`);
      }
      for (const r of before) {
        const token = await login(back, app, r.name, 'secret123');
        const c = imClient(back, app, token);
        assert.equal(assertOk(await c.req('GET', '/user/profile')).user_id, r.id);
        c.close();
      }
    } finally {
      await back.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('replaces an existing file whole; a failed backup leaves no file', async () => {
    const srv = await startUserd();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-backup-'));
    try {
      const file = path.join(dir, 'b.db');
      fs.writeFileSync(file, 'an older backup');
      let r = await backup(srv, file);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(storeQuery({ storeUrl: `sqlite:${file}` }, 'SELECT name FROM apps'), 'default');
      r = await backup(srv, path.join(dir, 'missing', 'b.db'));
      assert.equal(r.status, 1);
      assert.match(r.stderr, /userd: backup to .*missing\/b\.db failed \(internal error\): .* is unchanged\n$/);
      assert.deepEqual(fs.readdirSync(dir), ['b.db']);
      r = userdCli(srv, 'backup');
      assert.equal(r.status, 2);
      assert.match(r.stderr, /usage: .*\n.*userd backup FILE/s);
    } finally {
      await srv.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('userd backup refuses a PostgreSQL store and points at pg_dump', () => {
  const r = spawnSync(USERD_BIN, ['backup', '/tmp/never-written.db'], {
    encoding: 'utf8', timeout: 15000,
    env: { PATH: process.env.PATH, USERD_STORE_URL: 'postgresql://127.0.0.1:1/userd' },
  });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^userd: `userd backup` copies a SQLite store; this store is PostgreSQL: back it up with pg_dump/);
  assert.match(r.stderr, /pg_dump --format=custom --file=userd\.dump "\$USERD_STORE_URL"/);
  assert.ok(!fs.existsSync('/tmp/never-written.db'));
});

describe('PostgreSQL: pg_dump and pg_restore', { skip: !PG_ADMIN && 'the PostgreSQL pass only (make test-pg)' }, () => {
  test('a dumped and restored database serves the same users and logins', async () => {
    const srv = await startUserd();
    const app = srv.defaultApp;
    const users = [];
    for (let i = 0; i < 3; i++) users.push(await newUser(srv, app));
    assertTrue(await users[0].c.req('POST', '/user/nickname', { body: { nick_name: 'before the dump' } }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-pgdump-'));
    const dump = path.join(dir, 'userd.dump');
    // The commands of docs/operations.md.
    execFileSync('pg_dump', ['--format=custom', `--file=${dump}`, srv.storeUrl], { stdio: ['ignore', 'ignore', 'pipe'] });
    const name = `userd_restored_${process.pid}`;
    execFileSync('psql', [PG_ADMIN, '-qAtc', `CREATE DATABASE ${name}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    const restored = new URL(srv.storeUrl);
    restored.pathname = `/${name}`;
    try {
      execFileSync('pg_restore', ['--no-owner', `--dbname=${restored}`, dump], { stdio: ['ignore', 'ignore', 'pipe'] });
      await srv.stop();
      const back = await startUserd({ storeUrl: restored.toString() });
      try {
        for (const u of users) {
          const old = imClient(back, app, u.token); // a session from before the dump
          const p = assertOk(await old.req('GET', '/user/profile'));
          old.close();
          assert.equal(p.user_id, u.id);
          assert.equal(p.username, u.name);
          const fresh = imClient(back, app, await login(back, app, u.name, u.password));
          assert.equal(assertOk(await fresh.req('GET', '/user/profile')).user_id, u.id);
          fresh.close();
        }
        const c = imClient(back, app, users[0].token);
        assert.equal(assertOk(await c.req('GET', '/user/profile')).nick_name, 'before the dump');
        c.close();
      } finally {
        await back.stop();
      }
    } finally {
      users.forEach((u) => u.c.close());
      spawnSync('psql', [PG_ADMIN, '-qAtc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: 'ignore' });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
