// Black-box harness for userd: start real `build/userd serve` processes and
// talk to their three faces (IM, live, app) the way real clients do.
// Contract: /work/shared/DESIGN.md "Contract with operators and tests".
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import qiniu from 'qiniu';
import { checkResponse } from './openapi.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Repository root (…/tests/bb/lib -> …). */
export const REPO = path.resolve(here, '../../..');
/** The userd binary under test: $USERD_BIN or <repo>/build/userd. */
export const USERD_BIN = process.env.USERD_BIN || path.join(REPO, 'build/userd');

/** @returns {boolean} true when the userd binary exists and is executable. */
export function haveBinary() {
  try { fs.accessSync(USERD_BIN, fs.constants.X_OK); return true; } catch { return false; }
}

/** @param {number} ms @returns {Promise<void>} */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A free loopback TCP port (bind port 0, read it, close). @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------- cleanup

const running = new Set();   // child processes still alive
const tempDirs = [];         // temp dirs we made
const pgDatabases = [];      // [adminUrl, name] we created
process.on('exit', () => {
  for (const p of running) { try { p.kill('SIGKILL'); } catch {} }
  if (process.env.USERD_TEST_KEEP) return;
  for (const d of tempDirs) { try { fs.rmSync(d, { recursive: true, force: true }); } catch {} }
  for (const [admin, name] of pgDatabases) {
    spawnSync('psql', [admin, '-qAtc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: 'ignore' });
  }
});

// ---------------------------------------------------------------- answers against the documents

// Every answer from a face that comes through httpRequest() (so through every
// client below) or through fetch() is checked against that face's OpenAPI
// document (docs/openapi/, tests/bb/lib/openapi.mjs): a mismatch rejects the
// request's promise and, in case a test swallowed that, fails the test file
// (its exit code).
// rawHttp() answers are not checked: they belong to tests of HTTP framing.
const faceOfPort = new Map(); // port -> 'im' | 'live' | 'app', while that userd runs
const violations = [];
process.on('exit', () => {
  if (!violations.length) return;
  console.error(`${violations.length} answer(s) did not match the OpenAPI documents:\n${violations.join('\n')}`);
  process.exitCode = 1; // the test file fails even where a test caught the request's rejection
});

/** Checks one answer of a userd face; throws (and records) when it does not match its document. */
function checkAnswer(port, method, target, res) {
  const face = faceOfPort.get(port);
  if (!face) return;
  const why = checkResponse(face, method, target, res);
  if (!why) return;
  const msg = `OpenAPI (${face}): ${why}`;
  violations.push(msg);
  throw new Error(msg);
}

const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init = {}) => {
  const res = await realFetch(input, init);
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (['127.0.0.1', 'localhost'].includes(url.hostname) && faceOfPort.has(Number(url.port))) {
    const headers = {};
    res.headers.forEach((v, k) => { headers[k] = v; });
    const body = Buffer.from(await res.clone().arrayBuffer());
    checkAnswer(Number(url.port), init.method || (input instanceof Request ? input.method : 'GET'),
      url.pathname + url.search, { status: res.status, headers, body });
  }
  return res;
};

// ---------------------------------------------------------------- request capture

// USERD_TEST_CAPTURE=DIR writes every request the tests send (and every
// server's settings) to DIR, one JSON file each: the seeds of the fuzz
// corpora (scripts/fuzz_corpus.sh, docs/robustness.md "Fuzzing").
const captureDir = process.env.USERD_TEST_CAPTURE;
let captured = 0;
function capture(rec) {
  if (!captureDir) return;
  try {
    fs.mkdirSync(captureDir, { recursive: true });
    fs.writeFileSync(path.join(captureDir, `${process.pid}-${++captured}.json`), JSON.stringify(rec));
  } catch { /* capture is best effort: never fail a test for it */ }
}

// ---------------------------------------------------------------- HTTP

/**
 * One HTTP/1.1 request with node:http (lets us set Host, unlike fetch).
 * Headers whose value is null/undefined are dropped.
 * @param {{port:number, host?:string, method?:string, path?:string, headers?:object,
 *          body?:string|Buffer, agent?:http.Agent|false, timeoutMs?:number}} o
 * Answers from a userd face are checked against its OpenAPI document (above).
 * @returns {Promise<{status:number, headers:object, text:string, json:any, body:Buffer}>}
 */
export function httpRequest(o) {
  const headers = {};
  for (const [k, v] of Object.entries(o.headers || {})) if (v != null) headers[k] = v;
  if (o.body != null) headers['Content-Length'] = Buffer.byteLength(o.body);
  if (captureDir && faceOfPort.has(o.port)) {
    capture({ kind: 'http', face: faceOfPort.get(o.port), method: o.method || 'GET', path: o.path || '/', headers,
      body: o.body == null ? '' : Buffer.from(o.body).toString('base64') });
  }
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: o.host || '127.0.0.1', port: o.port, path: o.path || '/',
      method: o.method || 'GET', headers, agent: o.agent ?? false,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        try {
          checkAnswer(o.port, o.method || 'GET', o.path || '/', { status: res.statusCode, headers: res.headers, body });
        } catch (e) { reject(e); return; }
        resolve({ status: res.statusCode, headers: res.headers, text, json, body });
      });
      res.on('error', reject);
    });
    req.setTimeout(o.timeoutMs ?? 15000, () => req.destroy(new Error(`timeout ${o.method} ${o.path}`)));
    req.on('error', reject);
    if (o.body != null) req.write(o.body);
    req.end();
  });
}

