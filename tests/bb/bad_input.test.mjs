// The bad-input table (issue 10, docs/robustness.md): every route of the three
// faces, from their OpenAPI documents, against every class of bad input. Each
// answer must be the face's own error with the documented code (the harness
// checks every answer against the document as well), never a 5xx; the server
// stays up and no table of the store changes. The table goes into
// docs/robustness.md.
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import qiniu from 'qiniu';
import { CLASSES, casesFor, routeOperations, target } from './lib/badinput.mjs';
import { REPO, appClient, createApp, haveBinary, httpRequest, imClient, liveClient, startUserd } from './lib/harness.mjs';

const FACES = ['im', 'live', 'app'];
const CONCURRENCY = 4; // below password.queue: refused requests never wait for a hash anyway

// ---------------------------------------------------------------- the store

let pgTables; // the tables of the PostgreSQL store (no request makes or drops one)

/**
 * Columns that record use, not content: an admin token's last use is written
 * (at most once a minute) by any request that presents it, refused or not.
 */
const USE_COLUMNS = { tokens: ['last_used_at'] };

/** sha256 of every table of the store, by table (sqlite3 or psql, whichever the store is), USE_COLUMNS left out. */
function tableDigests(srv) {
  const url = srv.storeUrl;
  const out = {};
  if (url.startsWith('sqlite:')) {
    const sqlite = (...args) => execFileSync('sqlite3', ['-readonly', '-cmd', '.timeout 5000', url.slice(7), ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
    for (const line of sqlite('.dump').split('\n')) {
      const m = /^INSERT INTO "?([A-Za-z_0-9]+)"?/.exec(line) || /^CREATE TABLE (?:IF NOT EXISTS )?"?([A-Za-z_0-9]+)"?/.exec(line);
      if (!m || (USE_COLUMNS[m[1]] && line.startsWith('INSERT'))) continue;
      (out[m[1]] ??= createHash('sha256')).update(line + '\n');
    }
    for (const [t, skip] of Object.entries(USE_COLUMNS)) {
      const cols = sqlite('-list', `SELECT name FROM pragma_table_info('${t}')`).trim().split('\n').filter((c) => c && !skip.includes(c));
      (out[t] ??= createHash('sha256')).update(sqlite('-quote', `SELECT ${cols.join(', ')} FROM ${t} ORDER BY 1, 2`));
    }
  } else {
    const psql = (sql) => execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8', maxBuffer: 256 << 20 });
    pgTables ??= psql("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1").trim().split('\n').filter(Boolean);
    const rows = psql(pgTables.map((t) => {
      const x = USE_COLUMNS[t] ? `(to_jsonb(x) - '{${USE_COLUMNS[t].join(',')}}'::text[])` : 'x';
      return `SELECT '${t}', md5(coalesce(string_agg(${x}::text, E'\\n' ORDER BY ${x}::text), '')) FROM "${t}" x;`;
    }).join('\n'));
    for (const line of rows.trim().split('\n')) {
      const [t, md5] = line.split('|');
      out[t] = createHash('sha256').update(md5);
    }
  }
  return Object.fromEntries(Object.entries(out).map(([t, h]) => [t, h.digest('hex')]));
}

const changedTables = (a, b) => [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((t) => a[t] !== b[t]);

// ---------------------------------------------------------------- live signatures

/** Qiniu v2 signature over the exact bytes (NOTES.md); the SDK's own for text bodies (cross-checked below). */
function signV2(keys, method, tgt, ct, body) {
  const parts = [Buffer.from(`${method} ${tgt}\nHost: 127.0.0.1${ct != null ? `\nContent-Type: ${ct}` : ''}\n\n`)];
  if (body?.length && ct != null && ct !== 'application/octet-stream') parts.push(body);
  const sign = createHmac('sha1', keys.secret_key).update(Buffer.concat(parts)).digest('base64').replace(/\+/g, '-').replace(/\//g, '_');
  return `Qiniu ${keys.access_key}:${sign}`;
}

function isUtf8(buf) { try { new TextDecoder('utf-8', { fatal: true }).decode(buf); return true; } catch { return false; } }

function liveAuthorization(keys, method, tgt, ct, body) {
  // The SDK cannot sign bytes that are no UTF-8, no Content-Type, or a path URL() would normalise ("..").
  const u = new URL('http://127.0.0.1' + tgt);
  if (ct == null || (body && !isUtf8(body)) || u.pathname + u.search !== tgt) return signV2(keys, method, tgt, ct, body);
  const mac = new qiniu.auth.digest.Mac(keys.access_key, keys.secret_key);
  return qiniu.util.generateAccessTokenV2(mac, 'http://127.0.0.1' + tgt, method, ct, body ? body.toString('utf8') : '');
}

// ---------------------------------------------------------------- fixtures

const fx = {};

function credentialVariants(face, base) {
  const v = [];
  if (face === 'im') {
    const auth = (code) => ({ kind: 'auth', code });
    v.push({ label: 'no app_id', change: (r) => { r.appId = null; }, expect: auth(40000) });
    v.push({ label: 'app_id of no app', change: (r) => { r.appId = 'no-such-app'; }, expect: auth(40000) });
    v.push({ label: 'app_id of 65 characters', change: (r) => { r.appId = 'a'.repeat(65); }, expect: auth(40000) });
    v.push({ label: 'app_id not UTF-8', change: (r) => { r.appId = '\u00ff\u00fe'; }, expect: auth(40000) });
    if (base.security === 'open') return v;
    v.push({ label: 'no access-token', change: (r) => { r.token = null; }, expect: auth(10003) });
    v.push({ label: 'empty access-token', change: (r) => { r.token = ''; }, expect: auth(10003) });
    v.push({ label: 'garbage access-token', change: (r) => { r.token = 'garbage'; }, expect: auth(10008) });
    v.push({ label: 'access-token of 300 characters', change: (r) => { r.token = 'x'.repeat(300); }, expect: auth(10008) });
    v.push({ label: 'access-token not UTF-8', change: (r) => { r.token = '\u00ff\u00fe'; }, expect: auth(10008) });
    v.push({ label: 'expired access-token', change: (r) => { r.token = fx.im.expiredToken; }, expect: auth(402) });
    v.push({ label: 'another app\'s user token', change: (r) => { r.token = fx.im.otherUserToken; }, expect: auth(10008) });
    v.push({ label: 'another app\'s admin token', change: (r) => { r.token = fx.im.other.admin_token; }, expect: auth(10008) });
    v.push({ label: 'the token with another app\'s app_id', change: (r) => { r.appId = fx.im.other.app_id; }, expect: auth(10008) });
    if (base.security === 'admin') {
      v.push({ label: 'a user token on an admin route', change: (r) => { r.token = fx.im.userToken; }, expect: auth(10010) });
    } else {
      v.push({ label: 'a user token with a user_id header', change: (r) => { r.headers.user_id = String(fx.im.userId); }, expect: auth(10010) });
      v.push({ label: 'a user token with a group_id header', change: (r) => { r.headers.group_id = '1'; }, expect: auth(10010) });
    }
  } else if (face === 'live') {
    const auth = { kind: 'auth' };
    v.push({ label: 'no Authorization', change: (r) => { r.authorization = null; }, expect: auth });
    v.push({ label: 'garbage Authorization', change: (r) => { r.authorization = 'garbage'; }, expect: auth });
    v.push({ label: 'Qiniu without a sign', change: (r) => { r.authorization = `Qiniu ${fx.live.app.access_key}`; }, expect: auth });
    v.push({ label: 'an unknown AK', change: (r) => { r.signWith = { access_key: 'no-such-ak', secret_key: 'x' }; }, expect: auth });
    v.push({ label: 'this app\'s AK signed with another app\'s SK', change: (r) => { r.signWith = { access_key: fx.live.app.access_key, secret_key: fx.live.other.secret_key }; }, expect: auth });
    v.push({ label: 'a sign of 200 characters', change: (r) => { r.authorization = `Qiniu ${fx.live.app.access_key}:${'A'.repeat(200)}`; }, expect: auth });
    v.push({ label: 'Authorization not UTF-8', change: (r) => { r.authorization = `Qiniu \u00ff:\u00fe`; }, expect: auth });
    if (base.body !== undefined) v.push({ label: 'the body changed after signing', change: (r) => { r.tamper = true; }, expect: auth });
  } else if (face === 'app' && base.security === 'session') {
    const auth = { kind: 'auth' };
    v.push({ label: 'no session cookie', change: (r) => { r.cookie = null; }, expect: auth });
    v.push({ label: 'garbage session cookie', change: (r) => { r.cookie = 'garbage'; }, expect: auth });
    v.push({ label: 'session cookie of 200 characters', change: (r) => { r.cookie = 'x'.repeat(200); }, expect: auth });
    v.push({ label: 'expired session', change: (r) => { r.cookie = fx.app.expiredCookie; }, expect: auth });
    v.push({ label: 'a session of another app', change: (r) => { r.cookie = fx.app.otherCookie; }, expect: auth });
  }
  return v;
}

function fixtures(face, p) {
  if (face === 'im' && p.in === 'header' && p.name === 'user_id') return String(fx.im.userId);
  return undefined;
}

/** Signs up a phone on an app face whose SMS provider is the log: returns the session cookie's value. */
async function signUp(srv, phone) {
  const c = appClient(srv);
  try {
    let r = await c.req('POST', '/user/send_code', { body: { region: '86', phone } });
    assert.deepEqual(r.json, { code: 200 }, r.text);
    const line = await srv.waitLog(new RegExp(`code (\\d+) for \\+86 ${phone}`));
    const code = /code (\d+) for/.exec(line)[1];
    r = await c.req('POST', '/user/verify_code', { body: { region: '86', phone, code } });
    assert.equal(r.json?.code, 200, r.text);
    r = await c.req('POST', '/user/register', { body: { nickname: 'Bad', password: 'P@ssw0rd', verification_token: r.json.result.verification_token } });
    assert.equal(r.json?.code, 200, r.text);
    return c.jar.get('rong_auth_cookie');
  } finally { c.close(); }
}

const sqlOn = (srv, statement) => (srv.storeUrl.startsWith('sqlite:')
  ? execFileSync('sqlite3', ['-cmd', '.timeout 5000', srv.storeUrl.slice(7), statement], { encoding: 'utf8' })
  : execFileSync('psql', [srv.storeUrl, '-v', 'ON_ERROR_STOP=1', '-qAtc', statement], { encoding: 'utf8' })).trim();

// ---------------------------------------------------------------- sending

const agents = Object.fromEntries(FACES.map((f) => [f, new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })]));

async function send(srv, face, req) {
  const tgt = target(req);
  const headers = { ...req.headers };
  let body = req.body;
  if (body !== undefined && !Buffer.isBuffer(body)) body = Buffer.from(req.bodyType === 'text/plain' ? String(body) : JSON.stringify(body));
  const ct = req.contentType !== undefined ? req.contentType : body !== undefined ? req.bodyType : face === 'live' ? 'application/json' : null;
  if (ct != null) headers['Content-Type'] = ct;
  if (face === 'im') {
    const appId = req.appId !== undefined ? req.appId : fx.im.app.app_id;
    const token = req.token !== undefined ? req.token : req.security === 'admin' ? fx.im.app.admin_token : req.security === 'user' ? fx.im.userToken : null;
    if (appId != null) headers.app_id = appId;
    if (token != null) headers['access-token'] = token;
  } else if (face === 'live') {
    headers.Host = '127.0.0.1';
    let auth = req.authorization;
    if (auth === undefined && !req.unsigned) auth = liveAuthorization(req.signWith || fx.live.app, req.method, tgt, ct, body);
    if (auth != null) headers.Authorization = auth;
    if (req.tamper) body = Buffer.concat([body, Buffer.from(' ')]);
  } else if (face === 'app') {
    const cookie = req.cookie !== undefined ? req.cookie : req.security === 'session' ? fx.app.cookie : null;
    if (cookie != null) headers.Cookie = `rong_auth_cookie=${cookie}`;
  }
  return httpRequest({ port: srv[face], method: req.method, path: tgt, headers, body, agent: agents[face], timeoutMs: 30000 });
}

const FACE_INVALID = {
  im: (r) => r.status === 200 && r.json?.code === 10002,
  live: (r) => r.status === 400 && r.json?.code === 400,
  app: (r) => r.status === 400 && /^text\/plain/.test(r.headers['content-type'] || ''),
};

/** null when the answer is right for the case, else what is wrong. */
function judge(face, c, r, baseAnswer) {
  if (r instanceof Error) return `no proper answer: ${r.message}`;
  const got = `HTTP ${r.status} ${r.text.slice(0, 160)}`;
  if (r.status >= 500) return `a 5xx: ${got}`;
  const e = c.expect;
  switch (e.kind) {
    case 'invalid': return FACE_INVALID[face](r) ? null : `want the face's invalid-input error, got ${got}`;
    case 'perItem': return r.status === 200 && r.json?.code === 200 && Array.isArray(r.json.data) && r.json.data.length && r.json.data.every((i) => i.success === false)
      ? null : `want every item refused on its own, got ${got}`;
    case 'auth':
      if (face === 'im') return r.status === 200 && r.json?.code === e.code ? null : `want code ${e.code}, got ${got}`;
      if (face === 'live') return r.status === 401 && r.json?.code === 401 ? null : `want 401, got ${got}`;
      return r.status === 403 ? null : `want 403, got ${got}`;
    case 'status': return r.status === e.status ? null : `want HTTP ${e.status}, got ${got}`;
    case 'reject4xx': return [400, 404].includes(r.status) ? null : `want 400 or 404, got ${got}`;
    case 'documented': return null; // the harness checked it against the document
    case 'sameAsBase': return r.status === baseAnswer.status && r.json?.code === baseAnswer.json?.code ? null
      : `want the answer without a body (HTTP ${baseAnswer.status} code ${baseAnswer.json?.code}), got ${got}`;
    default: return `unknown expectation ${e.kind}`;
  }
}

async function pool(items, n, fn) {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) { const x = items[i++]; await fn(x); }
  }));
}

