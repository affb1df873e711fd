// PostgreSQL under contention (issue 17, defect 7), on the throwaway cluster
// of scripts/pg_test.sh, directly and through PgBouncer in transaction mode:
// - named prepared statements behind a transaction-mode pooler (26000, 42P05
//   inside a transaction, then 25P02) must not surface as errors;
// - store.lock_timeout_ms / store.statement_timeout_ms bound a wait for a row
//   held FOR UPDATE: the request is answered busy, the thread is free again;
// - the per-IP SMS counter is not updated inside the SERIALIZABLE send
//   transaction: many clients behind one address send their codes without a
//   storm of serialization failures.
// Skipped without USERD_TEST_PG_ADMIN_URL (make test-pg sets it).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import {
  startUserd, imClient, liveClient, appClient, smsCapture, sleep,
} from './lib/harness.mjs';
import { startPgBouncer, PGBOUNCER } from './lib/pgbouncer.mjs';

const ADMIN = process.env.USERD_TEST_PG_ADMIN_URL;
const skip = !ADMIN ? 'needs PostgreSQL (make test-pg, scripts/pg_test.sh)' : !PGBOUNCER ? 'needs pgbouncer (scripts/deps.sh pg)' : false;

const psql = (url, sql) => execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' }).trim();
let dbSeq = 0;
/** A fresh database on the cluster; returns its name (dropped in after()). */
function freshDb(made) {
  const name = `userd_pgc_${process.pid}_${++dbSeq}`;
  psql(ADMIN, `CREATE DATABASE ${name}`);
  made.push(name);
  return name;
}
const directUrl = (db) => { const u = new URL(ADMIN); u.pathname = `/${db}`; return u.toString(); };

/** Runs fns with at most `width` at a time; resolves their results in order. */
async function pool(width, fns) {
  const out = new Array(fns.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < fns.length) { const i = next++; out[i] = await fns[i](); }
  }));
  return out;
}

/** A psql session that holds `lockSql` in an open transaction until release(). */
function holdLock(url, lockSql) {
  const p = spawn('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAt'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { out += d; });
  p.stdin.write(`BEGIN;\n${lockSql};\nSELECT 'locked';\n`);
  return {
    async held() {
      for (let i = 0; i < 200 && !out.includes('locked'); i++) await sleep(25);
      assert.ok(out.includes('locked'), `the lock was not taken: ${out}`);
    },
    async release() {
      p.stdin.end('ROLLBACK;\n');
      await new Promise((r) => p.on('exit', r));
    },
  };
}

