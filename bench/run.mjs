#!/usr/bin/env node
// `make bench`: measures userd against the machine's own ceiling (nginx
// `return 200` under the same load) with wrk on loopback, and writes a table
// on stdout and a JSON file under bench/results/. docs/performance.md explains
// the method and holds the latest figures.
//
//   node bench/run.mjs [--users N] [--duration S] [--warmup S] [--connections C]
//                      [--threads T] [--scaling 10000,1000000 | --no-scaling]
//                      [--check] [--keep] [--bin build/userd] [--tool build/bench/benchtool]
//                      [--only compression]   (just phase (8), on a store of --users)
//                      [--only console]   (just phase (10), the console's user search, on the largest --scaling store)
//                      [--only pg]   (just (2), (5) on SQLite and (2pg), (5pg) on a throwaway PostgreSQL)
//                      [--pg-threads 2,4,8,16]   (http.threads for (2pg), (5pg), two rounds alternating; default: userd's)
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fairShare } from './fairshare.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LUA = path.join(REPO, 'bench/lua');
const PASSWORD = 'bench-password-1';

// ------------------------------------------------------------------ options

function parseArgs(argv) {
  const o = {
    users: 100000, duration: 10, warmup: 3, connections: 64, threads: 2,
    scaling: [10000, 1000000], check: false, keep: false, only: null, pgThreads: null,
    bin: path.join(REPO, 'build/userd'), tool: path.join(REPO, 'build/bench/benchtool'),
    out: path.join(REPO, 'bench/results'),
  };
  const num = (v, name, min) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} wants an integer >= ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => { if (i + 1 >= argv.length) throw new Error(`${a} wants a value`); return argv[++i]; };
    switch (a) {
      case '--users': o.users = num(v(), a, 1); break;
      case '--duration': o.duration = num(v(), a, 1); break;
      case '--warmup': o.warmup = num(v(), a, 0); break;
      case '--connections': o.connections = num(v(), a, 1); break;
      case '--threads': o.threads = num(v(), a, 1); break;
      case '--scaling': o.scaling = v().split(',').map((x) => num(x, a, 1)); break;
      case '--no-scaling': o.scaling = []; break;
      case '--check': o.check = true; break;
      case '--only': o.only = v(); if (!['compression', 'console', 'pg'].includes(o.only)) throw new Error('--only takes: compression, console, pg'); break;
      case '--pg-threads': o.pgThreads = v().split(',').map((x) => num(x, a, 1)); break;
      case '--keep': o.keep = true; break;
      case '--bin': o.bin = path.resolve(v()); break;
      case '--tool': o.tool = path.resolve(v()); break;
      case '--out': o.out = path.resolve(v()); break;
      case '-h': case '--help':
        console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 12)
          .map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
        process.exit(0);
      default: throw new Error(`unknown option ${a} (see --help)`);
    }
  }
  return o;
}

// ------------------------------------------------------------------ processes

const children = new Set();
const tempDirs = [];
let keepTemp = false;
function cleanup() {
  for (const c of children) {
    try { if (c.group) process.kill(-c.pid, 'SIGKILL'); else c.kill('SIGKILL'); } catch {}
  }
  if (!keepTemp) for (const d of tempDirs) { try { fs.rmSync(d, { recursive: true, force: true }); } catch {} }
}
process.on('exit', cleanup);
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => { cleanup(); process.exit(130); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.error('[bench]', ...a);

function tempDir(tag) {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `userd-bench-${tag}-`));
  tempDirs.push(d);
  return d;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function spawnChild(cmd, args, opts) {
  const p = spawn(cmd, args, opts);
  p.group = !!opts.detached; /* its own process group: stopped with everything it started */
  children.add(p);
  p.exited = new Promise((r) => p.on('exit', (code, sig) => { children.delete(p); r(code ?? sig); }));
  p.on('error', (e) => { children.delete(p); p.spawnError = e; });
  return p;
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU seconds the whole machine has spent busy (not idle or waiting), from /proc/stat. */
function machineBusy() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return (user + nice + system + irq + softirq + (steal || 0)) / CLK_TCK;
}

/** utime + stime of a process (all its threads), in seconds. */
function cpuSeconds(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK; // fields 14 and 15 of stat(5)
  } catch { return 0; }
}

/** VmRSS, VmHWM, RssAnon, RssFile of a process, in KiB. */
function memKiB(pid) {
  const out = {};
  try {
    for (const line of fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
      const m = line.match(/^(VmRSS|VmHWM|RssAnon|RssFile|RssShmem):\s+(\d+) kB/);
      if (m) out[m[1]] = Number(m[2]);
    }
  } catch {}
  return out;
}

// ------------------------------------------------------------------ HTTP

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(port, method, p, headers = {}, body = null) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (body != null) h['Content-Length'] = Buffer.byteLength(body);
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers: h, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json; try { json = JSON.parse(text); } catch {}
        resolve({ status: res.statusCode, text, json, headers: res.headers });
      });
      res.on('error', reject);
    });
    req.setTimeout(10000, () => req.destroy(new Error(`timeout ${method} ${p}`)));
    req.on('error', reject);
    if (body != null) req.write(body);
    req.end();
  });
}

// ------------------------------------------------------------------ userd

function userdDefaults(bin) {
  const help = run(bin, ['--help']);
  const get = (key) => {
    const m = help.match(new RegExp(`--${key.replace('.', '\\.')}\\s+\\S+\\s+\\[([^\\]]*)\\]`));
    if (!m) throw new Error(`userd --help does not show ${key}`);
    return m[1];
  };
  return { opslimit: Number(get('password.opslimit')), memlimitKiB: Number(get('password.memlimit_kib')),
    cookie: get('session.cookie') };
}

/** The environment for userd: none of the caller's USERD_* settings, then ours. */
function userdEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('USERD_')) env[k] = v;
  return Object.assign(env, extra);
}

/**
 * Starts `userd serve` on the store in dir, stderr (the access log) to
 * dir/userd.log. Resolves once every face answers /healthz.
 */
async function startUserd(bin, dir, extraEnv = {}) {
  const ports = { im: await freePort(), live: await freePort(), app: await freePort() };
  const logFd = fs.openSync(path.join(dir, 'userd.log'), 'a');
  const p = spawnChild(bin, ['serve'], {
    env: userdEnv({
      USERD_STORE_URL: `sqlite:${path.join(dir, 'userd.db')}`,
      USERD_DATA_DIR: dir,
      USERD_IM_LISTEN: `127.0.0.1:${ports.im}`,
      USERD_LIVE_LISTEN: `127.0.0.1:${ports.live}`,
      USERD_APP_LISTEN: `127.0.0.1:${ports.app}`,
      USERD_OPS_LISTEN: 'off', // counters still count: the listener only reads them
      ...extraEnv,
    }),
    stdio: ['ignore', logFd, logFd],
  });
  fs.closeSync(logFd);
  const deadline = Date.now() + 30000;
  for (const port of Object.values(ports)) {
    for (;;) {
      if (p.exitCode != null || p.spawnError) throw new Error(`userd did not start; see ${dir}/userd.log`);
      try { if ((await request(port, 'GET', '/healthz')).status === 200) break; } catch {}
      if (Date.now() > deadline) throw new Error(`userd did not answer /healthz; see ${dir}/userd.log`);
      await sleep(50);
    }
  }
  return { proc: p, pid: p.pid, ports, dir };
}