// ---------------------------------------------------------------- the table

const MARK_BEGIN = '<!-- bad-input table: written by tests/bb/bad_input.test.mjs -->';
const MARK_END = '<!-- end of the bad-input table -->';

function writeTable(tally, notes) {
  const file = path.join(REPO, 'docs/robustness.md');
  const rows = CLASSES.map(([cls, name]) => {
    const cells = FACES.map((f) => {
      const t = tally[cls]?.[f];
      return t?.tried ? `${t.tried} / ${t.ok}` : '–';
    });
    return `| ${name} | ${cells.join(' | ')} |`;
  });
  const total = FACES.map((f) => CLASSES.reduce((s, [cls]) => s + (tally[cls]?.[f]?.tried || 0), 0));
  const ok = FACES.map((f) => CLASSES.reduce((s, [cls]) => s + (tally[cls]?.[f]?.ok || 0), 0));
  const routes = FACES.map((f) => routeOperations(f).length);
  const table = [
    MARK_BEGIN,
    '',
    `Operations tried: IM ${routes[0]}, live ${routes[1]}, app ${routes[2]} (every method of every route). Cells: requests tried / answered correctly with the store unchanged; – where the class does not apply to any route of the face.`,
    '',
    '| class | IM | live | app |',
    '| --- | --- | --- | --- |',
    ...rows,
    `| **all** | **${total[0]} / ${ok[0]}** | **${total[1]} / ${ok[1]}** | **${total[2]} / ${ok[2]}** |`,
    '',
    ...notes.map((n) => `- ${n}`),
    '',
    MARK_END,
  ].join('\n');
  const text = fs.readFileSync(file, 'utf8');
  const a = text.indexOf(MARK_BEGIN), b = text.indexOf(MARK_END);
  assert.ok(a >= 0 && b > a, 'docs/robustness.md lacks the table markers');
  const next = text.slice(0, a) + table + text.slice(b + MARK_END.length);
  if (next !== text) fs.writeFileSync(file, next);
}

