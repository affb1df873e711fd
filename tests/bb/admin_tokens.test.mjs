// Admin tokens (issue 17, defect 9): `userd app token APP_ID [--ttl S]`,
// `userd app token APP_ID --revoke PREFIX`, `userd app tokens APP_ID`.
// A revoked or expired admin token is refused on the IM face at once, by the
// server that is already running; the last use is noted, at most once a
// minute. On SQLite and, under scripts/pg_test.sh, on PostgreSQL.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startUserd, userdCli, createApp, imClient, sleep } from './lib/harness.mjs';
import { sql } from './app_lib.mjs';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** `app tokens APP_ID` as rows {prefix, created, expires, lastUsed} (ms, or null for never). */
function listTokens(srv, appId) {
  const r = userdCli(srv, 'app', 'tokens', appId);
  assert.equal(r.status, 0, r.stderr);
  if (!r.stdout.trim()) return [];
  return r.stdout.trim().split('\n').map((line) => {
    const f = line.split('\t');
    assert.equal(f.length, 4, line);
    for (const t of f.slice(1)) assert.ok(t === 'never' || ISO.test(t), line);
    const ms = (t) => (t === 'never' ? null : Date.parse(t));
    return { prefix: f[0], created: ms(f[1]), expires: ms(f[2]), lastUsed: ms(f[3]) };
  });
}

describe('admin tokens', () => {
  let srv, app;
  before(async () => {
    srv = await startUserd();
    app = createApp(srv, 'tokens');
  });
  after(async () => { await srv.stop(); });

  const asAdmin = (token) => imClient(srv, app, token).req('GET', '/user/list', { query: { page_size: 1 } });

  test('app token prints a new token (unchanged contract); tokens lists each by prefix with its times', () => {
    const t0 = Date.now();
    const r = userdCli(srv, 'app', 'token', app.app_id);
    assert.equal(r.status, 0, r.stderr);
    const token = r.stdout.trim();
    assert.match(token, TOKEN);
    assert.equal(r.stdout, `${token}\n`);
    const rows = listTokens(srv, app.app_id);
    assert.deepEqual(rows.map((x) => x.prefix).sort(), [app.admin_token.slice(0, 8), token.slice(0, 8)].sort());
    const mine = rows.find((x) => x.prefix === token.slice(0, 8));
    assert.ok(Math.abs(mine.created - t0) < 5000, `created ${mine.created} vs ${t0}`);
    assert.ok(Math.abs(mine.expires - (mine.created + 100 * YEAR_MS)) < 30 * 24 * 3600 * 1000, 'about 100 years');
    assert.equal(mine.lastUsed, null);
    // Secrets stay out of the listing: only the 8-character prefix.
    assert.ok(!userdCli(srv, 'app', 'tokens', app.app_id).stdout.includes(token.slice(0, 9)));
  });

  test('the last use is noted, and not written again within a minute', async () => {
    const token = userdCli(srv, 'app', 'token', app.app_id).stdout.trim();
    const before = Date.now();
    assert.equal((await asAdmin(token)).json?.code, 200);
    const used = listTokens(srv, app.app_id).find((x) => x.prefix === token.slice(0, 8)).lastUsed;
    assert.ok(used !== null && used >= Math.floor(before / 1000) * 1000 && used <= Date.now(), `${used}`);
    const stored = sql(srv, `SELECT last_used_at FROM tokens WHERE prefix = '${token.slice(0, 8)}'`);
    await sleep(20);
    for (let i = 0; i < 3; i++) assert.equal((await asAdmin(token)).json?.code, 200);
    assert.equal(sql(srv, `SELECT last_used_at FROM tokens WHERE prefix = '${token.slice(0, 8)}'`), stored);
  });

  test('--revoke PREFIX: the running server refuses the token at once (10008); other tokens still work', async () => {
    const token = userdCli(srv, 'app', 'token', app.app_id).stdout.trim();
    assert.equal((await asAdmin(token)).json?.code, 200);
    const r = userdCli(srv, 'app', 'token', app.app_id, '--revoke', token.slice(0, 8));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    const refused = await asAdmin(token);
    assert.equal(refused.status, 200);
    assert.deepEqual(refused.json, { code: 10008, message: 'access-token invalid', data: null });
    assert.equal((await asAdmin(app.admin_token)).json?.code, 200);
    assert.ok(!listTokens(srv, app.app_id).some((x) => x.prefix === token.slice(0, 8)));
    // Again: nothing left to revoke.
    const again = userdCli(srv, 'app', 'token', app.app_id, '--revoke', token.slice(0, 8));
    assert.equal(again.status, 1);
    assert.match(again.stderr, /no admin token of app \S+ starts with/);
  });

  test('--revoke with the whole token; a prefix two tokens share is refused as ambiguous', async () => {
    const token = userdCli(srv, 'app', 'token', app.app_id).stdout.trim();
    assert.equal(userdCli(srv, 'app', 'token', app.app_id, '--revoke', token).status, 0);
    assert.equal((await asAdmin(token)).json?.code, 10008);

    const a = userdCli(srv, 'app', 'token', app.app_id).stdout.trim();
    const b = userdCli(srv, 'app', 'token', app.app_id).stdout.trim();
    sql(srv, `UPDATE tokens SET prefix = '${a.slice(0, 8)}' WHERE prefix = '${b.slice(0, 8)}'`);
    const r = userdCli(srv, 'app', 'token', app.app_id, '--revoke', a.slice(0, 8));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /several admin tokens start with .*: give the whole token/);
    assert.equal((await asAdmin(a)).json?.code, 200, 'nothing revoked');
    assert.equal((await asAdmin(b)).json?.code, 200, 'nothing revoked');
  });

  test('--ttl SECONDS: the token works, then is refused as expired (402) once its time is up', async () => {
    const r = userdCli(srv, 'app', 'token', app.app_id, '--ttl', '2');
    assert.equal(r.status, 0, r.stderr);
    const token = r.stdout.trim();
    const row = listTokens(srv, app.app_id).find((x) => x.prefix === token.slice(0, 8));
    assert.ok(Math.abs(row.expires - row.created - 2000) <= 1000, JSON.stringify(row));
    assert.equal((await asAdmin(token)).json?.code, 200);
    await sleep(Math.max(0, row.expires + 1000 - Date.now()));
    assert.deepEqual((await asAdmin(token)).json, { code: 402, message: 'token expired', data: null });
  });

  test('bad arguments: exit 1 with a reason, or 2 with the usage', () => {
    for (const [args, status, re] of [
      [['--ttl', 'abc'], 1, /--ttl must be 1 to 3153600000 seconds/],
      [['--ttl', '0'], 1, /--ttl must be/],
      [['--ttl', '3153600001'], 1, /--ttl must be/],
      [['--revoke', 'abc'], 1, /first 8 characters/],
      [['--revoke'], 2, /usage: /],
      [['--ttl', '5', '--revoke', 'abcdefgh'], 2, /usage: /],
      [['--bogus', 'x'], 2, /usage: /],
    ]) {
      const r = userdCli(srv, 'app', 'token', app.app_id, ...args);
      assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
      assert.equal(r.stdout, '');
    }
    const none = userdCli(srv, 'app', 'tokens', 'no_such_app');
    assert.equal(none.status, 1);
    assert.match(none.stderr, /userd: app does not exist/);
  });
});