/**
 * Write raw bytes on a fresh TCP socket and collect the raw response text.
 * Resolves when the server closes, after `idleMs` without data (once some data
 * came), or after `timeoutMs` in all.
 * @param {number} port
 * @param {string|Buffer} requestText e.g. "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
 * @param {{idleMs?:number, timeoutMs?:number, host?:string}} [o]
 * @returns {Promise<string>}
 */
export function rawHttp(port, requestText, o = {}) {
  const idleMs = o.idleMs ?? 300, timeoutMs = o.timeoutMs ?? 5000;
  if (captureDir && faceOfPort.has(port)) {
    capture({ kind: 'raw', face: faceOfPort.get(port), data: Buffer.from(requestText).toString('base64') });
  }
  return new Promise((resolve, reject) => {
    const chunks = [];
    let idle;
    const sock = net.connect(port, o.host || '127.0.0.1');
    const done = () => {
      clearTimeout(idle); clearTimeout(total);
      sock.destroy();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const total = setTimeout(done, timeoutMs);
    sock.on('connect', () => sock.write(requestText));
    sock.on('data', (c) => { chunks.push(c); clearTimeout(idle); idle = setTimeout(done, idleMs); });
    sock.on('end', done);
    sock.on('close', done);
    sock.on('error', (e) => (chunks.length ? done() : (clearTimeout(total), reject(e))));
  });
}

function withQuery(p, query) {
  if (!query) return p;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v == null) continue;
    for (const x of Array.isArray(v) ? v : [v]) qs.append(k, String(x));
  }
  const s = qs.toString();
  return s ? p + (p.includes('?') ? '&' : '?') + s : p;
}

const newAgent = () => new http.Agent({ keepAlive: true, maxSockets: 8 });

// ---------------------------------------------------------------- userd processes