describe('PostgreSQL under contention', { skip }, () => {
  const made = [];
  let bouncer;
  before(async () => { if (!skip) bouncer = await startPgBouncer(ADMIN, { poolSize: 2 }); });
  after(async () => {
    await bouncer?.stop();
    for (const db of made) psql(ADMIN, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  });

  const via = { direct: (db) => directUrl(db), pgbouncer: (db) => bouncer.url(db) };

  for (const mode of ['direct', 'pgbouncer']) {
    test(`${mode}: a mixed load of transactions and single statements, every answer a success`, async () => {
      const srv = await startUserd({ storeUrl: via[mode](freshDb(made)), env: { USERD_LOG_ACCESS: 'false' } });
      const app = srv.defaultApp;
      const im = imClient(srv, app);
      const live = liveClient(srv, app);
      const admin = imClient(srv, app, app.admin_token);
      const jobs = [];
      for (let i = 0; i < 24; i++) {
        jobs.push(async () => {
          const name = `c${i}_u`;
          const out = [];
          out.push(['register', await im.req('POST', '/user/register/v2', { body: { username: name, password: 'secret123' } })]);
          const t = await im.req('POST', '/token/user', { body: { name, password: 'secret123' } });
          out.push(['token', t]);
          const user = imClient(srv, app, t.json?.data?.token);
          out.push(['profile', await user.req('GET', '/user/profile')]);
          out.push(['nickname', await user.req('POST', '/user/nickname', { query: { nick_name: `n${i}` } })]);
          out.push(['settings', await user.req('POST', '/user/settings', { body: { no_sounds: true } })]);
          user.close();
          out.push(['live register', await live.req('POST', '/server/user/register', { body: { user_id: `l${i}` } })]);
          out.push(['live put', await live.req('PUT', `/server/user/l${i}`, { body: { nick: `L${i}`, extends: { k: `${i}` } } })]);
          out.push(['live info', await live.req('GET', `/server/user/info/l${i}`)]);
          out.push(['user list', await admin.req('GET', '/user/list', { query: { page_size: 5 } })]);
          return out;
        });
      }
      const results = (await pool(12, jobs)).flat();
      const bad = results.filter(([what, r]) => (what.startsWith('live') ? r.json?.code !== 0 : r.json?.code !== 200));
      assert.deepEqual(bad.map(([what, r]) => `${what}: ${r.status} ${r.text}`), []);
      const info = await live.req('GET', '/server/user/info/l7');
      assert.equal(info.json.data.nick, 'L7');
      assert.deepEqual(info.json.data.extends, { k: '7' });
      const logs = srv.logs().join('\n');
      assert.doesNotMatch(logs, /25P02|statement after a failed statement/);
      if (mode === 'pgbouncer') assert.match(logs, /using unnamed statements from now on/);
      else assert.doesNotMatch(logs, /unnamed statements/);
      for (const c of [im, live, admin]) c.close();
      assert.equal(await srv.stop(), 0);
    });

    test(`${mode}: store.lock_timeout_ms ends a wait for a row held FOR UPDATE with busy, after one wait`, async () => {
      const db = freshDb(made);
      const srv = await startUserd({ storeUrl: via[mode](db), env: { USERD_STORE_LOCK_TIMEOUT_MS: '1000' } });
      const live = liveClient(srv, srv.defaultApp);
      assert.equal((await live.req('POST', '/server/user/register', { body: { user_id: 'locked' } })).json?.code, 0);
      const lock = holdLock(directUrl(db), "SELECT id FROM accounts WHERE live_uid = 'locked' FOR UPDATE");
      await lock.held();
      try {
        const t0 = Date.now();
        const r = await live.req('PUT', '/server/user/locked', { body: { nick: 'x' } });
        const ms = Date.now() - t0;
        assert.equal(r.status, 503, r.text);
        assert.equal(r.json.code, 503);
        assert.equal(r.json.data, null);
        // One wait of lock_timeout, not one per retry of the transaction.
        assert.ok(ms >= 900 && ms < 4000, `answered after ${ms} ms`);
        // The listener is free: another user is served meanwhile.
        const other = await live.req('POST', '/server/user/register', { body: { user_id: 'free' } });
        assert.equal(other.json?.code, 0, other.text);
      } finally { await lock.release(); }
      const r = await live.req('PUT', '/server/user/locked', { body: { nick: 'after' } });
      assert.equal(r.json?.code, 0, r.text);
      assert.equal((await live.req('GET', '/server/user/info/locked')).json.data.nick, 'after');
      assert.match(srv.logs().join('\n'), /gave up waiting for a lock after store.lock_timeout_ms/);
      live.close();
      assert.equal(await srv.stop(), 0);
    });

    test(`${mode}: store.statement_timeout_ms ends the same wait when lock_timeout is off`, async () => {
      const db = freshDb(made);
      const srv = await startUserd({
        storeUrl: via[mode](db), env: { USERD_STORE_LOCK_TIMEOUT_MS: '0', USERD_STORE_STATEMENT_TIMEOUT_MS: '1000' },
      });
      const live = liveClient(srv, srv.defaultApp);
      assert.equal((await live.req('POST', '/server/user/register', { body: { user_id: 'locked' } })).json?.code, 0);
      const lock = holdLock(directUrl(db), "SELECT id FROM accounts WHERE live_uid = 'locked' FOR UPDATE");
      await lock.held();
      try {
        const t0 = Date.now();
        const r = await live.req('PUT', '/server/user/locked', { body: { nick: 'x' } });
        const ms = Date.now() - t0;
        assert.equal(r.status, 503, r.text);
        assert.equal(r.json.code, 602);
        assert.ok(ms >= 900 && ms < 4000, `answered after ${ms} ms`);
      } finally { await lock.release(); }
      assert.equal((await live.req('PUT', '/server/user/locked', { body: { nick: 'after' } })).json?.code, 0);
      live.close();
      assert.equal(await srv.stop(), 0);
    });

    test(`${mode}: 20 SMS codes sent at once from one address through two processes: all sent, no retry storm`, async (t) => {
      const db = freshDb(made);
      const sms = await smsCapture();
      // A bouncer of its own: stopping it ends its server sessions, which then report their statistics.
      const own = mode === 'pgbouncer' ? await startPgBouncer(ADMIN, { poolSize: 2 }) : null;
      const url = own ? own.url(db) : directUrl(db);
      const env = { USERD_SMS_PROVIDER: 'http', USERD_SMS_URL: sms.url, USERD_LOG_ACCESS: 'false' };
      const procs = [];
      const rollbacks = () => Number(psql(directUrl(db), `SELECT xact_rollback FROM pg_stat_database WHERE datname = '${db}'`));
      try {
        procs.push(await startUserd({ storeUrl: url, env }));
        procs.push(await startUserd({ storeUrl: url, env, dataDir: procs[0].dataDir }));
        const clients = procs.map((p) => appClient(p));
        const limit = 20; // sms.ip_hourly_limit, the default
        const results = await Promise.all(Array.from({ length: limit }, (_, i) =>
          clients[i % 2].req('POST', '/user/send_code', { body: { region: 86, phone: 13800000100 + i } })));
        assert.deepEqual(results.map((r) => r.json), Array(limit).fill({ code: 200 }), results.map((r) => r.text).join('\n'));
        assert.equal(sms.messages.length, limit);
        const over = await clients[0].req('POST', '/user/send_code', { body: { region: 86, phone: 13800000199 } });
        assert.deepEqual(over.json, { code: 3004 });
        for (const c of clients) c.close();
      } finally {
        for (const p of procs) await p.stop();
        await own?.stop();
        await sms.close();
      }
      // Server sessions report their counts when they end; wait until the count stops moving.
      let n = rollbacks();
      for (let i = 0; i < 20; i++) {
        await sleep(250);
        const m = rollbacks();
        if (m === n && i >= 3) break;
        n = m;
      }
      t.diagnostic(`${n} transactions rolled back (serialization failures, retried) for 21 sends`);
      // The SERIALIZABLE send transactions touch one phone each; only the per-address counter was shared.
      assert.ok(n <= 3, `${n} transactions rolled back for 21 sends: a retry storm`);
    });
  }
});
