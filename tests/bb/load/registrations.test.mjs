// Issue 11's burst: two userd processes on one store, 200 registrations sent
// to each at once, every one on its own connection, with default settings:
// all 400 succeed at once where the machine hashes them within the budget
// (admission by time, password.max_wait_ms); on a slower machine the rest are
// prompt 503s with Retry-After, served when sent again. A load test: it runs
// apart from the other suites (make test-load), on SQLite and, under
// scripts/pg_test.sh ($USERD_TEST_PG_ADMIN_URL), on PostgreSQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { httpRequest, imClient, sleep, startUserd } from '../lib/harness.mjs';
import { assertOk as ok } from '../im_util.mjs';

const BACKEND = process.env.USERD_TEST_PG_ADMIN_URL ? 'PostgreSQL' : 'SQLite';
const tag = `${process.pid % 100000}`;

describe(`a registration burst through two processes on ${BACKEND}`, () => {
  let p;
  before(async () => {
    const a = await startUserd({});
    const b = await startUserd({ storeUrl: a.storeUrl });
    p = { a, b, app: a.defaultApp };
  });
  after(async () => { await p?.b.stop(); await p?.a.stop(); });

  test('2 x 200 concurrent registrations through A and B: exactly 400 accounts, no duplicate usernames', async (t) => {
    const prefix = `cc_${tag}`;
    const names = Array.from({ length: 400 }, (_, i) => `${prefix}_${i}`);
    // No keep-alive agent: every registration is its own connection, all in flight at once.
    const reg = (srv, username) => httpRequest({
      port: srv.im, method: 'POST', path: '/user/register/v2', timeoutMs: 60000,
      headers: { app_id: p.app.app_id, 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password: 'secret123' }),
    });
    const results = await Promise.all(names.map((n, i) => reg(i % 2 ? p.b : p.a, n)));
    // What the machine can hash within the budget (password.max_wait_ms, 10 s): each process
    // measured one hash on each of its threads at once (one per core) when it started; with both
    // processes hashing, a hash takes twice that, so 200 requests per process take 200 x that.
    const hashMs = Math.max(...[p.a, p.b].map((s) => Number(/hashing pool: (\d+) ms for a hash on each thread at once/.exec(s.logs().join('\n'))?.[1])));
    assert.ok(hashMs > 0, 'the hashing pool logs its measured hash time');
    const busy = results.filter((r) => r.status !== 200 || r.json?.code !== 200);
    if (200 * hashMs <= 0.8 * 10000) {
      // As issue 11 asks: a machine that clears the burst within the budget serves all of it.
      assert.deepEqual(busy.map((r) => r.text), [], `${busy.length} refused though a hash takes ${hashMs} ms`);
    } else {
      // A slower machine cannot: what it cannot start within the budget is answered busy, in the
      // face's format, with Retry-After; sent again after it, each is served.
      t.diagnostic(`a hash takes ${hashMs} ms here: ${busy.length} of 400 were answered busy and sent again`);
      for (const r of busy) {
        assert.equal(r.status, 503, r.text);
        assert.deepEqual(r.json, { code: 503, message: 'server busy, retry later', data: null });
        assert.match(r.headers['retry-after'], /^[1-9][0-9]?$/, 'Retry-After: whole seconds, the expected wait');
      }
      for (let round = 0; round < 20 && results.some((r) => r.status !== 200); round++) {
        await sleep(1000 * Math.max(...results.filter((r) => r.status !== 200).map((r) => Number(r.headers['retry-after']) || 1)));
        await Promise.all(results.map(async (r, i) => { if (r.status !== 200) results[i] = await reg(i % 2 ? p.b : p.a, names[i]); }));
      }
    }
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