function portOf(listen) {
  if (!listen || listen === 'off') return null;
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

let dbCounter = 0;
function freshPgDatabase(adminUrl) {
  const name = `userd_t_${process.pid}_${++dbCounter}_${Math.random().toString(36).slice(2, 8)}`;
  execFileSync('psql', [adminUrl, '-v', 'ON_ERROR_STOP=1', '-qAtc', `CREATE DATABASE ${name}`],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  pgDatabases.push([adminUrl, name]);
  const u = new URL(process.env.USERD_TEST_STORE_URL || adminUrl);
  u.pathname = '/' + name;
  return u.toString();
}

function userdEnv(extra) {
  const env = {};
  // Do not let the caller's shell USERD_* settings leak into the server.
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('USERD_')) env[k] = v;
  return Object.assign(env, extra);
}

/**
 * Start `userd serve` on three free loopback ports with a fresh store and data dir,
 * and its ops listener (srv.ops) on a fourth.
 * Store: opts.storeUrl, else a fresh PostgreSQL database when
 * $USERD_TEST_PG_ADMIN_URL is set, else $USERD_TEST_STORE_URL, else
 * `sqlite:<dir>/userd.db`. Set a listener to "off" with opts.env.USERD_*_LISTEN.
 * @param {{env?:object, storeUrl?:string, dataDir?:string, args?:string[], timeoutMs?:number, bin?:string}} [opts]
 * @returns {Promise<{im:number|null, live:number|null, app:number|null, ops:number|null, dataDir:string,
 *   storeUrl:string, defaultApp:object|null, env:object, proc:import('node:child_process').ChildProcess,
 *   stop:()=>Promise<number|string>, kill:(sig?:string)=>void, logs:()=>string[],
 *   waitLog:(re:RegExp, ms?:number)=>Promise<string>}>}
 */
export async function startUserd(opts = {}) {
  // freePort() closes the port it found: another test process may take it
  // before userd binds it. Then start again on other ports, same store.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (e) {
      if (attempt >= 3 || !e.retry) throw e;
      opts = { ...opts, dataDir: e.retry.dataDir, storeUrl: e.retry.storeUrl };
    }
  }
}

