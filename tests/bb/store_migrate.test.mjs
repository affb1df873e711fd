// Store migration 5 (performance issue 13): on SQLite, tokens, sessions and
// user_settings become WITHOUT ROWID tables. A store at version 4 with IM tokens (with and
// without a device), an admin token and app sessions in it is migrated by the
// next start: every row is kept as it was, the columns, foreign keys and
// indexes are the same, the file passes integrity_check and foreign_key_check,
// and every token, session and user's settings still work. On PostgreSQL migration 5 changes
// nothing: it is recorded, and tokens and sessions work as before.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appClient, imClient, startUserd, userdCli } from './lib/harness.mjs';
import { accountId, assertImToken, assertSession, notLoggedIn, signUp, sql, startApp } from './app_lib.mjs';
import { adminAs, assertMe, assertOk, newUser } from './im_util.mjs';

const isPg = (srv) => !srv.storeUrl.startsWith('sqlite:');

// Version 4's tables as migrations 1 and 2 made them (rowid tables; V2's
// columns added last), filled from the migrated ones: the store as the
// release before migration 5 left it.
const BACK_TO_V4 = `
CREATE TABLE tokens_v4 (hash TEXT PRIMARY KEY, app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
 account_id BIGINT REFERENCES accounts(id) ON DELETE CASCADE, device_sn INTEGER, expires_at BIGINT NOT NULL,
 created_at BIGINT NOT NULL);
ALTER TABLE tokens_v4 ADD COLUMN prefix TEXT;
ALTER TABLE tokens_v4 ADD COLUMN last_used_at BIGINT;
INSERT INTO tokens_v4 SELECT hash, app_id, account_id, device_sn, expires_at, created_at, prefix, last_used_at FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_v4 RENAME TO tokens;
CREATE INDEX tokens_account ON tokens(account_id, device_sn);
CREATE INDEX tokens_admin ON tokens(app_id, prefix) WHERE account_id IS NULL;
CREATE TABLE sessions_v4 (hash TEXT PRIMARY KEY, account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
 expires_at BIGINT NOT NULL, created_at BIGINT NOT NULL);
INSERT INTO sessions_v4 SELECT hash, account_id, expires_at, created_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_v4 RENAME TO sessions;
CREATE INDEX sessions_account ON sessions(account_id);
CREATE TABLE user_settings_v4 (account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
 auth_mode INTEGER NOT NULL DEFAULT 0, auth_question TEXT NOT NULL DEFAULT '',
 auth_answer TEXT NOT NULL DEFAULT '', auto_download INTEGER NOT NULL DEFAULT 1,
 group_confirm INTEGER NOT NULL DEFAULT 1, no_push INTEGER NOT NULL DEFAULT 0,
 no_push_detail INTEGER NOT NULL DEFAULT 0, no_push_start_hour INTEGER NOT NULL DEFAULT 0,
 no_push_end_hour INTEGER NOT NULL DEFAULT 0, no_sounds INTEGER NOT NULL DEFAULT 0,
 push_nick_name TEXT NOT NULL DEFAULT '', push_token TEXT NOT NULL DEFAULT '',
 silence_start_time INTEGER NOT NULL DEFAULT 0, silence_end_time INTEGER NOT NULL DEFAULT 0,
 vibratory INTEGER NOT NULL DEFAULT 1, alias TEXT NOT NULL DEFAULT '',
 badge INTEGER NOT NULL DEFAULT 0, updated_at BIGINT NOT NULL);
INSERT INTO user_settings_v4 SELECT * FROM user_settings;
DROP TABLE user_settings;
ALTER TABLE user_settings_v4 RENAME TO user_settings;
DELETE FROM schema_migrations WHERE version >= 5;`;

const TABLES = ['sessions', 'tokens', 'user_settings'];
const inTables = `(${TABLES.map((t) => `'${t}'`).join(', ')})`;