async function stopUserd(u) {
  u.proc.kill('SIGTERM');
  const code = await Promise.race([u.proc.exited, sleep(15000).then(() => 'timeout')]);
  if (code === 'timeout') { u.proc.kill('SIGKILL'); await u.proc.exited; }
}

/**
 * Phase 8: the console's user search (docs/console.md) on store s, by every
 * kind of id, through the ops listener as the page asks it: `clients`
 * requests in flight, `per` requests per kind, each for a random account.
 * Target: p99 under 50 ms on 1,000,000 accounts (issue 15).
 */
async function consoleSearch(o, s, { clients = 4, per = 2000 } = {}) {
  const ops = await freePort();
  const env = userdEnv({ USERD_STORE_URL: `sqlite:${path.join(s.dir, 'userd.db')}`, USERD_DATA_DIR: s.dir });
  const password = run(o.bin, ['operator', 'add', 'bench'], { env }).trim();
  const u = await startUserd(o.bin, s.dir, { USERD_OPS_LISTEN: `127.0.0.1:${ops}`, USERD_LOG_ACCESS: 'false' });
  try {
    const login = await request(ops, 'POST', '/console/api/login', { 'Content-Type': 'application/json' },
      JSON.stringify({ name: 'bench', password }));
    if (login.status !== 200) throw new Error(`console login: ${login.status} ${login.text}`);
    const cookie = { Cookie: String(login.headers['set-cookie']).split(';')[0] };
    const users = (q) => `/console/api/apps/${s.app.app_id}/users?${new URLSearchParams(q)}`;
    const rnd = () => 1 + Math.floor(Math.random() * s.n);
    const appface = async (id) => (await request(ops, 'GET', users({ by: 'id', q: id }), cookie)).json.users[0].appface_id;
    const kinds = [
      ['id', async () => ({ by: 'id', q: rnd() }), 1],
      ['username', async () => ({ by: 'username', q: `u${rnd()}` }), 1],
      ['nick prefix', async () => ({ by: 'nick', q: `nick${rnd()}`.slice(0, 8) }), null], // nickNNNN: 111 accounts or so
      ['mobile', async () => ({ by: 'mobile', q: `13${String(rnd()).padStart(9, '0')}` }), 1],
      ['live user_id', async () => ({ by: 'live', q: `lu${rnd()}` }), 1],
      ['app-face id', async () => ({ by: 'appface', q: await appface(rnd()) }), 1],
      ['all, page 1', async () => ({ by: 'all', q: '' }), 50],
    ];
    const out = [];
    for (const [name, query, want] of kinds) {
      const qs = [];
      for (let i = 0; i < per; i++) qs.push(await query());
      for (const q of qs.slice(0, 100)) await request(ops, 'GET', users(q), cookie); // warm-up, not counted
      const lat = [];
      let errors = 0, next = 0;
      const worker = async () => {
        while (next < qs.length) {
          const q = qs[next++];
          const t0 = process.hrtime.bigint();
          const r = await request(ops, 'GET', users(q), cookie);
          lat.push(Number(process.hrtime.bigint() - t0) / 1e3);
          if (r.status !== 200 || (want != null && r.json.users.length !== want) || (want == null && !r.json.users.length)) errors++;
        }
      };
      await Promise.all(Array.from({ length: clients }, worker));
      lat.sort((a, b) => a - b);
      const pct = (p) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))];
      out.push({ kind: name, requests: lat.length, errors, p50_us: pct(50), p99_us: pct(99), max_us: lat[lat.length - 1] });
      log(`(10) console search by ${name}: p50 ${(pct(50) / 1000).toFixed(2)} ms, p99 ${(pct(99) / 1000).toFixed(2)} ms, ${errors} errors`);
    }
    return { users: s.n, clients, rows: out };
  } finally { await stopUserd(u); }
}

/** A fresh store with n preloaded accounts (benchtool preload). */
async function makeStore(o, n, defaults) {
  const dir = tempDir(`${n}`);
  const u = await startUserd(o.bin, dir); // migrations, default app, default-app.json
  await stopUserd(u);
  const app = JSON.parse(fs.readFileSync(path.join(dir, 'default-app.json'), 'utf8'));
  const seed = crypto.randomBytes(6).toString('hex');
  log(`preloading ${n} accounts...`);
  const r = JSON.parse(run(o.tool, ['preload', path.join(dir, 'userd.db'), String(n), seed, PASSWORD,
    String(defaults.opslimit), String(defaults.memlimitKiB)]));
  const size = fs.statSync(path.join(dir, 'userd.db')).size;
  log(`preloaded ${n} accounts in ${r.seconds.toFixed(1)} s (${(size / 1048576).toFixed(0)} MiB)`);
  return { dir, n, seed, app, preloadSeconds: r.seconds, dbBytes: size };
}

// ------------------------------------------------------------------ nginx

function findNginx() {
  for (const p of ['/usr/sbin/nginx', '/usr/bin/nginx']) if (fs.existsSync(p)) return p;
  throw new Error('nginx not found (scripts/deps.sh bench installs nginx-light)');
}

async function startNginx(workers, body) {
  const dir = tempDir('nginx');
  const port = await freePort();
  const conf = `worker_processes ${workers};
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  keepalive_requests 100000000;
  keepalive_timeout 75s;
  server {
    listen 127.0.0.1:${port};
    location / { default_type application/json; return 200 '${body}'; }
  }
}
`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const bin = findNginx();
  run(bin, ['-t', '-q', '-p', dir, '-c', path.join(dir, 'nginx.conf')]);
  const p = spawnChild(bin, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  const deadline = Date.now() + 10000;
  for (;;) {
    try { if ((await request(port, 'GET', '/')).status === 200) break; } catch {}
    if (p.exitCode != null || Date.now() > deadline) throw new Error(`nginx did not start (${dir}/error.log)`);
    await sleep(50);
  }
  return { proc: p, pid: p.pid, port, dir };
}

/** The master and its workers. */
function nginxPids(ng) {
  const pids = [ng.pid];
  try {
    for (const d of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === ng.pid) pids.push(Number(d));
      } catch {}
    }
  } catch {}
  return pids;
}

async function stopNginx(ng) {
  ng.proc.kill('SIGTERM');
  await Promise.race([ng.proc.exited, sleep(5000)]);
}

// ------------------------------------------------------------------ wrk

/**
 * Runs wrk with a script of bench/lua; resolves with the script's summary
 * plus the server CPU spent during the run (cpuPids: the server's processes).
 */