async function startOnce(opts) {
  let dataDir = opts.dataDir;
  if (!dataDir) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-bb-'));
    tempDirs.push(dataDir);
  }
  const storeUrl = opts.storeUrl
    || (process.env.USERD_TEST_PG_ADMIN_URL && freshPgDatabase(process.env.USERD_TEST_PG_ADMIN_URL))
    || process.env.USERD_TEST_STORE_URL
    || `sqlite:${path.join(dataDir, 'userd.db')}`;
  const [p1, p2, p3, p4] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const env = userdEnv({
    USERD_STORE_URL: storeUrl,
    USERD_DATA_DIR: dataDir,
    USERD_IM_LISTEN: `127.0.0.1:${p1}`,
    USERD_LIVE_LISTEN: `127.0.0.1:${p2}`,
    USERD_APP_LISTEN: `127.0.0.1:${p3}`,
    USERD_OPS_LISTEN: `127.0.0.1:${p4}`, // never the default 8700: test processes run side by side
    // No other setting: the server runs with its defaults (the production
    // Argon2id cost too) unless a test is about a setting and says so.
    ...opts.env,
  });

  if (captureDir) {
    for (const [key, face] of [['USERD_IM_LISTEN', 'im'], ['USERD_LIVE_LISTEN', 'live'], ['USERD_APP_LISTEN', 'app']]) {
      if (portOf(env[key]) != null) faceOfPort.set(portOf(env[key]), face);
    }
    const files = {};
    (opts.args || []).forEach((a, i, all) => {
      const f = a === '--config' ? all[i + 1] : a.startsWith('--config=') ? a.slice(9) : null;
      if (f) try { files[f] = fs.readFileSync(f, 'utf8'); } catch { /* missing on purpose */ }
    });
    capture({ kind: 'serve', env: Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('USERD_'))),
      args: opts.args || [], files });
  }

  const lines = [];
  const waiters = new Set();
  const bin = opts.bin || USERD_BIN;
  const proc = spawn(bin, ['serve', ...(opts.args || [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  // A test that fails before stopping its server must not keep the runner alive:
  // the 'exit' hook above kills what is left.
  proc.unref();
  proc.stdout.unref?.();
  proc.stderr.unref?.();
  let exit = null, spawnError = null;
  // Answers are checked against the documents when this is the real userd (not a stand-in binary).
  const faces = path.resolve(bin) !== path.resolve(USERD_BIN) ? []
    : [['im', portOf(env.USERD_IM_LISTEN)], ['live', portOf(env.USERD_LIVE_LISTEN)], ['app', portOf(env.USERD_APP_LISTEN)]]
      .filter(([, port]) => port != null);
  for (const [face, port] of faces) faceOfPort.set(port, face);
  const exited = new Promise((r) => proc.on('exit', (code, signal) => {
    for (const [face, port] of faces) if (faceOfPort.get(port) === face) faceOfPort.delete(port);
    running.delete(proc);
    exit = code ?? signal;
    r(exit);
  }));
  proc.on('error', (e) => { spawnError = e; running.delete(proc); });
  for (const stream of [proc.stdout, proc.stderr]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        for (const w of waiters) w(line);
      }
    });
    stream.on('end', () => { if (buf) lines.push(buf); });
  }

  const srv = {
    im: portOf(env.USERD_IM_LISTEN), live: portOf(env.USERD_LIVE_LISTEN), app: portOf(env.USERD_APP_LISTEN),
    ops: portOf(env.USERD_OPS_LISTEN),
    dataDir, storeUrl, env, bin, proc, defaultApp: null,
    logs: () => lines.slice(),
    kill: (signal = 'SIGTERM') => { proc.kill(signal); },
    /** Stop with SIGTERM (SIGKILL after 5 s); resolves the exit code (or signal name). */
    async stop() {
      if (exit !== null || spawnError) return exit;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
    /** Resolve with the first log line (past or future) matching re. */
    waitLog(re, ms = 5000) {
      const hit = lines.find((l) => re.test(l));
      if (hit !== undefined) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const w = (l) => { if (re.test(l)) { waiters.delete(w); clearTimeout(t); resolve(l); } };
        const t = setTimeout(() => { waiters.delete(w); reject(new Error(`no log line matching ${re}\n${lines.join('\n')}`)); }, ms);
        waiters.add(w);
      });
    },
  };

  const fail = async (why) => {
    if (exit === null && !spawnError) await srv.stop();
    const e = new Error(`userd did not start: ${why}\n--- userd logs ---\n${lines.join('\n')}`);
    const fixedPort = ['IM', 'LIVE', 'APP', 'OPS'].some((f) => (opts.env?.[`USERD_${f}_LISTEN`] ?? 'off') !== 'off');
    if (!fixedPort && lines.some((l) => l.includes('Address already in use'))) e.retry = { dataDir, storeUrl };
    throw e;
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 10000);
  // Each listener is asked on its own address (a test may put one on another loopback address).
  const hostOf = (listen) => {
    const h = listen.slice(0, listen.lastIndexOf(':')).replace(/^\[|\]$/g, '');
    return h === '*' || h === '' ? '127.0.0.1' : h;
  };
  const where = new Map([[srv.im, env.USERD_IM_LISTEN], [srv.live, env.USERD_LIVE_LISTEN], [srv.app, env.USERD_APP_LISTEN],
    [srv.ops, env.USERD_OPS_LISTEN]]
    .filter(([p]) => p != null).map(([p, l]) => [p, hostOf(l)]));
  const pending = new Set(where.keys());
  while (pending.size) {
    if (spawnError) await fail(`${bin}: ${spawnError.message}`);
    if (exit !== null) await fail(`exited with ${exit}`);
    if (Date.now() > deadline) await fail(`GET /healthz not 200 on ports ${[...pending]} within timeout`);
    for (const port of [...pending]) {
      try {
        const r = await httpRequest({ host: where.get(port), port, path: '/healthz', timeoutMs: 1000 });
        if (r.status === 200) pending.delete(port);
      } catch { /* not listening yet */ }
    }
    if (pending.size) await sleep(25);
  }

  // default-app.json: created on first start of an empty store; with a shared
  // store (opts.storeUrl) it may legitimately be elsewhere.
  const file = path.join(dataDir, 'default-app.json');
  for (;;) {
    try { srv.defaultApp = JSON.parse(fs.readFileSync(file, 'utf8')); break; } catch (e) {
      if (e.code !== 'ENOENT' && !(e instanceof SyntaxError)) throw e;
      if (opts.storeUrl) break;
      if (Date.now() > deadline) await fail(`${file} missing or invalid`);
      await sleep(25);
    }
  }
  return srv;
}

/**
 * Run `userd ARGS...` with the same store settings as srv.
 * @param {{env:object}} srv @param {...string} args
 * @returns {{status:number|null, stdout:string, stderr:string}}
 */