/** Everything about the three tables that must survive the migration: rows, columns, foreign keys, indexes. */
function shape(srv) {
  return {
    tokens: sql(srv, 'SELECT * FROM tokens ORDER BY hash'),
    sessions: sql(srv, 'SELECT * FROM sessions ORDER BY hash'),
    settings: sql(srv, 'SELECT * FROM user_settings ORDER BY account_id'),
    columns: TABLES.map((t) => sql(srv, `SELECT * FROM pragma_table_info('${t}')`)),
    foreignKeys: TABLES.map((t) => sql(srv, `SELECT * FROM pragma_foreign_key_list('${t}')`)),
    indexes: sql(srv, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ${inTables}`
      + ' AND sql IS NOT NULL ORDER BY name'),
  };
}

// The primary key's own index of a rowid table: what the migration removes.
const keyIndexes = (srv) => sql(srv, "SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NULL"
  + ` AND tbl_name IN ${inTables} ORDER BY tbl_name`);

const withoutRowid = (srv) => sql(srv, `SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ${inTables}`
  + " AND sql LIKE '%WITHOUT ROWID' ORDER BY name");

describe('store migration 5: tokens, sessions and user_settings as WITHOUT ROWID tables', () => {
  test('a version 4 store: every token and session kept, and each still works', async (t) => {
    const first = await startApp();
    t.after(() => first.stop());
    const srv = first.srv, app = srv.defaultApp;
    if (isPg(srv)) {
      // Migration 5 is a statement that does nothing: recorded, tables as they were.
      assert.equal(sql(srv, 'SELECT MAX(version) FROM schema_migrations'), '5');
      const u = await newUser(srv, app);
      t.after(() => u.c.close());
      await assertMe(u.c, u);
      const a = await signUp(first, { nickname: 'Pg' });
      t.after(() => a.c.close());
      await assertSession(a.c);
      return;
    }
    assert.equal(withoutRowid(srv), TABLES.join('\n'));

    const plain = await newUser(srv, app);
    const device = await newUser(srv, app, { guid: 'migrate-device-1' });
    const appUser = await signUp(first, { nickname: 'Mig' });
    const admin = userdCli(srv, 'app', 'token', app.app_id).stdout.trim();
    t.after(() => { plain.c.close(); device.c.close(); appUser.c.close(); });
    assert.ok(admin.length > 8, 'app token printed a token');
    const used = adminAs(srv, { ...app, admin_token: admin }, plain.id);
    try { assertOk(await used.req('GET', '/user/profile')); } finally { used.close(); }
    assert.notEqual(sql(srv, `SELECT device_sn FROM tokens WHERE account_id = ${device.id}`), '');
    assertOk(await plain.c.req('POST', '/user/settings', { body: { push_nick_name: 'before-5', no_push_start_hour: 7 } }));
    await srv.stop();

    sql(srv, BACK_TO_V4);
    assert.equal(withoutRowid(srv), '', 'the fixture is a version 4 store');
    assert.equal(keyIndexes(srv), TABLES.join('\n'));
    const before = shape(srv);
    // A WITHOUT ROWID table's key is NOT NULL (a rowid table lets a text key be NULL); no hash is.
    before.columns = before.columns.map((c) => c.replace('0|hash|TEXT|0||1', '0|hash|TEXT|1||1')
      .replace('0|account_id|BIGINT|0||1', '0|account_id|BIGINT|1||1'));
    assert.match(before.tokens, /\|[0-9]+$/m, 'an admin token with its last use');

    const second = await startUserd({ storeUrl: srv.storeUrl, dataDir: srv.dataDir, env: srv.env });
    t.after(() => second.stop());
    assert.equal(sql(second, 'SELECT MAX(version) FROM schema_migrations'), '5');
    assert.equal(withoutRowid(second), TABLES.join('\n'));
    assert.deepEqual(shape(second), before);
    assert.equal(keyIndexes(second), '', 'the rows are in the key\'s B-tree');
    assert.equal(sql(second, 'PRAGMA integrity_check'), 'ok');
    assert.equal(sql(second, 'PRAGMA foreign_key_check'), '');
    assert.equal(sql(second, "SELECT COUNT(*) FROM sqlite_master WHERE instr(sql, '_new') OR instr(sql, '_v4')"), '0',
      'no reference to a table the migration renamed');

    // IM tokens (with and without a device) and the admin token authenticate.
    for (const u of [plain, device]) {
      const c = imClient(second, app, u.token);
      try { await assertMe(c, u); } finally { c.close(); }
    }
    // The settings written before are there, and can be changed.
    {
      const c = imClient(second, app, plain.token);
      try {
        const s = assertOk(await c.req('GET', '/user/settings'));
        assert.equal(s.push_nick_name, 'before-5');
        assert.equal(s.no_push_start_hour, 7);
        assertOk(await c.req('POST', '/user/settings', { body: { push_nick_name: 'after-5' } }));
        assert.equal(assertOk(await c.req('GET', '/user/settings')).push_nick_name, 'after-5');
      } finally { c.close(); }
    }
    const asAdmin = adminAs(second, { ...app, admin_token: admin }, device.id);
    try { assert.equal(assertOk(await asAdmin.req('GET', '/user/profile')).user_id, device.id); } finally { asAdmin.close(); }
    await assertImToken({ srv: second }, appUser.imToken, { phone: appUser.phone, nickname: 'Mig' });

    // The app session cookie works, and a sign-out deletes its row.
    const c = appClient(second);
    t.after(() => c.close());
    const cookies = [...appUser.c.jar.cookies];
    for (const [k, v] of cookies) c.jar.set(k, v);
    await assertSession(c);
    const sessions = () => Number(sql(second, `SELECT COUNT(*) FROM sessions WHERE account_id = ${accountId(second, appUser.phone)}`));
    const n = sessions();
    assert.equal((await c.req('POST', '/user/logout')).status, 200);
    assert.equal(sessions(), n - 1);
    const stale = appClient(second);
    t.after(() => stale.close());
    for (const [k, v] of cookies) stale.jar.set(k, v);
    notLoggedIn(await stale.req('GET', '/user/get_poke'), 'the signed-out session');
  });
});
