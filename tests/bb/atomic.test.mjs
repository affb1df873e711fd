// Multi-step reads and writes in one transaction each (issue 17, defect 6):
// an app-face sign-in makes its IM token and its session together or not at
// all; favgroups reads its count and its page, and the IM device list its
// page and its version, from one snapshot. The reads are checked while
// another connection to the store changes the rows as fast as it can.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appClient, imClient } from './lib/harness.mjs';
import { accountId, post, signUp, sql, startApp } from './app_lib.mjs';
import { newUser } from './im_util.mjs';

const isPg = (srv) => !srv.storeUrl.startsWith('sqlite:');

/**
 * Runs the statements on another connection to the store, each its own
 * transaction, as fast as the store takes them. Resolves when all ran.
 */
function writer(srv, statements) {
  const pg = isPg(srv);
  const [cmd, args] = pg ? ['psql', [srv.storeUrl, '-q', '-v', 'ON_ERROR_STOP=1', '-f', '-']]
    : ['sqlite3', ['-bail', srv.storeUrl.slice(7)]];
  const head = pg ? 'SET synchronous_commit = off;\n' : '.timeout 5000\nPRAGMA synchronous = OFF;\n';
  const p = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => { err += d; });
  const done = new Promise((resolve, reject) => p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd}: ${err}`)))));
  p.stdin.end(head + statements.join('\n') + '\n');
  return done;
}

/** Calls read() until the writer is done; returns how many reads ran. */
async function readWhile(done, read) {
  let finished = false, reads = 0;
  const w = done.then(() => { finished = true; });
  while (!finished) { await read(); reads += 1; }
  await w;
  return reads;
}

const toggles = (n, on, off) => Array.from({ length: n }, () => `${on};\n${off};`);

describe('one transaction each', () => {
  let ctx;
  before(async () => { ctx = await startApp(); });
  after(async () => { await ctx.stop(); });

  test('app login makes the IM token and the session in one transaction: a failed session leaves no token', async (t) => {
    const u = await signUp(ctx);
    t.after(() => u.c.close());
    const id = accountId(ctx.srv, u.phone);
    const tokens = () => Number(sql(ctx.srv, `SELECT COUNT(*) FROM tokens WHERE account_id = ${id}`));
    const sessions = () => Number(sql(ctx.srv, `SELECT COUNT(*) FROM sessions WHERE account_id = ${id}`));
    const before = [tokens(), sessions()];
    // The store refuses this account's next session.
    if (isPg(ctx.srv)) {
      sql(ctx.srv, `CREATE FUNCTION refuse_session() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$;
        CREATE TRIGGER refuse_session BEFORE INSERT ON sessions FOR EACH ROW WHEN (NEW.account_id = ${id}) EXECUTE FUNCTION refuse_session()`);
    } else {
      sql(ctx.srv, `CREATE TRIGGER refuse_session BEFORE INSERT ON sessions WHEN NEW.account_id = ${id} BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    }
    const c = appClient(ctx.srv);
    t.after(() => c.close());
    const r = await post(c, '/user/login', { region: 86, phone: u.phone, password: u.password });
    assert.equal(r.status, 500, r.text);
    assert.equal(r.text, 'Internal server error.');
    assert.deepEqual(r.setCookie, []);
    assert.deepEqual([tokens(), sessions()], before, 'no IM token without its session');
    sql(ctx.srv, isPg(ctx.srv) ? 'DROP TRIGGER refuse_session ON sessions; DROP FUNCTION refuse_session()' : 'DROP TRIGGER refuse_session');
    assert.equal((await post(c, '/user/login', { region: 86, phone: u.phone, password: u.password })).json.code, 200);
    assert.deepEqual([tokens(), sessions()], [before[0] + 1, before[1] + 1]);
  });

  test('favgroups: total agrees with the list while a favourite comes and goes', async (t) => {
    const u = await signUp(ctx);
    t.after(() => u.c.close());
    const id = accountId(ctx.srv, u.phone), app = ctx.srv.defaultApp.app_id, at = Date.now();
    const groups = ['F1', 'F2', 'F3'].map((name) => Number(sql(ctx.srv,
      `INSERT INTO chat_groups (app_id, name, creator_id, created_at, updated_at) VALUES ('${app}', '${name}', ${id}, ${at}, ${at}) RETURNING id`)));
    for (const g of groups.slice(0, 2)) sql(ctx.srv, `INSERT INTO group_favs (account_id, group_id, created_at) VALUES (${id}, ${g}, ${at})`);
    const g3 = groups[2];
    const done = writer(ctx.srv, toggles(isPg(ctx.srv) ? 4000 : 20000,
      `INSERT INTO group_favs (account_id, group_id, created_at) VALUES (${id}, ${g3}, ${at + 1})`,
      `DELETE FROM group_favs WHERE account_id = ${id} AND group_id = ${g3}`));
    const seen = new Set();
    const reads = await readWhile(done, async () => {
      const r = (await u.c.req('GET', '/user/favgroups')).json.result;
      assert.equal(r.total, r.list.length, `total ${r.total} with ${r.list.length} groups listed`);
      seen.add(r.total);
    });
    assert.deepEqual([...seen].sort(), [2, 3], `the favourite came and went during ${reads} reads`);
  });

  test('IM device list: the version is that of the devices listed while a device comes and goes', async (t) => {
    const app = ctx.srv.defaultApp;
    const u = await newUser(ctx.srv, app, { guid: 'phone-1' });
    t.after(() => u.c.close());
    const version = Date.now() + 86400000; // newer than any other change of the user's devices
    const done = writer(ctx.srv, toggles(isPg(ctx.srv) ? 4000 : 20000,
      `INSERT INTO devices (account_id, device_sn, guid, platform, user_agent, created_at, updated_at) VALUES (${u.id}, 99, 'racer', 6, 'ua', ${version}, ${version})`,
      `DELETE FROM devices WHERE account_id = ${u.id} AND device_sn = 99`));
    const seen = new Set();
    const c = imClient(ctx.srv, app, u.token);
    t.after(() => c.close());
    const reads = await readWhile(done, async () => {
      const r = (await c.req('GET', '/user/device/list')).json;
      assert.equal(r.code, 200);
      const listed = r.data.some((d) => d.device_sn === 99);
      assert.equal(listed, r.version === version, `device 99 listed: ${listed}, version ${r.version}`);
      seen.add(listed);
    });
    assert.equal(seen.size, 2, `the device came and went during ${reads} reads`);
  });
});
