// The ops listener (ops.listen, docs/operations.md): health, readiness and
// the faces' OpenAPI documents on a listener of its own, apart from the faces.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO, USERD_BIN, httpRequest, startUserd, storeQuery } from './lib/harness.mjs';

describe('ops listener', () => {
  let srv;
  before(async () => { srv = await startUserd(); });
  after(async () => { await srv.stop(); });

  test('listens on its own port, apart from the faces', () => {
    assert.equal(typeof srv.ops, 'number');
    assert.ok(![srv.im, srv.live, srv.app].includes(srv.ops));
    assert.ok(srv.logs().some((l) => l.includes(`ops face listening on 127.0.0.1:${srv.ops}`)));
  });

  test('GET /healthz: 200 while the process answers', async () => {
    const r = await httpRequest({ port: srv.ops, path: '/healthz' });
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^application\/json/);
    assert.deepEqual(r.json, { status: 'ok' });
  });

  test('GET /readyz: 200 when the store answers with every migration applied', async () => {
    const r = await httpRequest({ port: srv.ops, path: '/readyz' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { status: 'ready' });
  });

  for (const face of ['im', 'live', 'app']) {
    test(`GET /openapi/${face}.json: the document of docs/openapi/, byte for byte`, async () => {
      const r = await httpRequest({ port: srv.ops, path: `/openapi/${face}.json` });
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'application/json');
      const file = fs.readFileSync(path.join(REPO, `docs/openapi/${face}.json`));
      assert.equal(Buffer.compare(r.body, file), 0, 'the served document differs from the file: rebuild');
      assert.equal(r.json.openapi, '3.1.0');
    });
  }

  test('unknown documents and paths are 404, other methods 405 with Allow', async () => {
    let r = await httpRequest({ port: srv.ops, path: '/openapi/ops.json' });
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, { error: 'not found: the documents are im.json, live.json and app.json' });
    r = await httpRequest({ port: srv.ops, path: '/openapi/../docs/openapi/im.json' });
    assert.equal(r.status, 404);
    r = await httpRequest({ port: srv.ops, path: '/user/profile' });
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, { error: 'no such endpoint' });
    r = await httpRequest({ port: srv.ops, method: 'POST', path: '/readyz', body: '' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, 'GET');
    assert.deepEqual(r.json, { error: 'method not allowed' });
  });

  test('the faces do not serve the ops routes; they keep their own /healthz', async () => {
    for (const port of [srv.im, srv.live, srv.app]) {
      assert.equal((await httpRequest({ port, path: '/healthz' })).status, 200);
      for (const p of ['/readyz', '/openapi/im.json']) {
        const r = await httpRequest({ port, path: p });
        assert.equal(r.status, 404, `${p} on port ${port}`);
      }
    }
  });

  test('keeps connections alive', async () => {
    const http = await import('node:http');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const seen = new Set();
    for (let i = 0; i < 3; i++) {
      const r = await new Promise((resolve, reject) => {
        const req = http.get({ port: srv.ops, host: '127.0.0.1', path: '/healthz', agent }, (res) => {
          seen.add(res.socket.localPort);
          res.resume();
          res.on('end', () => resolve(res));
        });
        req.on('error', reject);
      });
      assert.equal(r.statusCode, 200);
      assert.notEqual(r.headers.connection, 'close');
    }
    agent.destroy();
    assert.equal(seen.size, 1, 'one connection for three requests');
  });
});

describe('ops listener: readiness follows the store', () => {
  test('/readyz is 503 while a migration is missing, /healthz stays 200', async () => {
    const srv = await startUserd();
    try {
      const top = storeQuery(srv, 'SELECT MAX(version) FROM schema_migrations');
      storeQuery(srv, `DELETE FROM schema_migrations WHERE version = ${top}`);
      let r = await httpRequest({ port: srv.ops, path: '/readyz' });
      assert.equal(r.status, 503);
      assert.deepEqual(r.json, { status: 'migrations pending' });
      assert.equal(r.headers['retry-after'], '1');
      r = await httpRequest({ port: srv.ops, path: '/healthz' });
      assert.equal(r.status, 200);
      storeQuery(srv, `INSERT INTO schema_migrations (version, applied_at) VALUES (${top}, 0)`);
      r = await httpRequest({ port: srv.ops, path: '/readyz' });
      assert.equal(r.status, 200);
    } finally {
      await srv.stop();
    }
  });
});

describe('ops.listen setting', () => {
  test('off: no ops listener, the faces serve', async () => {
    const srv = await startUserd({ env: { USERD_OPS_LISTEN: 'off' } });
    try {
      assert.equal(srv.ops, null);
      assert.ok(!srv.logs().some((l) => l.includes('ops face listening')));
      assert.equal((await httpRequest({ port: srv.im, path: '/healthz' })).status, 200);
    } finally {
      await srv.stop();
    }
  });

  test('default 127.0.0.1:8700, listed by --help', () => {
    const r = spawnSync(USERD_BIN, ['--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /--ops\.listen.*USERD_OPS_LISTEN.*127\.0\.0\.1:8700/);
  });

  test('a bad address stops the start with a clear error', async () => {
    await assert.rejects(startUserd({ env: { USERD_OPS_LISTEN: 'nowhere' } }),
      /ops listener: bad address nowhere \(want host:port\)/);
  });
});
