// Issue 11's burst: two userd processes on one store, 200 registrations sent
// to each at once, every one on its own connection: with default settings all
// 400 succeed (admission by time, password.max_wait_ms). A load test: it runs
// apart from the other suites (make test-load), on SQLite and, under
// scripts/pg_test.sh ($USERD_TEST_PG_ADMIN_URL), on PostgreSQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { httpRequest, imClient, startUserd } from '../lib/harness.mjs';

const BACKEND = process.env.USERD_TEST_PG_ADMIN_URL ? 'PostgreSQL' : 'SQLite';
const tag = `${process.pid % 100000}`;

function ok(r) {
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json ?? {}), ['code', 'message', 'data'], r.text);
  assert.equal(r.json.code, 200, r.text);
  assert.equal(r.json.message, '');
  return r.json.data;
}

describe(`a registration burst through two processes on ${BACKEND}`, () => {
  let p;
  before(async () => {
    const a = await startUserd({});
    const b = await startUserd({ storeUrl: a.storeUrl });
    p = { a, b, app: a.defaultApp };
  });
  after(async () => { await p?.b.stop(); await p?.a.stop(); });

  test('2 x 200 concurrent registrations through A and B: exactly 400 accounts, no duplicate usernames', async () => {
    const prefix = `cc_${tag}`;
    const names = Array.from({ length: 400 }, (_, i) => `${prefix}_${i}`);
    // No keep-alive agent: every registration is its own connection, all in flight at once.
    const reg = (srv, username) => httpRequest({
      port: srv.im, method: 'POST', path: '/user/register/v2', timeoutMs: 60000,
      headers: { app_id: p.app.app_id, 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password: 'secret123' }),
    });
    const results = await Promise.all(names.map((n, i) => reg(i % 2 ? p.b : p.a, n)));
    const ids = results.map((r) => ok(r).user_id);
    assert.equal(new Set(ids).size, 400);

    // The same 40 new names sent to A and B at the same time: one of each pair wins.
    const raced = Array.from({ length: 40 }, (_, i) => `${prefix}_race_${i}`);
    const pairs = await Promise.all(raced.map((n) => Promise.all([reg(p.a, n), reg(p.b, n)])));
    for (const [ra, rb] of pairs) {
      const codes = [ra.json?.code, rb.json?.code].sort((x, y) => x - y);
      assert.deepEqual(codes, [200, 10004], `${ra.text} / ${rb.text}`);
    }

    // Count through the admin list on B, every page.
    const adminB = imClient(p.b, p.app, p.app.admin_token);
    const all = [];
    for (let page = 1; ; page++) {
      const d = ok(await adminB.req('GET', '/user/list', { query: { page_num: page, page_size: 200 } }));
      all.push(...d);
      if (d.length < 200) break;
    }
    adminB.close();
    const mine = all.filter((u) => u.username.startsWith(`${prefix}_`));
    assert.equal(mine.filter((u) => !u.username.includes('_race_')).length, 400);
    assert.equal(mine.filter((u) => u.username.includes('_race_')).length, 40);
    assert.equal(new Set(mine.map((u) => u.username)).size, mine.length, 'duplicate usernames');
    assert.equal(new Set(all.map((u) => u.user_id)).size, all.length, 'duplicate user ids');
    assert.deepEqual(new Set(mine.filter((u) => !u.username.includes('_race_')).map((u) => u.user_id)), new Set(ids));
  });
});