function wrk(o, { script, port, args, seconds, connections, cpuPids = [], dbPids = null }) {
  const cpu0 = cpuPids.reduce((s, p) => s + cpuSeconds(p), 0);
  // The database server's processes (PostgreSQL's backends come and go with userd's connections: listed now).
  const dbList = dbPids ? dbPids() : [];
  const db0 = dbList.reduce((s, p) => s + cpuSeconds(p), 0);
  const busy0 = machineBusy();
  const t0 = process.hrtime.bigint();
  const argv = [`-t${Math.min(o.threads, connections)}`, `-c${connections}`, `-d${seconds}s`, '--timeout', '5s',
    '-s', path.join(LUA, script), `http://127.0.0.1:${port}/`, '--', ...args.map(String)];
  // Through sh, which reports the CPU its child (wrk) used: the load generator's share of the machine.
  const p = spawnChild('sh', ['-c', 'wrk "$@"; s=$?; echo "WRKSTAT $(cat /proc/$$/stat)" >&2; exit $s', 'sh', ...argv], {
    env: { ...process.env, BENCH_LUA: LUA, BENCH_CHECK: o.check ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '', err = '';
  p.stdout.on('data', (c) => { out += c; });
  p.stderr.on('data', (c) => { err += c; });
  return p.exited.then((code) => {
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = cpuPids.reduce((s, q) => s + cpuSeconds(q), 0) - cpu0;
    const dbCpu = dbList.reduce((s, q) => s + cpuSeconds(q), 0) - db0;
    const busy = machineBusy() - busy0;
    const st = err.match(/WRKSTAT .*\) (.*)/);
    const client = st ? (Number(st[1].split(' ')[13]) + Number(st[1].split(' ')[14])) / CLK_TCK : null; // cutime + cstime
    err = err.replace(/WRKSTAT .*\n?/, '');
    const line = out.split('\n').find((l) => l.startsWith('BENCH '));
    if (code !== 0 || !line) throw new Error(`wrk ${argv.join(' ')} failed (${code}): ${err}${out}`);
    const r = JSON.parse(line.slice(6));
    const e = r.errors;
    r.error_count = e.connect + e.read + e.write + e.status + e.timeout + e.bad;
    r.all_rps = r.requests / (r.duration_us / 1e6);
    // Answers that were errors (HTTP >= 400, or a failed body check) do not count as served.
    r.rps = (r.requests - e.status - e.bad) / (r.duration_us / 1e6);
    r.server_cpu_pct = (100 * cpu) / wall;
    r.server_cpu_us_per_req = r.requests ? (cpu * 1e6) / r.requests : null;
    r.client_cpu_pct = client == null ? null : (100 * client) / wall;
    if (dbPids) {
      r.db_cpu_pct = (100 * dbCpu) / wall;
      r.db_cpu_us_per_req = r.requests ? (dbCpu * 1e6) / r.requests : null;
    }
    // What else ran on the machine meanwhile (other programs): figures are low when this is not near 0.
    r.other_cpu_pct = client == null ? null : Math.max(0, (100 * (busy - cpu - dbCpu - client)) / wall);
    return r;
  });
}

/**
 * Waits until the server's processes are idle (under 5% of a core over
 * 200 ms, at most 15 s): work a finished wrk left behind (logins queued for
 * connections it closed) must not run into the next measurement.
 */
async function settle(pids) {
  const deadline = Date.now() + 15000;
  for (;;) {
    const c0 = pids.reduce((s, p) => s + cpuSeconds(p), 0);
    await sleep(200);
    const c1 = pids.reduce((s, p) => s + cpuSeconds(p), 0);
    if (c1 - c0 < 0.01 || Date.now() > deadline) return;
  }
}

/** Warm-up (discarded), then the measured run, each on an idle server. */
async function measure(o, spec) {
  if (o.warmup > 0) {
    await settle(spec.cpuPids);
    await wrk(o, { ...spec, seconds: o.warmup });
  }
  await settle(spec.cpuPids);
  return wrk(o, { ...spec, seconds: o.duration });
}

// ------------------------------------------------------------------ probes

const imHeaders = (st, id) => ({ app_id: st.app.app_id, 'access-token': `bench-${st.seed}-${id}` });

/** Checks that an endpoint exists and answers a preloaded user as the load will; 'missing' when not routed. */
async function probe(port, method, p, headers, body, ok) {
  let r;
  try { r = await request(port, method, p, headers, body); } catch (e) { return { state: 'error', why: e.message }; }
  if (ok(r)) return { state: 'ok' };
  const j = r.json;
  if (r.status === 404 || r.status === 405 || (j && (j.code === 404 || j.code === 405))) return { state: 'missing', why: `${r.status} ${r.text.slice(0, 120)}` };
  return { state: 'error', why: `${r.status} ${r.text.slice(0, 200)}` };
}

function liveSign(sk, method, p, host) {
  const mac = crypto.createHmac('sha1', sk).update(`${method} ${p}\nHost: ${host}\n\n`).digest('base64');
  return mac.replace(/\+/g, '-').replace(/\//g, '_');
}

/** Signed requests for a sample of users, one "path<TAB>Authorization" a line, for live_info.lua. */
function writeLiveRequests(st, port, count) {
  const host = `127.0.0.1:${port}`;
  const lines = [];
  for (let i = 0; i < count; i++) {
    const id = 1 + crypto.randomInt(st.n);
    const p = `/server/user/info/lu${id}`;
    lines.push(`${p}\tQiniu ${st.app.access_key}:${liveSign(st.app.secret_key, 'GET', p, host)}`);
  }
  const file = path.join(st.dir, 'live-requests.tsv');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const mobileOf = (id) => `13${String(id).padStart(9, '0')}`; // as benchtool preloads them

/**
 * The app face's opaque ids of a sample of users, one a line, for
 * app_user.lua: asked of the service itself (GET /user/find/86/<mobile>),
 * which alone knows its id permutation key.
 */
async function writeAppTargets(st, port, cookie, count) {
  const ids = [];
  for (let i = 0; i < count; i += 32) {
    const batch = [];
    for (let k = i; k < Math.min(count, i + 32); k++) {
      const id = 1 + crypto.randomInt(st.n);
      batch.push(request(port, 'GET', `/user/find/86/${mobileOf(id)}`, cookie(1 + (k % st.n))).then((r) => {
        if (!(r.json && r.json.code === 200 && r.json.result?.id)) throw new Error(`GET /user/find failed: ${r.status} ${r.text}`);
        ids.push(r.json.result.id);
      }));
    }
    await Promise.all(batch);
  }
  const file = path.join(st.dir, 'app-targets.txt');
  fs.writeFileSync(file, ids.join('\n') + '\n');
  return file;
}

// ------------------------------------------------------------------ compression

/**
 * (8) The cost and the gain of gzip (answers over 1 KiB, src/http/gzip.c):
 * the app face's GET /user/batch for 100 users, without and with
 * Accept-Encoding: gzip. Adds two rows; each has bytes_per_answer (headers
 * included, as wrk counts them).
 */
async function compression(o, st, u, defaults, phase) {
  const cookie = (id) => ({ Cookie: `${defaults.cookie}=sess-${st.seed}-${id}` });
  const targets = fs.readFileSync(await writeAppTargets(st, u.ports.app, cookie, Math.min(st.n, 100)), 'utf8').trim().split('\n');
  const query = targets.map((id) => `id=${id}`).join('&');
  const file = path.join(st.dir, 'app-batch.txt');
  fs.writeFileSync(file, query + '\n');
  const plain = await request(u.ports.app, 'GET', `/user/batch?${query}`, cookie(1));
  // Ids are drawn with replacement, and the route leaves repeats out: nearly 100 users.
  if (!(plain.json && plain.json.code === 200 && plain.json.result.length > 90))
    throw new Error(`GET /user/batch failed: ${plain.status} ${plain.text.slice(0, 200)}`);
  // Each variant twice, alternately; the run with the least server CPU a request counts (as scaling's best):
  // the difference sought is tens of microseconds, and one run can be unlucky.
  const runs = [[], []];
  for (let round = 0; round < 2; round++) {
    for (const gzip of [0, 1]) {
      const r = await measure(o, { connections: o.connections, script: 'app_batch.lua', port: u.ports.app,
        args: [file, st.seed, st.n, defaults.cookie, gzip], cpuPids: [u.pid] });
      r.bytes_per_answer = r.requests ? r.bytes / r.requests : null;
      runs[gzip].push(r);
    }
  }
  const rows = runs.map((rs, gzip) => {
    const best = rs.reduce((a, b) => (b.server_cpu_us_per_req < a.server_cpu_us_per_req ? b : a));
    return Object.assign(phase(gzip ? '8b' : '8a', `app GET /user/batch, ${plain.json.result.length} users, ${gzip ? 'gzip' : 'identity'}`,
      { target: '(reference)' }), best, { runs: rs.map((x) => ({ rps: x.rps, cpu_us_per_req: x.server_cpu_us_per_req, other_cpu_pct: x.other_cpu_pct })) });
  });
  rows[1].vs_identity = { rps: rows[1].rps / rows[0].rps, bytes: rows[1].bytes_per_answer / rows[0].bytes_per_answer,
    cpu_us_per_req: rows[1].server_cpu_us_per_req / rows[0].server_cpu_us_per_req };
  return rows;
}

/** The report's line for (8). */
function compressionLine([a, b]) {
  return `compression: GET /user/batch (100 users) ${fmt(a.bytes_per_answer)} B an answer plain, ${fmt(b.bytes_per_answer)} B gzip `
    + `(${(100 * b.vs_identity.bytes).toFixed(0)}%); ${fmt(a.rps)} vs ${fmt(b.rps)} req/s (${(100 * b.vs_identity.rps).toFixed(0)}%); `
    + `server CPU ${fmt(a.server_cpu_us_per_req, 1)} vs ${fmt(b.server_cpu_us_per_req, 1)} us a request; `
    + `${fmt((a.bytes_per_answer * a.rps) / 1048576, 1)} vs ${fmt((b.bytes_per_answer * b.rps) / 1048576, 1)} MiB/s sent`;
}

/** `--only compression`: a store, a server, phase (8), its report. */
async function onlyCompression(o, result, defaults) {
  const st = await makeStore(o, o.users, defaults);
  const u = await startUserd(o.bin, st.dir);
  const phase = (id, name, extra) => { const r = { id, name, ...extra }; result.phases.push(r); return r; };
  log('(8) compression...');
  const rows = await compression(o, st, u, defaults, phase);
  await stopUserd(u);
  return [table(result.phases), '', compressionLine(rows)];
}

// ------------------------------------------------------------------ PostgreSQL

/**
 * A throwaway PostgreSQL cluster (scripts/pg.sh, as scripts/pg_test.sh uses
 * it), with fsync and the memory settings of a default cluster
 * (PG_SH_DURABLE=1): reads do not care, but writes would be flattered.
 * It is stopped and deleted by stopPg, and by the exit handler whatever
 * happens.
 */
const pgClusters = new Set();
function stopPgSync(dir) {
  if (!pgClusters.delete(dir)) return;
  const r = spawnSync(path.join(REPO, 'scripts/pg.sh'), ['stop', dir], { encoding: 'utf8' });
  if (r.status !== 0) log(`pg.sh stop ${dir} failed: ${r.stderr}`);
}
process.on('exit', () => { for (const d of [...pgClusters]) stopPgSync(d); });

function startPg() {
  const dir = fs.mkdtempSync('/tmp/userd-bench-pg-'); // the postgres user must reach it: not under $TMPDIR
  pgClusters.add(dir);
  const admin = run(path.join(REPO, 'scripts/pg.sh'), ['start', dir], { env: { ...process.env, PG_SH_DURABLE: '1' } }).trim();
  run('psql', ['-X', '-q', '-d', admin, '-c', 'CREATE DATABASE userd_bench']);
  const postmaster = Number(fs.readFileSync(path.join(dir, 'data/postmaster.pid'), 'utf8').split('\n')[0]);
  const version = run('psql', ['-X', '-A', '-t', '-d', admin, '-c', 'SHOW server_version']).trim();
  const settings = Object.fromEntries(run('psql', ['-X', '-A', '-t', '-F', '=', '-d', admin, '-c',
    "SELECT name, setting FROM pg_settings WHERE name IN ('fsync','full_page_writes','synchronous_commit','shared_buffers','max_connections','wal_level')"])
    .trim().split('\n').map((l) => l.split('=')));
  return { dir, admin, url: admin.replace(/\/postgres$/, '/userd_bench'), postmaster, version, settings };
}

/** The postmaster and its children (backends, writers), at this moment. */
function pgPids(pg) {
  const pids = [pg.postmaster];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]) === pg.postmaster) pids.push(Number(d));
    } catch {}
  }
  return pids;
}