// ---------------------------------------------------------------- the test

describe('bad-input table', { skip: !haveBinary() && 'no userd binary' }, () => {
  let srv;

  before(async () => {
    // Upload tokens configured, so that get_image_token answers its success case (no request leaves the machine).
    const qiniuEnv = { USERD_QINIU_ACCESS_KEY: 'ak', USERD_QINIU_SECRET_KEY: 'sk', USERD_QINIU_BUCKET: 'b', USERD_QINIU_DOMAIN: 'https://cdn.example.com' };
    srv = await startUserd({ env: qiniuEnv });
    const app = srv.defaultApp;
    const other = createApp(srv, 'other');
    const im = imClient(srv, app);
    const imOther = imClient(srv, other);
    const reg = async (c, username) => {
      const r = await c.req('POST', '/user/register/v2', { body: { username, password: 'secret123' } });
      assert.equal(r.json?.code, 200, r.text);
      const t = await c.req('POST', '/token/user', { body: { name: username, password: 'secret123' } });
      assert.equal(t.json?.code, 200, t.text);
      return { id: r.json.data.user_id, token: t.json.data.token };
    };
    const a = await reg(im, 'bad_a');
    const b = await reg(im, 'bad_b');
    const o = await reg(imOther, 'bad_o');
    im.close(); imOther.close();
    sqlOn(srv, `UPDATE tokens SET expires_at = 1 WHERE account_id = ${b.id}`);
    fx.im = { app, other, userId: a.id, userToken: a.token, expiredToken: b.token, otherUserToken: o.token };
    fx.live = { app, other };

    const cookie = await signUp(srv, '13900000001');
    const expired = await signUp(srv, '13900000002');
    sqlOn(srv, `UPDATE sessions SET expires_at = 1 WHERE account_id = (SELECT id FROM accounts WHERE mobile = '13900000002')`);
    const second = await startUserd({ storeUrl: srv.storeUrl, env: { USERD_APP_APP_ID: other.app_id } });
    let otherCookie;
    try { otherCookie = await signUp(second, '13900000003'); } finally { await second.stop(); }
    fx.app = { cookie, expiredCookie: expired, otherCookie };
  });

  after(async () => {
    for (const a of Object.values(agents)) a.destroy();
    await srv?.stop();
  });

  test('the live signer signs as the official SDK does', () => {
    const body = Buffer.from('{"user_id":"u"}');
    assert.equal(signV2(fx.live.app, 'POST', '/server/user/register?x=1', 'application/json', body),
      liveAuthorization(fx.live.app, 'POST', '/server/user/register?x=1', 'application/json', body));
  });

  test('every class of bad input on every route is refused in the face\'s format, and nothing changes', { timeout: 600000 }, async () => {
    const cases = Object.fromEntries(FACES.map((f) => [f, routeOperations(f).map((op) => casesFor(f, op, fixtures, credentialVariants))]));
    const tally = {};
    const failures = [];
    const notes = new Set();
    let digests = tableDigests(srv);

    const health = async () => {
      for (const f of FACES) {
        const r = await httpRequest({ port: srv[f], path: '/healthz' });
        assert.equal(r.status, 200, `${f} /healthz after bad input: ${r.text}`);
      }
    };

    for (const [cls, name] of CLASSES) {
      for (const face of FACES) {
        const list = cases[face].flatMap(({ base, cases: cs }) => cs.filter((c) => c.cls === cls).map((c) => ({ ...c, base })));
        if (!list.length) continue;
        const t = (tally[cls] ??= {})[face] = { tried: 0, ok: 0 };
        const run = async (batch, baseAnswer) => {
          let wrong = 0;
          await pool(batch, CONCURRENCY, async (c) => {
            let r;
            try { r = await send(srv, face, c.req); } catch (e) { r = e; }
            const why = judge(face, c, r, baseAnswer);
            t.tried++;
            if (why) { wrong++; failures.push(`${face} [${name}] ${c.label}: ${why}`); } else t.ok++;
            if (!why && c.expect.mhd && !r.headers['content-type']) notes.add('Oversize headers are refused by libmicrohttpd itself: HTTP 431 with its own HTML page and no Content-Type, not the face\'s envelope (libmicrohttpd 0.9.75 offers no hook to answer otherwise).');
          });
          return wrong;
        };
        const storeSame = (what, ok) => {
          const now = tableDigests(srv);
          const changed = changedTables(digests, now);
          digests = now;
          if (!changed.length) return;
          failures.push(`${face} [${name}] ${what}: the store changed (tables ${changed.join(', ')})`);
          t.ok -= ok;
        };
        if (cls === 'getbody') {
          // The answer without a body first; the bodies must not change it. A GET that writes
          // by itself (a new token or picture code per call) is left out of the store check.
          const templates = [...new Set(list.map((c) => c.base.template))];
          const baseAnswers = new Map();
          const sendBase = async (tpl) => baseAnswers.set(tpl, await send(srv, face, list.find((c) => c.base.template === tpl).base));
          for (const tpl of templates) await sendBase(tpl);
          const writers = new Set();
          if (changedTables(digests, tableDigests(srv)).length) {
            for (const tpl of templates) { // which of them: one by one
              digests = tableDigests(srv);
              await sendBase(tpl);
              if (changedTables(digests, tableDigests(srv)).length) writers.add(tpl);
            }
          }
          for (const tpl of writers) notes.add(`Bodies on GET: \`GET ${tpl}\` (${face}) writes by design on every call, with or without a body; its answers are compared, not the store.`);
          digests = tableDigests(srv);
          const okBefore = t.ok;
          for (const template of templates.filter((x) => !writers.has(x)))
            await run(list.filter((c) => c.base.template === template), baseAnswers.get(template));
          storeSame('GET with a body', t.ok - okBefore);
          for (const template of writers) await run(list.filter((c) => c.base.template === template), baseAnswers.get(template));
          digests = tableDigests(srv);
        } else {
          await run(list);
          storeSame('', t.ok);
        }
        await health();
      }
    }
    notes.add('IM routes take no ids in their paths: their ids (`device_sn`, `deviceSn`, `cursor`, the `user_id` header, body fields) are tried under numbers out of range or not integers.');
    writeTable(tally, [...notes]);
    assert.ok(srv.proc.exitCode === null, 'userd still runs');
    assert.deepEqual(failures, [], `${failures.length} wrong answers:\n${failures.slice(0, 80).join('\n')}`);
  });

  // The defects the table found, each with the input that showed it.
  describe('defects found by the table', () => {
    test('an encoded NUL in the query or the path is refused, not read up to the NUL', async () => {
      const c = imClient(srv, fx.im.app, fx.im.userToken);
      try {
        let r = await c.req('POST', '/user/username', { query: { username: 'a\u0000b' } });
        assert.equal(r.json?.code, 10002, r.text);
        assert.match(r.json.message, /NUL/);
        r = await c.req('POST', '/user/push/limit', { query: { no_push_start_hour: '1\u00002', no_push_end_hour: '3' } });
        assert.equal(r.json?.code, 10002, r.text);
        r = await c.req('GET', '/user/profile%00x');
        assert.equal(r.json?.code, 10002, r.text);
        r = await c.req('GET', '/user/profile');
        assert.equal(r.json.data.username, 'bad_a');
        const s = await c.req('GET', '/user/settings');
        assert.equal(s.json.data.no_push_start_hour, 0);
      } finally { c.close(); }
      const a = await httpRequest({ port: srv.app, path: '/user/%00' });
      assert.equal(a.status, 400);
      assert.equal(a.headers['cache-control'], 'no-store');
    });

    test('/token/id refuses a user_id past 2^53-1 as bad input, as every other user id', async () => {
      const c = imClient(srv, fx.im.app);
      try {
        const r = await c.req('POST', '/token/id', { body: { user_id: 9007199254740992, password: 'secret123' } });
        assert.equal(r.json?.code, 10002, r.text);
      } finally { c.close(); }
    });

    test('an expired session is refused without a write (the purge removes it later)', async () => {
      const cookie = await signUp(srv, '13900000004');
      const count = "SELECT count(*) FROM sessions WHERE account_id = (SELECT id FROM accounts WHERE mobile = '13900000004')";
      sqlOn(srv, `UPDATE sessions SET expires_at = 1 WHERE account_id = (SELECT id FROM accounts WHERE mobile = '13900000004')`);
      assert.equal(sqlOn(srv, count), '1');
      const r = await httpRequest({ port: srv.app, path: '/user/get_poke', headers: { Cookie: `rong_auth_cookie=${cookie}` } });
      assert.equal(r.status, 403);
      assert.equal(sqlOn(srv, count), '1');
    });

    test('bytes that are no UTF-8 in lookup keys answer alike on SQLite and PostgreSQL', async () => {
      // PostgreSQL refused them as a bad parameter (IM 10002) where SQLite found nothing (40000).
      const c = imClient(srv, { app_id: '\u00ff\u00fe' });
      try {
        const r = await c.req('POST', '/token/user', { body: { name: 'bad_a', password: 'secret123' } });
        assert.equal(r.json?.code, 40000, r.text);
      } finally { c.close(); }
      const cookie = `rong_auth_cookie=${fx.app.cookie}`;
      let r = await httpRequest({ port: srv.app, path: '/user/find_user?st_account=%FF', headers: { Cookie: cookie } });
      assert.deepEqual([r.status, r.text], [404, 'Unknown user.']);
      r = await httpRequest({ port: srv.app, path: '/user/sms_img_code/%FF.png' });
      assert.equal(r.status, 404, r.text);
    });

    test('live register/batch checks every rule of every entry before it writes any', async () => {
      const c = liveClient(srv, fx.live.app);
      try {
        let r = await c.req('POST', '/server/user/register/batch', { body: [{ user_id: 'early-1' }, { user_id: 'late-1', nick: 'n'.repeat(65) }] });
        assert.equal(r.status, 400, r.text);
        assert.match(r.json.message, /users\[1\]: nick/);
        r = await c.req('GET', '/server/user/info/early-1');
        assert.equal(r.status, 404, r.text);
      } finally { c.close(); }
    });
  });
});
