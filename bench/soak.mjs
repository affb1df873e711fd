#!/usr/bin/env node
// `make soak`: a long mixed load over the three faces of the optimised build
// (docs/robustness.md "Soak"). First the load's maximum is measured (every
// kind of request at once, closed loop, --calibrate seconds); then each kind
// runs at --load (0.7) of its rate there for --seconds (SOAK_SECONDS, 600).
// Every 5 s: userd's RSS, open descriptors, threads, CPU, and the requests,
// p50/p99 and errors of those 5 s, into build/soak/soak-<date>.json and a
// chart (gnuplot) soak-<date>.png beside it.
// Fails (exit 1) if RSS grows more than 10% after the warm-up, descriptors
// grow (counted idle, before and after the load), or any request fails.
// A request due while 64 of its kind (4 for password routes) are in flight
// is not sent but counted ("late": the machine did not keep up), and reported.
//
//   node bench/soak.mjs [--bin build/userd] [--seconds 600] [--warmup 60] [--calibrate 20]
//                       [--load 0.7] [--out build/soak]
//   node bench/soak.mjs --replot build/soak/soak-<date>.json    # draws its chart again
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const o = { bin: path.join(REPO, 'build/userd'), seconds: 600, warmup: 60, calibrate: 20, load: 0.7,
  out: path.join(REPO, 'build/soak') };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i], v = process.argv[++i];
  if (a === '--help' || a === '-h') {
    const head = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1);
    console.log(head.slice(0, head.findIndex((l) => !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
    process.exit(0);
  }
  if (a === '--bin') o.bin = path.resolve(v);
  else if (a === '--out') o.out = path.resolve(v);
  else if (a === '--replot') o.replot = path.resolve(v);
  else if (['--seconds', '--warmup', '--calibrate', '--load'].includes(a) && Number(v) > 0) o[a.slice(2)] = Number(v);
  else { console.error(`soak: bad option ${a} ${v ?? ''} (see --help)`); process.exit(2); }
}
o.warmup = Math.min(o.warmup, Math.floor(o.seconds / 2));

const SAMPLE_MS = 5000;
// Requests of one kind in flight at most: past it, one due is counted late instead of sent (the
// machine did not keep up). Password routes get a few: a backlog of hashes would only be
// answered busy by userd's admission (password.max_wait_ms), as it should.
const MAX_IN_FLIGHT = 64;
const HASHES_IN_FLIGHT = 4;
const ARGON2_KIB = 19456; // password.memlimit_kib's default: the size of one hash's memory
const PASSWORD = 'soak-password-1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.error('[soak]', ...a);

// ------------------------------------------------------------------ userd

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-soak-'));
let userd = null;
process.on('exit', () => {
  if (userd && userd.exitCode == null) userd.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(130));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

const logFile = path.join(dir, 'userd.log');
async function startUserd() {
  const ports = { im: await freePort(), live: await freePort(), app: await freePort() };
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('USERD_')) env[k] = v;
  Object.assign(env, {
    USERD_STORE_URL: `sqlite:${path.join(dir, 'userd.db')}`, USERD_DATA_DIR: dir,
    USERD_IM_LISTEN: `127.0.0.1:${ports.im}`, USERD_LIVE_LISTEN: `127.0.0.1:${ports.live}`,
    USERD_APP_LISTEN: `127.0.0.1:${ports.app}`,
    // Defaults but one: every SMS code comes from 127.0.0.1, past the 20 an hour one address may ask.
    USERD_SMS_PROVIDER: 'log', USERD_SMS_IP_HOURLY_LIMIT: '1000000',
  });
  const fd = fs.openSync(logFile, 'a');
  userd = spawn(o.bin, ['serve'], { env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  for (const port of Object.values(ports)) {
    for (let i = 0; ; i++) {
      if (userd.exitCode != null) throw new Error(`userd exited; see ${logFile}`);
      try { if ((await request(port, 'GET', '/healthz', {}, null, null)).status === 200) break; } catch { /* not yet */ }
      if (i > 600) throw new Error('userd did not answer /healthz');
      await sleep(50);
    }
  }
  return ports;
}

// ------------------------------------------------------------------ HTTP

const agents = [];
const newAgent = () => { const a = new http.Agent({ keepAlive: true, maxSockets: 16 }); agents.push(a); return a; };

function request(port, method, p, headers, body, agent) {
  return new Promise((resolve, reject) => {
    const h = { Host: '127.0.0.1', ...headers };
    if (body != null) { h['Content-Type'] ??= 'application/json'; h['Content-Length'] = Buffer.byteLength(body); }
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers: h, agent: agent ?? false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json; try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.setTimeout(30000, () => req.destroy(new Error(`timeout ${method} ${p}`)));
    req.on('error', reject);
    if (body != null) req.write(body);
    req.end();
  });
}

/** Qiniu's v2 signature (the official SDK's generateAccessTokenV2), Host 127.0.0.1. */
function qiniuV2(app, method, p, body) {
  const ct = body == null ? '' : 'application/json';
  const s = `${method} ${p}\nHost: 127.0.0.1${ct ? `\nContent-Type: ${ct}` : ''}\n\n${body ?? ''}`;
  const sign = crypto.createHmac('sha1', app.secret_key).update(s).digest('base64').replace(/\+/g, '-').replace(/\//g, '_');
  return `Qiniu ${app.access_key}:${sign}`;
}

// ------------------------------------------------------------------ the mix

let seq = 0;
const uniq = () => `${process.pid % 100000}${String(++seq).padStart(7, '0')}`;
const phoneOf = (n) => `139${String(n % 1e8).padStart(8, '0')}`;
let phoneSeq = crypto.randomInt(1e7);

/** The SMS code the log provider logged for phone (userd's log), waiting for it. */
async function codeFor(phone) {
  for (let i = 0; i < 100; i++) {
    const m = fs.readFileSync(logFile, 'utf8').match(new RegExp(`code (\\d+) for \\+86 ${phone}`));
    if (m) return m[1];
    await sleep(50);
  }
  throw new Error(`no SMS code for ${phone} in the log`);
}

/** Accounts and sessions for the load; returns the kinds, each {name, face, run: () => ok}. */
async function setUp(ports) {
  const app = JSON.parse(fs.readFileSync(path.join(dir, 'default-app.json'), 'utf8'));
  const ag = { im: newAgent(), live: newAgent(), app: newAgent() };
  const im = (method, p, body, token) => request(ports.im, method, p,
    { app_id: app.app_id, ...(token ? { 'access-token': token } : {}) }, body == null ? null : JSON.stringify(body), ag.im);
  const live = (method, p, body) => {
    const b = body == null ? null : JSON.stringify(body);
    return request(ports.live, method, p, { Authorization: qiniuV2(app, method, p, b) }, b, ag.live);
  };
  const appFace = (method, p, body, cookie) => request(ports.app, method, p, cookie ? { Cookie: cookie } : {},
    body == null ? null : JSON.stringify(body), ag.app);
  const must = (r, ok, what) => { if (!ok(r)) throw new Error(`set-up: ${what}: ${r.status} ${r.text}`); return r; };
  const imOk = (r) => r.status === 200 && r.json?.code === 200;
  const liveOk = (r) => r.status === 200 && r.json?.code === 0;
  const appOk = (r) => r.status === 200 && r.json?.code === 200;

  // IM: a reader and a writer with tokens, 8 accounts to sign in to.
  const tokens = [];
  for (const name of ['reader', 'writer']) {
    must(await im('POST', '/user/register/v2', { username: name, password: PASSWORD }), imOk, `register ${name}`);
    tokens.push(must(await im('POST', '/token/user', { name, password: PASSWORD }), imOk, 'sign-in').json.data.token);
  }
  const [readTok, writeTok] = tokens;
  for (let i = 0; i < 8; i++) must(await im('POST', '/user/register/v2', { username: `login${i}`, password: PASSWORD }), imOk, 'register');
  // Live: 50 users.
  for (let i = 0; i < 50; i++) must(await live('POST', '/server/user/register', { user_id: `lu${i}` }), liveOk, 'live register');
  // App face: two accounts through SMS codes (the log provider's line), one signed in.
  const appUsers = [];
  for (let i = 0; i < 2; i++) {
    const phone = phoneOf(phoneSeq++);
    must(await appFace('POST', '/user/send_code', { region: 86, phone: Number(phone) }), appOk, 'send_code');
    const code = await codeFor(phone);
    const vt = must(await appFace('POST', '/user/verify_code', { region: 86, phone: Number(phone), code }), appOk, 'verify_code')
      .json.result.verification_token;
    const id = must(await appFace('POST', '/user/register', { nickname: `soak${i}`, password: PASSWORD, verification_token: vt }),
      appOk, 'register').json.result.id;
    appUsers.push({ phone, id });
  }
  const login = must(await appFace('POST', '/user/login', { region: 86, phone: appUsers[0].phone, password: PASSWORD }), appOk, 'login');
  const cookie = [].concat(login.headers['set-cookie'] || [])[0].split(';')[0];

  const pick = (n) => crypto.randomInt(n);
  // Success, or why not: the status and the start of the body.
  const answer = (ok, r) => (ok(r) ? null : `${r.status} ${r.text.slice(0, 100)}`);
  return [
    { name: 'im_read', face: 'im', weight: 4, run: async () => answer(imOk, await im('GET', '/user/profile', null, readTok)) },
    { name: 'live_read', face: 'live', weight: 4, run: async () => answer(liveOk, await live('GET', `/server/user/info/lu${pick(50)}`)) },
    { name: 'app_read', face: 'app', weight: 4, run: async () => answer(appOk, await appFace('GET', `/user/${appUsers[1].id}`, null, cookie)) },
    { name: 'im_write', face: 'im', weight: 2,
      run: async () => answer(imOk, await im('POST', '/user/profile', { nick_name: `n${uniq()}` }, writeTok)) },
    { name: 'live_write', face: 'live', weight: 2,
      run: async () => answer(liveOk, await live('PUT', `/server/user/lu${pick(50)}`, { nick: `n${uniq()}` })) },
    { name: 'app_write', face: 'app', weight: 2,
      run: async () => answer(appOk, await appFace('POST', '/user/set_nickname', { nickname: `n${uniq()}` }, cookie)) },
    { name: 'im_login', hashes: true, face: 'im', weight: 2,
      run: async () => answer(imOk, await im('POST', '/token/user', { name: `login${pick(8)}`, password: PASSWORD })) },
    { name: 'app_login', hashes: true, face: 'app', weight: 1,
      run: async () => answer(appOk, await appFace('POST', '/user/login', { region: 86, phone: appUsers[1].phone, password: PASSWORD })) },
    { name: 'im_register', hashes: true, face: 'im', weight: 2,
      run: async () => answer(imOk, await im('POST', '/user/register/v2', { username: `u${uniq()}`, password: PASSWORD })) },
    { name: 'live_register', face: 'live', weight: 1,
      run: async () => answer(liveOk, await live('POST', '/server/user/register', { user_id: `s${uniq()}` })) },
    { name: 'sms_code', face: 'app', weight: 1,
      run: async () => answer(appOk, await appFace('POST', '/user/send_code', { region: 86, phone: Number(phoneOf(phoneSeq++)) })) },
  ];
}

// ------------------------------------------------------------------ measuring

/** One request of kind k, timed into into[k.name]: latencies, failures; the reasons of failures into `why`. */
async function once(k, into) {
  const t0 = process.hrtime.bigint();
  let failed;
  try { failed = await k.run(); } catch (e) { failed = e.message; }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const w = (into[k.name] ||= { lat: [], errors: 0 });
  w.lat.push(ms);
  if (failed) {
    w.errors++;
    const key = `${k.name}: ${failed}`;
    why[key] = (why[key] ?? 0) + 1;
    if (why[key] === 1) log(`${key} (${ms.toFixed(0)} ms)`);
  }
}
const why = {};

const quantile = (xs, q) => {
  if (!xs.length) return null;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

/**
 * RSS without the Argon2id working areas: libsodium maps each hash's memory
 * (password.memlimit_kib) for the hash and unmaps it after, so VmRSS jumps
 * by that much per hash in flight at the instant of the sample. Those
 * anonymous mappings of exactly that size are left out here.
 */
function rssBaseKiB(pid, argon2KiB) {
  let total = 0, anon = false, skip = false;
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = line.match(/^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/);
    if (head) { anon = head[1] === ''; skip = false; continue; }
    // The kernel merges areas mapped side by side: two hashes at once are one mapping of twice the size.
    if (line.startsWith('Size:')) { const size = Number(line.split(/\s+/)[1]); skip = anon && size % argon2KiB === 0; }
    else if (line.startsWith('Rss:') && !skip) total += Number(line.split(/\s+/)[1]);
  }
  return total;
}

function proc(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const num = (k) => Number(status.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm'))?.[1]);
  const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return { rss_kib: num('VmRSS'), rss_base_kib: rssBaseKiB(pid, ARGON2_KIB), threads: num('Threads'), fds: fs.readdirSync(`/proc/${pid}/fd`).length,
    cpu_s: (Number(f[11]) + Number(f[12])) / 100 };
}

/** Closed loop, `conc` requests of each kind in flight (by weight), for secs: each kind's rate. */
async function calibrate(kinds, secs) {
  const into = {};
  const end = Date.now() + secs * 1000;
  await Promise.all(kinds.flatMap((k) => Array.from({ length: k.weight }, async () => {
    while (Date.now() < end) await once(k, into);
  })));
  return Object.fromEntries(kinds.map((k) => [k.name, {
    rps: (into[k.name]?.lat.length ?? 0) / secs, errors: into[k.name]?.errors ?? 0,
    p50_ms: quantile(into[k.name]?.lat ?? [], 0.5), p99_ms: quantile(into[k.name]?.lat ?? [], 0.99),
  }]));
}

/** Open loop: each kind at its rate for secs, sampled every SAMPLE_MS. */
async function soak(kinds, rates, secs, pid) {
  const samples = [];
  const totals = Object.fromEntries(kinds.map((k) => [k.name, { n: 0, errors: 0, lat: [], late: 0 }]));
  const inflight = new Set(), busy = {};
  const t0 = Date.now();
  let win = {}, issued = Object.fromEntries(kinds.map((k) => [k.name, 0]));
  let cpu0 = proc(pid).cpu_s, tWin = t0, lateWin = 0;
  const sample = () => {
    const now = Date.now(), p = proc(pid);
    const all = Object.values(win).flatMap((w) => w.lat);
    const s = { t: Math.round((now - t0) / 1000), rss_kib: p.rss_kib, rss_base_kib: p.rss_base_kib, fds: p.fds, threads: p.threads,
      cpu_pct: Math.round((100 * (p.cpu_s - cpu0)) / ((now - tWin) / 1000)),
      rps: Math.round(all.length / ((now - tWin) / 1000)), p50_ms: quantile(all, 0.5), p99_ms: quantile(all, 0.99),
      errors: Object.values(win).reduce((a, w) => a + w.errors, 0), late: lateWin,
      kinds: Object.fromEntries(Object.entries(win).map(([n, w]) => [n, { n: w.lat.length, errors: w.errors,
        p50_ms: quantile(w.lat, 0.5), p99_ms: quantile(w.lat, 0.99) }])) };
    for (const [n, w] of Object.entries(win)) {
      const t = totals[n];
      t.n += w.lat.length; t.errors += w.errors;
      for (const x of w.lat) t.lat.push(x);
    }
    samples.push(s);
    win = {}; cpu0 = p.cpu_s; tWin = now; lateWin = 0;
    log(`t=${s.t}s rss=${(s.rss_kib / 1024).toFixed(1)}MiB (${(s.rss_base_kib / 1024).toFixed(1)} without hashes) fds=${s.fds} threads=${s.threads} cpu=${s.cpu_pct}% `
      + `${s.rps} req/s p50=${s.p50_ms?.toFixed(1)}ms p99=${s.p99_ms?.toFixed(1)}ms errors=${s.errors} late=${s.late}`);
  };
  const ticker = setInterval(() => {
    const el = (Date.now() - t0) / 1000;
    for (const k of kinds) {
      const due = Math.floor(rates[k.name] * el) - issued[k.name];
      for (let i = 0; i < due; i++) {
        issued[k.name]++;
        if ((busy[k.name] ?? 0) >= (k.hashes ? HASHES_IN_FLIGHT : MAX_IN_FLIGHT)) { totals[k.name].late++; lateWin++; continue; }
        busy[k.name] = (busy[k.name] ?? 0) + 1;
        const p = once(k, win).finally(() => { inflight.delete(p); busy[k.name]--; });
        inflight.add(p);
      }
    }
  }, 10);
  const sampler = setInterval(sample, SAMPLE_MS);
  await sleep(secs * 1000);
  clearInterval(ticker);
  clearInterval(sampler);
  await Promise.all(inflight);
  sample();
  return { samples, totals };
}

/** What userd's descriptors are: each one's target (a path, `socket:[...]`, `pipe:[...]`, ...). */
function fdTargets(pid) {
  return fs.readdirSync(`/proc/${pid}/fd`).map((fd) => {
    try { return fs.readlinkSync(`/proc/${pid}/fd/${fd}`).replace(/:\[\d+\]$/, ''); } catch { return 'gone'; }
  });
}

/** The descriptors of an idle userd (no client connection left, its own work done), by target. */
async function idleFds(pid) {
  for (const a of agents) a.destroy();
  await sleep(2000);
  return fdTargets(pid);
}

/**
 * The descriptors in after that were not in before (as multisets), but the
 * store's files: a store connection opened once on first need (the
 * checkpointer's, a thread's first request) is not a leak.
 */
function newFds(before, after) {
  const left = [...before];
  return after.filter((t) => {
    const i = left.indexOf(t);
    if (i >= 0) { left.splice(i, 1); return false; }
    return !t.startsWith(path.join(dir, 'userd.db'));
  });
}

/** userd's log lines but the access lines of successful requests, into file. */
function keepLog(file) {
  const out = fs.openSync(file, 'w');
  const buf = Buffer.alloc(1 << 20);
  const fd = fs.openSync(logFile, 'r');
  let rest = '', n;
  while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) {
    const lines = (rest + buf.toString('utf8', 0, n)).split('\n');
    rest = lines.pop();
    const keep = lines.filter((l) => !l.includes('"face"') || /"status":[45]/.test(l));
    if (keep.length) fs.writeSync(out, keep.join('\n') + '\n');
  }
  fs.closeSync(fd);
  fs.closeSync(out);
}

// ------------------------------------------------------------------ chart

function chart(samples, base, at = new Date()) {
  const dat = `${base}.dat`;
  fs.writeFileSync(dat, '# t rss_mib fds threads rps p50_ms p99_ms errors cpu_pct rss_base_mib\n' + samples.map((s) =>
    [s.t, (s.rss_kib / 1024).toFixed(2), s.fds, s.threads, s.rps, s.p50_ms ?? 0, s.p99_ms ?? 0, s.errors, s.cpu_pct,
      (s.rss_base_kib / 1024).toFixed(2)].join(' ')).join('\n') + '\n');
  const gp = `set terminal png size 1100,1000 font ",10"
set output "${base}.png"
set datafile commentschars "#"
set multiplot layout 3,1 title "userd soak: ${o.seconds} s at ${Math.round(o.load * 100)}% of the measured maximum (${at.toISOString().slice(0, 16)}Z)"
set grid
set key bottom right opaque box
set xlabel "seconds"
set xrange [0:*]
set ylabel "MiB"
set y2label "threads"
set y2tics
set yrange [0:*]
set y2range [0:${2 * Math.max(...samples.map((x) => x.threads))}]
plot "${dat}" using 1:2 with lines lw 1 title "RSS (MiB)", "" using 1:10 with lines lw 2 title "RSS without Argon2id areas (MiB)", \\
     "" using 1:4 axes x1y2 with lines lw 2 title "threads"
set ylabel "open descriptors"
set y2label "failed requests"
set y2range [0:*]
plot "${dat}" using 1:3 with lines lw 2 title "open descriptors", "" using 1:8 axes x1y2 with impulses lw 3 title "failed requests"
set ylabel "ms"
set y2label "requests/s"
set y2tics
set y2range [0:*]
set logscale y
set yrange [*:*]
plot "${dat}" using 1:6 with lines lw 2 title "p50 (ms)", "" using 1:7 with lines lw 2 title "p99 (ms)", "" using 1:5 axes x1y2 with lines lw 1 title "requests/s"
unset multiplot
`;
  fs.writeFileSync(`${base}.gp`, gp);
  const r = spawnSync('gnuplot', [`${base}.gp`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gnuplot: ${r.error?.message ?? r.stderr}`);
}

// ------------------------------------------------------------------ main

if (o.replot) {
  const saved = JSON.parse(fs.readFileSync(o.replot, 'utf8'));
  Object.assign(o, { seconds: saved.options.seconds, load: saved.options.load });
  const at = new Date(fs.statSync(o.replot).mtimeMs);
  chart(saved.samples, o.replot.replace(/\.json$/, ''), at);
  console.log(`drew ${o.replot.replace(/\.json$/, '.png')}`);
  process.exit(0);
}

const ports = await startUserd();
const pid = userd.pid;
log(`userd ${o.bin} (pid ${pid}), store in ${dir}`);
const kinds = await setUp(ports);
log(`measuring the maximum of the mix (${o.calibrate} s, closed loop)...`);
const cal = await calibrate(kinds, o.calibrate);
for (const [n, c] of Object.entries(cal)) log(`  ${n}: ${c.rps.toFixed(1)}/s, p99 ${c.p99_ms?.toFixed(1)} ms, errors ${c.errors}`);
const rates = Object.fromEntries(Object.entries(cal).map(([n, c]) => [n, c.rps * o.load]));
const fdsBeforeList = await idleFds(pid), fdsBefore = fdsBeforeList.length;
log(`soak: ${o.seconds} s at ${o.load} of that (${Object.values(rates).reduce((a, b) => a + b, 0).toFixed(0)} req/s), `
  + `warm-up ${o.warmup} s; ${fdsBefore} descriptors idle`);
const { samples, totals } = await soak(kinds, rates, o.seconds, pid);
const fdsAfterList = await idleFds(pid), fdsAfter = fdsAfterList.length;
const after = proc(pid);
userd.kill('SIGTERM');
const exit = await new Promise((r) => userd.on('exit', (code, sig) => r(code ?? sig)));

const warm = samples.find((s) => s.t >= o.warmup) ?? samples[0];
const last = samples.at(-1);
const errors = Object.values(totals).reduce((a, t) => a + t.errors, 0);
const late = Object.values(totals).reduce((a, t) => a + t.late, 0);
const summary = {
  rss_start_kib: samples[0].rss_base_kib, rss_after_warmup_kib: warm.rss_base_kib, rss_end_kib: last.rss_base_kib,
  rss_max_kib: Math.max(...samples.map((s) => s.rss_base_kib)), vmrss_max_kib: Math.max(...samples.map((s) => s.rss_kib)),
  rss_growth_pct: +((100 * (last.rss_base_kib - warm.rss_base_kib)) / warm.rss_base_kib).toFixed(2),
  fds_idle_before: fdsBefore, fds_idle_after: fdsAfter, fds_new_idle: newFds(fdsBeforeList, fdsAfterList),
  fds_max: Math.max(...samples.map((s) => s.fds)),
  // Under the load (the same client connections all along): the most in the minute after the
  // warm-up, and in the last minute.
  fds_load_after_warmup: Math.max(...samples.filter((s) => s.t >= o.warmup && s.t < o.warmup + 60).map((s) => s.fds)),
  fds_load_end: Math.max(...samples.filter((s) => s.t > last.t - 60).map((s) => s.fds)),
  threads_min: Math.min(...samples.map((s) => s.threads)), threads_max: Math.max(...samples.map((s) => s.threads)),
  threads_after: after.threads, requests: Object.values(totals).reduce((a, t) => a + t.n, 0), errors, late, userd_exit: exit,
  failures_by_reason: why,
  load_avg: os.loadavg(),
  kinds: Object.fromEntries(Object.entries(totals).map(([n, t]) => [n, { target_rps: +rates[n].toFixed(2),
    rps: +(t.n / o.seconds).toFixed(2), n: t.n, errors: t.errors, late: t.late,
    p50_ms: quantile(t.lat, 0.5), p99_ms: quantile(t.lat, 0.99) }])),
};
const failures = [];
if (summary.rss_growth_pct > 10) failures.push(`RSS grew ${summary.rss_growth_pct}% after the warm-up`);
if (summary.fds_new_idle.length) failures.push(`open descriptors grew: idle ${fdsBefore} before, ${fdsAfter} after, new: ${summary.fds_new_idle.join(', ')}`);
if (summary.fds_load_end > summary.fds_load_after_warmup)
  failures.push(`open descriptors grew under load: ${summary.fds_load_after_warmup} after the warm-up, ${summary.fds_load_end} in the last minute`);
if (errors) failures.push(`${errors} requests failed`);
if (exit !== 0) failures.push(`userd exited with ${exit} on SIGTERM`);

fs.mkdirSync(o.out, { recursive: true });
const base = path.join(o.out, `soak-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`);
fs.writeFileSync(`${base}.json`, JSON.stringify({ options: o, machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model },
  calibration: cal, summary, failures, samples }, null, 1));
try { chart(samples, base); } catch (e) { failures.push(`no chart: ${e.message}`); }
keepLog(`${base}.log`);

const f1 = (x) => (x == null ? '–' : x.toFixed(1));
console.log(`\n| kind | max (calibration) req/s | target req/s | served req/s | requests | errors | p50 ms | p99 ms |`);
console.log('|---|---|---|---|---|---|---|---|');
for (const [n, k] of Object.entries(summary.kinds))
  console.log(`| ${n} | ${f1(cal[n].rps)} | ${f1(k.target_rps)} | ${f1(k.rps)} | ${k.n} | ${k.errors} | ${f1(k.p50_ms)} | ${f1(k.p99_ms)} |`);
console.log(`\nRSS without the Argon2id areas ${(summary.rss_start_kib / 1024).toFixed(1)} MiB at the start, ${(summary.rss_after_warmup_kib / 1024).toFixed(1)} after the warm-up, `
  + `${(summary.rss_end_kib / 1024).toFixed(1)} at the end (${summary.rss_growth_pct}%), max ${(summary.rss_max_kib / 1024).toFixed(1)} (VmRSS max ${(summary.vmrss_max_kib / 1024).toFixed(1)}); `
  + `descriptors idle ${fdsBefore} before, ${fdsAfter} after (new but the store's files: ${summary.fds_new_idle.length}), `
  + `under load ${summary.fds_load_after_warmup} after the warm-up, ${summary.fds_load_end} at the end; threads ${summary.threads_min}-${summary.threads_max}; `
  + `${summary.requests} requests, ${errors} errors, ${late} not sent (late); load average at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`files: ${base}.json, ${base}.png, ${base}.log (userd's log without the access lines of successes)`);
for (const [k, n] of Object.entries(why)) console.log(`failed: ${n} x ${k}`);
if (failures.length) {
  console.log(`SOAK FAILED: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('soak passed');