/**
 * (2pg) and (5pg): (2) and (5) against one userd on a PostgreSQL store of
 * as many accounts, preloaded the same way, over TCP on loopback. With
 * --pg-threads, each thread count in turn, two rounds alternately; else
 * userd's default for a PostgreSQL store. ref: the SQLite rows (2) and (5)
 * of this run, for the ratios.
 */
async function pgPhases(o, defaults, phase, ref, result) {
  log('PostgreSQL: starting a throwaway cluster...');
  const pg = startPg();
  try {
    const dir = tempDir('pg-data');
    const env = { USERD_STORE_URL: pg.url };
    const u0 = await startUserd(o.bin, dir, env); // migrations, default app, default-app.json
    await stopUserd(u0);
    const app = JSON.parse(fs.readFileSync(path.join(dir, 'default-app.json'), 'utf8'));
    const seed = crypto.randomBytes(6).toString('hex');
    log(`preloading ${o.users} accounts into PostgreSQL...`);
    const pre = JSON.parse(run(o.tool, ['preload', pg.url, String(o.users), seed, PASSWORD,
      String(defaults.opslimit), String(defaults.memlimitKiB)]));
    log(`preloaded ${o.users} accounts in ${pre.seconds.toFixed(1)} s`);
    const st = { dir, n: o.users, seed, app };
    result.postgresql = { version: pg.version, settings: pg.settings, preload_seconds: pre.seconds, runs: [] };
    const counts = o.pgThreads || [null];
    const rounds = counts.length > 1 ? 2 : 1;
    const rowsOf = new Map();
    for (let round = 0; round < rounds; round++) {
      for (const t of counts) {
        const u = await startUserd(o.bin, dir, t == null ? env : { ...env, USERD_HTTP_THREADS: String(t) });
        try {
          const tag = t == null ? '' : ` (http.threads ${t})`;
          const sfx = t == null ? '' : `@${t}`;
          const spec = { connections: o.connections, port: u.ports.im, args: [app.app_id, seed, st.n], cpuPids: [u.pid], dbPids: () => pgPids(pg) };
          const r2 = await probe(u.ports.im, 'GET', '/user/profile', imHeaders(st, 1), null, (r) => r.status === 200 && r.json && r.json.code === 200);
          if (r2.state !== 'ok') throw new Error(`PostgreSQL: GET /user/profile with a preloaded token failed: ${r2.why}`);
          log(`(2pg) IM GET /user/profile on PostgreSQL${tag}, round ${round + 1}...`);
          const reads = await measure(o, { ...spec, script: 'im_profile.lua' });
          const r5 = await probe(u.ports.im, 'POST', '/user/settings', { ...imHeaders(st, 2), 'Content-Type': 'application/json' },
            '{"push_nick_name":"probe"}', (r) => r.status === 200 && r.json && r.json.code === 200);
          if (r5.state !== 'ok') throw new Error(`PostgreSQL: POST /user/settings failed: ${r5.why}`);
          log(`(5pg) IM POST /user/settings on PostgreSQL${tag}, round ${round + 1}...`);
          const writes = await measure(o, { ...spec, script: 'im_settings.lua' });
          const threads = t ?? null;
          result.postgresql.runs.push({ round: round + 1, http_threads: threads, reads, writes });
          for (const [id, name, r, base, target] of [
            [`2pg${sfx}`, `IM GET /user/profile, PostgreSQL${tag}`, reads, ref.reads, '>=50% of (2)'],
            [`5pg${sfx}`, `IM POST /user/settings, PostgreSQL${tag}`, writes, ref.writes, '(reference: vs (5))']]) {
            r.vs_sqlite = base?.rps ? r.rps / base.rps : null;
            const prev = rowsOf.get(id);
            if (!prev) rowsOf.set(id, Object.assign(phase(id, name, { target, http_threads: threads, runs: [] }), r));
            const row = rowsOf.get(id);
            row.runs.push({ rps: r.rps, p99_us: r.latency_us.p99, cpu_us_per_req: r.server_cpu_us_per_req,
              db_cpu_us_per_req: r.db_cpu_us_per_req, other_cpu_pct: r.other_cpu_pct });
            if (prev && r.rps > prev.rps) { const runs = row.runs; Object.assign(row, r, { runs }); } // the best run counts
          }
        } finally { await stopUserd(u); }
      }
    }
    return [...rowsOf.values()];
  } finally { stopPgSync(pg.dir); }
}