export function userdCli(srv, ...args) {
  const env = userdEnv({ USERD_STORE_URL: srv.env.USERD_STORE_URL, USERD_DATA_DIR: srv.env.USERD_DATA_DIR });
  const r = spawnSync(srv.bin || USERD_BIN, args, { env, encoding: 'utf8', timeout: 15000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs one SQL statement on srv's store (or a {storeUrl}) with the back end's
 * own client, sqlite3 or psql, and returns its output trimmed: one line per
 * row, columns separated by '|'. For reading back what no API shows (and for
 * filling tables no API writes yet). Both clients print booleans stored as
 * integers as 0/1 and NULL as an empty string.
 * @param {{storeUrl:string}} srv @param {string} sql @returns {string}
 */
export function storeQuery(srv, sql) {
  const url = srv.storeUrl;
  if (url.startsWith('sqlite:')) {
    return execFileSync('sqlite3', ['-cmd', '.timeout 5000', url.slice('sqlite:'.length), sql],
      { encoding: 'utf8', timeout: 15000 }).trim();
  }
  return execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8', timeout: 15000 }).trim();
}

/**
 * `userd app create NAME --json` against srv's store.
 * @returns {{app_id:string, name:string, access_key:string, secret_key:string, admin_token:string}}
 */
export function createApp(srv, name) {
  const env = userdEnv({ USERD_STORE_URL: srv.env.USERD_STORE_URL, USERD_DATA_DIR: srv.env.USERD_DATA_DIR });
  const out = execFileSync(srv.bin || USERD_BIN, ['app', 'create', name, '--json'], { env, encoding: 'utf8', timeout: 15000 });
  return JSON.parse(out);
}

// ---------------------------------------------------------------- IM face

/**
 * IM-face client: sends `app_id` and (when given) `access-token` headers.
 * req(): body is JSON-encoded; `raw` (a string, or true to send body as is)
 * sends a raw body; query is an object (arrays repeat the key); a header set
 * to null is omitted (e.g. `{app_id: null}`); timeoutMs as httpRequest's.
 * @param {{im:number}} srv @param {{app_id:string}} app @param {string} [token]
 */
export function imClient(srv, app, token) {
  const agent = newAgent();
  return {
    agent,
    close: () => agent.destroy(),
    req(method, p, { body, query, headers, raw, timeoutMs } = {}) {
      let data;
      if (typeof raw === 'string') data = raw;
      else if (raw) data = body;
      else if (body !== undefined) data = JSON.stringify(body);
      return httpRequest({
        port: srv.im, method, path: withQuery(p, query), agent, body: data, timeoutMs,
        headers: {
          app_id: app?.app_id, 'access-token': token,
          ...(data != null ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
        },
      });
    },
  };
}

// ---------------------------------------------------------------- live face

/**
 * Live-face client, signed by the official SDK (`Qiniu AK:sign`).
 * req(method, pathWithQuery, {body, headers, signWith, tamperBody, authorization, contentType}):
 * body objects are JSON-encoded; X-Qiniu-* headers are signed; signWith
 * ({access_key, secret_key}) signs with other keys; tamperBody (string or
 * fn(body)) replaces the body after signing; authorization (string, or null to
 * omit) replaces the header. Signs the port-less URL with Host 127.0.0.1
 * (SDK bug with ports, see spec/NOTES.md).
 * @param {{live:number}} srv @param {{access_key:string, secret_key:string}} app
 */
export function liveClient(srv, app) {
  const agent = newAgent();
  return {
    agent,
    close: () => agent.destroy(),
    req(method, pathWithQuery, o = {}) {
      const ct = o.contentType ?? 'application/json';
      const body = o.body === undefined ? '' : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      const keys = o.signWith || app;
      const mac = new qiniu.auth.digest.Mac(keys.access_key, keys.secret_key);
      let auth = qiniu.util.generateAccessTokenV2(mac, 'http://127.0.0.1' + pathWithQuery, method, ct, body, o.headers);
      if ('authorization' in o) auth = o.authorization;
      let sent = body;
      if (o.tamperBody !== undefined) sent = typeof o.tamperBody === 'function' ? o.tamperBody(body) : o.tamperBody;
      return httpRequest({
        port: srv.live, method, path: pathWithQuery, agent, body: sent === '' ? undefined : sent,
        headers: { Host: '127.0.0.1', 'Content-Type': ct, Authorization: auth, ...o.headers },
      });
    },
  };
}

// ---------------------------------------------------------------- app face

/**
 * Parse one Set-Cookie header value.
 * @param {string} line @returns {{name:string, value:string, attrs:object}}
 */
export function parseSetCookie(line) {
  const [pair, ...rest] = line.split(';');
  const eq = pair.indexOf('=');
  const attrs = {};
  for (const a of rest) {
    const i = a.indexOf('=');
    const k = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
    if (k) attrs[k] = i < 0 ? true : a.slice(i + 1).trim();
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attrs };
}

/** Minimal cookie jar (one host): stores, expires (Max-Age<=0 or past Expires) and renders cookies. */
export class CookieJar {
  constructor() { this.cookies = new Map(); }
  /** @param {string[]|string|undefined} setCookie Set-Cookie header(s) */
  update(setCookie) {
    for (const line of [].concat(setCookie || [])) {
      const c = parseSetCookie(line);
      if (!c.name) continue;
      const maxAge = c.attrs['max-age'] !== undefined ? Number(c.attrs['max-age']) : undefined;
      const expired = maxAge !== undefined ? maxAge <= 0
        : c.attrs.expires ? Date.parse(c.attrs.expires) <= Date.now() : false;
      if (expired) this.cookies.delete(c.name); else this.cookies.set(c.name, c.value);
    }
  }
  get(name) { return this.cookies.get(name); }
  set(name, value) { this.cookies.set(name, value); }
  clear() { this.cookies.clear(); }
  /** @returns {string|undefined} the Cookie request header */
  header() {
    if (!this.cookies.size) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * App-face client with a cookie jar (client.jar). req() JSON-encodes objects
 * (strings are sent as is); resolves {status, headers, json, text, setCookie}.
 * @param {{app:number}} srv
 */
export function appClient(srv) {
  const agent = newAgent();
  const jar = new CookieJar();
  return {
    agent, jar,
    close: () => agent.destroy(),
    async req(method, p, { body, headers } = {}) {
      const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const r = await httpRequest({
        port: srv.app, method, path: p, agent, body: data,
        headers: {
          Cookie: jar.header(),
          ...(data != null ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
        },
      });
      r.setCookie = r.headers['set-cookie'] || [];
      jar.update(r.setCookie);
      return r;
    },
  };
}

// ---------------------------------------------------------------- SMS capture

/**
 * Fake SMS gateway for USERD_SMS_PROVIDER=http: records POSTed JSON
 * {region, phone, code}. failNext(status, n=1) answers the next n requests
 * with that status (not recorded).
 * @returns {Promise<{url:string, messages:object[], lastCode:(phone:string)=>string|undefined,
 *   waitCode:(phone:string, ms?:number)=>Promise<string>, failNext:(status:number, n?:number)=>void,
 *   close:()=>Promise<void>}>}
 */
export async function smsCapture() {
  const messages = [];
  let failures = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (failures.length) { res.writeHead(failures.shift()); res.end('fail'); return; }
      let msg;
      try { msg = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch {
        res.writeHead(400); res.end('bad json'); return;
      }
      messages.push(msg);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const lastCode = (phone) => messages.filter((m) => String(m.phone) === String(phone)).at(-1)?.code;
  return {
    url: `http://127.0.0.1:${server.address().port}/sms`,
    messages,
    lastCode,
    async waitCode(phone, ms = 3000) {
      const end = Date.now() + ms;
      for (;;) {
        const c = lastCode(phone);
        if (c !== undefined) return c;
        if (Date.now() > end) throw new Error(`no SMS for ${phone}`);
        await sleep(25);
      }
    },
    failNext(status, n = 1) { failures = failures.concat(Array(n).fill(status)); },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