/** The report's lines for the PostgreSQL rows. */
function pgLines(result, rows) {
  const p = result.postgresql;
  if (!p) return [];
  const out = [`PostgreSQL ${p.version} (throwaway cluster, TCP on loopback; ${Object.entries(p.settings).map(([k, v]) => `${k}=${v}`).join(', ')}); preload ${p.preload_seconds.toFixed(1)} s`];
  for (const r of rows.filter((x) => /pg/.test(String(x.id)))) {
    const runs = r.runs.length > 1 ? ` (best of ${r.runs.map((x) => fmt(x.rps)).join(', ')})` : '';
    out.push(`(${r.id}): ${fmt(r.rps)} req/s${runs} = ${r.vs_sqlite == null ? '-' : (100 * r.vs_sqlite).toFixed(1)}% of SQLite's (${r.id.startsWith('2') ? '2' : '5'})`
      + `${r.id.startsWith('2') ? ' (target >= 50%)' : ' (reference)'}, p99 ${ms(r.latency_us.p99)} ms, userd ${fmt(r.server_cpu_us_per_req, 1)} + postgres ${fmt(r.db_cpu_us_per_req, 1)} CPU us a request`);
  }
  return out;
}

/** `--only pg`: (2) and (5) on SQLite, then the PostgreSQL phases, their report. */
async function onlyPg(o, result, defaults) {
  const st = await makeStore(o, o.users, defaults);
  const u = await startUserd(o.bin, st.dir);
  const phase = (id, name, extra) => { const r = { id, name, ...extra }; result.phases.push(r); return r; };
  const spec = { connections: o.connections, port: u.ports.im, args: [st.app.app_id, st.seed, st.n], cpuPids: [u.pid] };
  let reads, writes;
  try {
    log('(2) IM GET /user/profile...');
    reads = Object.assign(phase(2, 'IM GET /user/profile', { target: '(reference)' }), await measure(o, { ...spec, script: 'im_profile.lua' }));
    log('(5) IM POST /user/settings...');
    writes = Object.assign(phase(5, 'IM POST /user/settings', { target: '(reference)' }), await measure(o, { ...spec, script: 'im_settings.lua' }));
  } finally { await stopUserd(u); }
  fs.rmSync(st.dir, { recursive: true, force: true });
  await pgPhases(o, defaults, phase, { reads, writes }, result);
  return [table(result.phases), '', ...pgLines(result, result.phases)];
}

// ------------------------------------------------------------------ durability

/**
 * Every acknowledged write survives a process crash: a few writers each own a
 * user and write 1, 2, 3... into its push_nick_name, one request at a time;
 * userd is killed with SIGKILL mid-stream and restarted; each user must hold
 * its last acknowledged value (or the one in flight at the kill).
 */
async function durability(o, st, u) {
  const writers = 32, ids = Array.from({ length: writers }, (_, i) => 1 + ((i * 7919) % st.n));
  const acked = new Map(ids.map((id) => [id, 0]));
  let stop = false, errors = 0;
  const loops = ids.map(async (id) => {
    for (let v = 1; !stop; v++) {
      try {
        const r = await request(u.ports.im, 'POST', '/user/settings',
          { ...imHeaders(st, id), 'Content-Type': 'application/json' }, JSON.stringify({ push_nick_name: `d${v}` }));
        if (r.status === 200 && r.json && r.json.code === 200) acked.set(id, v);
        else if (!stop) errors++;
      } catch { return; } // the kill
    }
  });
  await sleep(2000);
  u.proc.kill('SIGKILL');
  await u.proc.exited;
  stop = true;
  await Promise.all(loops);
  const u2 = await startUserd(o.bin, st.dir);
  let lost = 0, checked = 0, total = 0;
  for (const id of ids) {
    const r = await request(u2.ports.im, 'GET', '/user/settings', imHeaders(st, id));
    const got = Number(String(r.json?.data?.push_nick_name ?? '').replace(/^d/, '')) || 0;
    const want = acked.get(id);
    total += want;
    checked++;
    if (got !== want && got !== want + 1) { lost++; log(`durability: user ${id} has d${got}, acknowledged d${want}`); }
  }
  return { u: u2, result: { writers, acknowledged_writes: total, users_checked: checked, lost, errors_before_kill: errors } };
}

// ------------------------------------------------------------------ report

const fmt = (x, d = 0) => (x == null || Number.isNaN(x) ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const ms = (us) => (us == null ? '-' : (us / 1000).toFixed(2));

function table(rows) {
  // With PostgreSQL rows: the database server's CPU a request too, and the ratio to the SQLite row of the same run.
  const db = rows.some((r) => r.db_cpu_us_per_req != null);
  const head = ['#', 'measurement', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'server CPU', 'CPU us/req',
    ...(db ? ['db CPU us/req', 'vs SQLite'] : []), 'vs ceiling', 'target'];
  const body = rows.map((r) => r.state && r.state !== 'ok'
    ? [r.id, r.name, r.state === 'missing' ? 'not available' : 'failed', '', '', '', '', '', ...(db ? ['', ''] : []), '', r.why ? r.why.slice(0, 60) : '']
    : [r.id, r.name, fmt(r.rps), ms(r.latency_us?.p50), ms(r.latency_us?.p99), fmt(r.error_count),
      r.server_cpu_pct == null ? '-' : `${fmt(r.server_cpu_pct)}%`, fmt(r.server_cpu_us_per_req, 1),
      ...(db ? [fmt(r.db_cpu_us_per_req, 1), r.vs_sqlite == null ? '-' : `${(100 * r.vs_sqlite).toFixed(1)}%`] : []),
      r.vs_ceiling == null ? '-' : `${(100 * r.vs_ceiling).toFixed(1)}%`, r.target ?? '']);
  const all = [head, ...body];
  const w = head.map((_, i) => Math.max(...all.map((row) => String(row[i]).length)));
  const line = (row) => row.map((c, i) => (i >= 2 && i < head.length - 1 ? String(c).padStart(w[i]) : String(c).padEnd(w[i]))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(line)].join('\n');
}

function machine() {
  const cpus = os.cpus();
  const ver = (cmd, args, re) => { try { const r = spawnSync(cmd, args, { encoding: 'utf8' }); return ((r.stdout || '') + (r.stderr || '')).match(re)?.[1] ?? null; } catch { return null; } };
  const dpkgVer = (p) => ver('dpkg-query', ['-W', '-f=${Version}', p], /^(\S+)/);
  return {
    cpu: cpus[0]?.model, cores: cpus.length, memory_mib: Math.round(os.totalmem() / 1048576),
    kernel: os.release(), os: (fs.existsSync('/etc/os-release') && fs.readFileSync('/etc/os-release', 'utf8').match(/PRETTY_NAME="([^"]+)"/)?.[1]) || null,
    nginx: ver(findNginx(), ['-v'], /nginx\/(\S+)/), wrk: ver('wrk', ['-v'], /wrk (\S+)/),
    libmicrohttpd: dpkgVer('libmicrohttpd12'), sqlite: dpkgVer('libsqlite3-0'), libsodium: dpkgVer('libsodium23'),
    node: process.version,
  };
}

// ------------------------------------------------------------------ main

async function main() {
  const o = parseArgs(process.argv.slice(2));
  keepTemp = o.keep;
  for (const f of [o.bin, o.tool]) if (!fs.existsSync(f)) throw new Error(`${f} is missing (run make bench)`);
  const started = new Date();
  const defaults = userdDefaults(o.bin);
  const cores = os.cpus().length;
  const result = {
    started: started.toISOString(), machine: machine(),
    settings: { users: o.users, duration_s: o.duration, warmup_s: o.warmup, connections: o.connections,
      wrk_threads: o.threads, check_bodies: o.check, userd: o.bin, password: defaults,
      access_log: 'on (userd default), stderr to a file' },
    phases: [], memory: {}, scaling: [],
  };
  const rows = result.phases;
  if (o.only === 'compression') return report(o, result, started, await onlyCompression(o, result, defaults));
  if (o.only === 'pg') return report(o, result, started, await onlyPg(o, result, defaults));
  log(`machine: ${result.machine.cpu}, ${cores} cores; ${o.users} accounts, ${o.connections} connections, ${o.warmup}+${o.duration} s a phase`);
  if (o.only === 'console') { // phase (10) alone
    const s = await makeStore(o, Math.max(o.users, ...o.scaling), defaults);
    result.console_search = await consoleSearch(o, s);
    return report(o, result, started, consoleLines(result));
  }

  // The single-core Argon2id rate, on an otherwise idle machine.
  log('hash rate (one core)...');
  // Measured here and again just before (6), averaged: the machine's speed drifts (see the ceiling).
  const hashRates = () => {
    const one = JSON.parse(run(o.tool, ['hashrate', String(defaults.opslimit), String(defaults.memlimitKiB), '3']));
    const all = JSON.parse(run(o.tool, ['hashrate', String(defaults.opslimit), String(defaults.memlimitKiB), '3', String(cores)]));
    return [one.per_second, all.per_second];
  };
  const hashRuns = [hashRates()];
  const hr = { per_second: 0 }, hrAll = { per_second: 0 };

  const st = await makeStore(o, o.users, defaults);
  // What a system call costs here: a read is a handful of them (docs/performance.md, "Reads: why not 50%").
  result.machine.syscalls = JSON.parse(run(o.tool, ['syscalls', path.join(st.dir, 'userd.db')]));
  let u = await startUserd(o.bin, st.dir);
  await request(u.ports.im, 'GET', '/user/profile', imHeaders(st, 1));
  result.memory.idle_rss_start_kib = memKiB(u.pid);
  const phase = (id, name, extra) => { const r = { id, name, ...extra }; rows.push(r); return r; };
  const common = { connections: o.connections };

  // (1) the ceiling: nginx, the same requests as (2), a fixed JSON as big as a profile answer.
  const sample = await request(u.ports.im, 'GET', '/user/profile', imHeaders(st, 1));
  if (!(sample.json && sample.json.code === 200)) throw new Error(`GET /user/profile with a preloaded token failed: ${sample.text}`);
  const fixed = JSON.stringify(sample.json).replace(/'/g, '');
  log('(1) nginx ceiling...');
  const ng = await startNginx(cores, fixed);
  const ceilingSpec = { ...common, script: 'im_profile.lua', port: ng.port, args: [st.app.app_id, st.seed, st.n], cpuPids: nginxPids(ng) };
  const ceiling = Object.assign(phase(1, 'nginx return 200 (ceiling)'), await measure(o, ceilingSpec));
  // Ratios are taken at the end, against the mean of this and a second ceiling run after (4):
  // a virtual machine's speed drifts by tens of percent over minutes (its host is shared).
  const vs = (r) => r;

  // (2) IM reads.
  log('(2) IM GET /user/profile...');
  const readSpec = { ...common, script: 'im_profile.lua', port: u.ports.im, args: [st.app.app_id, st.seed, st.n], cpuPids: [u.pid] };
  const reads = vs(Object.assign(phase(2, 'IM GET /user/profile', { target: '>=50%, p99<5ms' }), await measure(o, readSpec)));

  // (3) live reads, signed.
  log('(3) live GET /server/user/info/{id}...');
  {
    const p = '/server/user/info/lu1', host = `127.0.0.1:${u.ports.live}`;
    const pr = await probe(u.ports.live, 'GET', p, { Host: host, Authorization: `Qiniu ${st.app.access_key}:${liveSign(st.app.secret_key, 'GET', p, host)}` },
      null, (r) => r.status === 200 && r.json && r.json.code === 0);
    const r = phase(3, 'live GET /server/user/info/{id}', { target: '>=50%, p99<5ms', ...pr });
    if (pr.state === 'ok') {
      const file = writeLiveRequests(st, u.ports.live, Math.min(st.n, 20000));
      vs(Object.assign(r, await measure(o, { ...common, script: 'live_info.lua', port: u.ports.live, args: [file], cpuPids: [u.pid] })));
    }
  }

  // (4) app reads with a session cookie.
  log('(4) app GET /user/:id...');
  {
    const cookie = (id) => ({ Cookie: `${defaults.cookie}=sess-${st.seed}-${id}` });
    const pr = await probe(u.ports.app, 'GET', `/user/find/86/${mobileOf(1)}`, cookie(1), null,
      (r) => r.status === 200 && r.json && r.json.code === 200 && typeof r.json.result?.id === 'string');
    const r = phase(4, 'app GET /user/:id', { target: '>=50%, p99<5ms', ...pr });
    if (pr.state === 'ok') {
      const file = await writeAppTargets(st, u.ports.app, cookie, Math.min(st.n, 2000));
      vs(Object.assign(r, await measure(o, { ...common, script: 'app_user.lua', port: u.ports.app,
        args: [file, st.seed, st.n, defaults.cookie], cpuPids: [u.pid] })));
    }
  }

  // (1b) the ceiling again, to see and average out drift.
  log('(1b) nginx ceiling again...');
  const ceiling2 = Object.assign(phase('1b', 'nginx again, after (2)-(4)'), await measure(o, ceilingSpec));
  await stopNginx(ng);
  result.ceiling_rps = (ceiling.rps + ceiling2.rps) / 2;
  result.ceiling_drift = Math.abs(ceiling.rps - ceiling2.rps) / result.ceiling_rps;

  // (5) IM writes.
  log('(5) IM POST /user/settings...');
  {
    const pr = await probe(u.ports.im, 'POST', '/user/settings', { ...imHeaders(st, 2), 'Content-Type': 'application/json' },
      '{"push_nick_name":"probe"}', (r) => r.status === 200 && r.json && r.json.code === 200);
    const r = phase(5, 'IM POST /user/settings', { target: '>=20%, durable', ...pr });
    if (pr.state === 'ok') {
      vs(Object.assign(r, await measure(o, { ...common, script: 'im_settings.lua', port: u.ports.im,
        args: [st.app.app_id, st.seed, st.n], cpuPids: [u.pid] })));
    }
  }

  // (6) logins: Argon2id-bound.
  log('(6) IM POST /token/user...');
  const loginSpec = { ...common, script: 'im_login.lua', port: u.ports.im, args: [st.app.app_id, PASSWORD, st.n], cpuPids: [u.pid] };
  await settle([u.pid]);
  log('hash rate again...');
  hashRuns.push(hashRates());
  hr.per_second = (hashRuns[0][0] + hashRuns[1][0]) / 2;
  hrAll.per_second = (hashRuns[0][1] + hashRuns[1][1]) / 2;
  result.hash_rate = { single_core_per_s: hr.per_second, cores, ceiling_per_s: hr.per_second * cores,
    all_cores_at_once_per_s: hrAll.per_second, runs: hashRuns };
  {
    const pr = await probe(u.ports.im, 'POST', '/token/user', { app_id: st.app.app_id, 'Content-Type': 'application/json' },
      JSON.stringify({ name: 'u3', password: PASSWORD }), (r) => r.json && r.json.code === 200);
    if (pr.state !== 'ok') throw new Error(`POST /token/user failed: ${pr.why}`);
  }
  const logins = vs(Object.assign(phase(6, 'IM POST /token/user (logins)', { target: '>=90% of cores x 1-core hash rate' }), await measure(o, loginSpec)));
  logins.vs_hash_ceiling = logins.rps / result.hash_rate.ceiling_per_s;
  logins.vs_all_cores_at_once = logins.rps / result.hash_rate.all_cores_at_once_per_s;

  // (7) reads during a login flood.
  log('(7) IM reads during a login flood...');
  {
    await settle([u.pid]);
    if (o.warmup > 0) await wrk(o, { ...loginSpec, seconds: o.warmup });
    await settle([u.pid]);
    const flood = wrk(o, { ...loginSpec, seconds: o.duration + 2 });
    await sleep(1000);
    const r = vs(Object.assign(phase(7, 'IM GET /user/profile during (6)', { target: 'p99 <= 2x (2), no error' }),
      await wrk(o, { ...readSpec, seconds: o.duration })));
    const f = await flood;
    r.p99_vs_without = r.latency_us.p99 / reads.latency_us.p99;
    r.flood = { rps: f.rps, errors: f.error_count, p99_us: f.latency_us.p99 };
    r.server_cpu_pct = null; r.server_cpu_us_per_req = null; // shared with the flood
  }

  // (8) compression: a large answer, with and without gzip.
  log('(8) compression...');
  const gz = await compression(o, st, u, defaults, phase);

  // Memory under load, then at rest.
  result.memory.peak_rss_kib = memKiB(u.pid).VmHWM;
  await settle([u.pid]);
  result.memory.idle_rss_after_kib = memKiB(u.pid);

  // Durability across a process crash (needs (5)).
  if (rows.find((r) => r.id === 5).state === 'ok') {
    log('durability: SIGKILL during writes...');
    const d = await durability(o, st, u);
    u = d.u;
    result.durability = d.result;
  } else {
    result.durability = { state: 'not available (POST /user/settings)' };
  }
  await stopUserd(u);

  // (2b) What the access log costs: (2) with it (the default) and without it (log.access = false),
  // alternately, three times each, each run on a userd of its own; the medians are compared. One
  // pair alone says little: runs of one phase differ by 10-20% on a shared virtual machine.
  log('(2b) IM GET /user/profile, access log on and off, alternately...');
  {
    const runs = { on: [], off: [] };
    for (let i = 0; i < 3; i++) {
      for (const mode of ['on', 'off']) {
        const q = await startUserd(o.bin, st.dir, mode === 'off' ? { USERD_LOG_ACCESS: 'false' } : {});
        runs[mode].push(await measure(o, { ...readSpec, port: q.ports.im, cpuPids: [q.pid] }));
        await stopUserd(q);
      }
    }
    const median = (xs) => [...xs].sort((a, b) => a.rps - b.rps)[Math.floor(xs.length / 2)];
    const on = median(runs.on), off = median(runs.off);
    const cost = 1 - on.rps / off.rps;
    const r = vs(Object.assign(phase('2b', 'IM GET /user/profile, access log off', {
      target: `log costs ${(100 * cost).toFixed(1)}% (<=5%)` }), off));
    r.vs_with_log = off.rps / on.rps;
    result.access_log_cost = {
      rps_cost: cost, cpu_us_per_req_on: on.server_cpu_us_per_req, cpu_us_per_req_off: off.server_cpu_us_per_req,
      runs: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.map((x) => ({ rps: x.rps,
        cpu_us_per_req: x.server_cpu_us_per_req, p99_us: x.latency_us?.p99, other_cpu_pct: x.other_cpu_pct }))])),
    };
  }

  // (9) logins beside a saturating read load, on a userd of its own (bench/fairshare.mjs, default
  // password.nice): logins/s beside the reads against logins/s alone, and the reads' p99 beside
  // the logins against their p99 alone (docs/performance.md "Logins beside a read load").
  log('(9) logins beside a saturating read load...');
  {
    const f = await fairShare({ bin: o.bin, secs: o.duration });
    result.fair_share = f;
    phase(9, 'IM logins beside a saturating read load', { rps: f.L, error_count: f.login_errors,
      target: `L/H ${(100 * f.share).toFixed(0)}% of ${fmt(f.H, 1)}/s alone (>=25%)` });
    phase('9b', 'IM GET /user/profile beside (9)', { rps: f.reads_rps_beside,
      latency_us: { p50: f.reads_p50_beside * 1000, p99: f.p1 * 1000 },
      target: `p99 ${f.ratio.toFixed(2)}x ${f.p0.toFixed(2)} ms alone (<=2x)` });
  }

  // Scaling: the read rate at a few store sizes, each measured twice, alternately (the best counts):
  // a difference of a few percent is what is asked about, and one run can be unlucky.
  const stores = [];
  for (const n of o.scaling) stores.push(n === st.n ? st : await makeStore(o, n, defaults));
  for (const s of stores) result.scaling.push({ users: s.n, db_mib: s.dbBytes / 1048576, runs: [] });
  for (let round = 0; round < 2 && stores.length; round++) {
    for (const [i, s] of stores.entries()) {
      log(`scaling: ${s.n} accounts (run ${round + 1})...`);
      const us = await startUserd(o.bin, s.dir);
      await request(us.ports.im, 'GET', '/user/profile', imHeaders(s, 1));
      const idle = memKiB(us.pid);
      const r = await measure(o, { ...readSpec, port: us.ports.im, args: [s.app.app_id, s.seed, s.n], cpuPids: [us.pid] });
      result.scaling[i].runs.push({ rps: r.rps, p50_us: r.latency_us.p50, p99_us: r.latency_us.p99, errors: r.error_count,
        other_cpu_pct: r.other_cpu_pct, idle_rss_kib: idle, peak_rss_kib: memKiB(us.pid).VmHWM });
      await stopUserd(us);
    }
  }
  for (const sc of result.scaling) {
    const best = sc.runs.reduce((a, b) => (b.rps > a.rps ? b : a));
    Object.assign(sc, { rps: best.rps, p50_us: best.p50_us, p99_us: best.p99_us, errors: sc.runs.reduce((a, b) => a + b.errors, 0),
      idle_rss_kib: best.idle_rss_kib, peak_rss_kib: Math.max(...sc.runs.map((x) => x.peak_rss_kib)) });
  }
  if (stores.length) {
    log('(10) the console\'s user search...');
    result.console_search = await consoleSearch(o, stores[stores.length - 1]);
  }
  for (const s of stores) if (s !== st) fs.rmSync(s.dir, { recursive: true, force: true });

  // (2pg), (5pg): (2) and (5) again on a throwaway PostgreSQL, one userd (docs/performance.md "PostgreSQL").
  await pgPhases(o, defaults, phase, { reads, writes: rows.find((r) => r.id === 5) }, result);

  for (const r of rows) if (r.rps != null && !String(r.id).startsWith('1')) r.vs_ceiling = r.rps / result.ceiling_rps;
  logins.vs_ceiling = null;
  for (const r of rows) if (String(r.id).startsWith('9')) r.vs_ceiling = null; // a userd of its own, wrk's defaults there

  // Report.
  const kib = (k) => (k == null ? '-' : `${(k / 1024).toFixed(1)} MiB`);
  const lines = [];
  lines.push(`userd bench: ${result.machine.cpu} x ${cores}, ${o.users.toLocaleString('en-US')} accounts, wrk -t${o.threads} -c${o.connections}, ${o.warmup} s warm-up + ${o.duration} s a phase`);
  lines.push('');
  lines.push(table(rows));
  lines.push('');
  lines.push(`system calls: ${fmt(result.machine.syscalls.syscall_us, 2)} us a trivial one, ${fmt(result.machine.syscalls.pread_4k_us, 2)} us a 4 KiB pread from the page cache`);
  lines.push(`ceiling: ${fmt(ceiling.rps)} then ${fmt(ceiling2.rps)} req/s (${(100 * result.ceiling_drift).toFixed(0)}% apart); "vs ceiling" is against their mean, ${fmt(result.ceiling_rps)}`);
  lines.push(`logins: ${fmt(logins.rps, 1)}/s = ${(100 * logins.vs_hash_ceiling).toFixed(1)}% of ${cores} cores x ${fmt(hr.per_second, 1)} hashes/s (one core, mean of ${hashRuns.map((x) => fmt(x[0], 1)).join(' and ')} in this run; target >= 90%), ${(100 * logins.vs_all_cores_at_once).toFixed(1)}% of ${fmt(hrAll.per_second, 1)} hashes/s measured on ${cores} threads at once`);
  const f7 = rows.find((r) => r.id === 7);
  lines.push(`reads during the login flood: p99 ${ms(f7.latency_us.p99)} ms vs ${ms(reads.latency_us.p99)} ms without = ${f7.p99_vs_without.toFixed(2)}x (target <= 2x), ${f7.error_count} read errors; the flood ran at ${fmt(f7.flood.rps, 1)} logins/s`);
  {
    const f = result.fair_share;
    lines.push(`logins beside a saturating read load: ${fmt(f.L, 1)}/s vs ${fmt(f.H, 1)}/s alone = ${(100 * f.share).toFixed(0)}% (target >= 25%); reads' p99 ${f.p1.toFixed(2)} ms beside them vs ${f.p0.toFixed(2)} ms alone = ${f.ratio.toFixed(2)}x (target <= 2x)`);
  }
  {
    const c = result.access_log_cost, rr = (xs) => xs.map((x) => fmt(x.rps)).join(', ');
    lines.push(`access log: ${(100 * c.rps_cost).toFixed(1)}% of the read rate (target <= 5%), medians of three alternating runs each: on ${rr(c.runs.on)}, off ${rr(c.runs.off)} req/s; server CPU ${fmt(c.cpu_us_per_req_on, 1)} vs ${fmt(c.cpu_us_per_req_off, 1)} us a request`);
  }
  if (result.durability.users_checked != null) {
    const d = result.durability;
    lines.push(`durability: ${d.acknowledged_writes} acknowledged writes by ${d.writers} writers, SIGKILL, restart: ${d.lost} users lost their last acknowledged write`);
  } else lines.push(`durability: ${result.durability.state}`);
  lines.push(compressionLine(gz));
  lines.push(`memory: idle RSS ${kib(result.memory.idle_rss_start_kib.VmRSS)} after start (${o.users.toLocaleString('en-US')} accounts), peak ${kib(result.memory.peak_rss_kib)}, idle after load ${kib(result.memory.idle_rss_after_kib.VmRSS)} (anon ${kib(result.memory.idle_rss_after_kib.RssAnon)}, file ${kib(result.memory.idle_rss_after_kib.RssFile)})`);
  for (const s of result.scaling) {
    lines.push(`scaling: ${s.users.toLocaleString('en-US')} accounts (${s.db_mib.toFixed(0)} MiB store): ${fmt(s.rps)} reads/s (best of ${s.runs.map((x) => fmt(x.rps)).join(', ')}), p99 ${ms(s.p99_us)} ms, idle RSS ${kib(s.idle_rss_kib.VmRSS)}, peak ${kib(s.peak_rss_kib)}`);
  }
  if (result.scaling.length >= 2) {
    const a = result.scaling[0], b = result.scaling[result.scaling.length - 1];
    result.scaling_ratio = b.rps / a.rps;
    lines.push(`scaling: ${b.users.toLocaleString('en-US')} vs ${a.users.toLocaleString('en-US')} accounts: ${(100 * result.scaling_ratio).toFixed(1)}% of the read rate (target >= 80%)`);
  }
  if (result.ceiling_drift > 0.15)
    lines.push('WARNING: the machine\'s speed drifted during the run (the two ceiling runs differ by more than 15%): ratios are uncertain by as much');
  const busy = [...rows, ...result.scaling.flatMap((s) => s.runs.map((x) => ({ id: `${s.users} accounts`, other_cpu_pct: x.other_cpu_pct })))]
    .filter((r) => r.other_cpu_pct > 10);
  if (busy.length)
    lines.push(`WARNING: other programs used the CPU during ${busy.map((r) => `(${r.id}) ${r.other_cpu_pct.toFixed(0)}%`).join(', ')} of a core: those figures are low; run again on an idle machine`);
  lines.push(...pgLines(result, rows));
  lines.push(...consoleLines(result));
  report(o, result, started, lines);
}

/** The report's lines for (10). */
function consoleLines(result) {
  return (result.console_search?.rows || []).map((r) => `(10) console user search by ${r.kind}, ${result.console_search.users.toLocaleString('en-US')} accounts, ${result.console_search.clients} in flight: p50 ${ms(r.p50_us)} ms, p99 ${ms(r.p99_us)} ms (target < 50 ms), ${r.errors} errors`);
}

/** Ends the report: total time, the JSON file; prints it. */
function report(o, result, started, lines) {
  result.finished = new Date().toISOString();
  result.seconds = (Date.now() - started.getTime()) / 1000;
  lines.push(`total ${result.seconds.toFixed(0)} s`);
  fs.mkdirSync(o.out, { recursive: true });
  const file = path.join(o.out, `bench-${o.only ? `${o.only}-` : ''}${started.toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  const text = file.replace(/\.json$/, '.txt');
  lines.push(`results: ${path.relative(process.cwd(), file)} (figures), ${path.relative(process.cwd(), text)} (this report)`);
  fs.writeFileSync(text, lines.join('\n') + '\n');
  console.log(lines.join('\n'));
}

main().catch((e) => { console.error(`bench: ${e.stack || e.message}`); cleanup(); process.exit(1); });
