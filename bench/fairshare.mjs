#!/usr/bin/env node
// Logins' share of the CPU beside a saturating read load, per password.nice
// (docs/architecture.md, "A bounded, guaranteed share"). For each value:
//   H  = logins/s alone (wrk -t1 -c8 POST /token/user): the machine's hash rate
//        as userd reaches it with nothing else running;
//   p0 = reads' p99 alone (wrk -t2 -c64 GET /user/profile, one token);
//   then both at once for the same time: L = logins/s, p1 = reads' p99.
// Targets: L/H >= 0.25 and p1/p0 <= 2. Also printed: the share of the
// machine's CPU the Argon2id threads (userd-argon2) got meanwhile.
// Each value runs --rounds times, alternating; medians are printed.
//
//   node bench/fairshare.mjs [--bin build/userd] [--secs 10] [--nice 0,1,3,5,20] [--rounds 2]
//
// `make bench` runs it once at userd's default password.nice (fairShare(),
// bench/run.mjs phase 8).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const o = { bin: path.join(REPO, 'build/userd'), secs: 10, nice: [0, 1, 3, 5, 20], rounds: 2 };
const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
for (let i = 2; isMain && i < process.argv.length; i++) {
  const a = process.argv[i], v = process.argv[++i];
  if (a === '--bin') o.bin = path.resolve(v);
  else if (a === '--secs') o.secs = Number(v);
  else if (a === '--nice') o.nice = v.split(',').map(Number);
  else if (a === '--rounds') o.rounds = Number(v);
  else { console.error(`unknown option ${a}`); process.exit(2); }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const PASSWORD = 'bench-password-1';
const NCPU = os.cpus().length;

function req(port, method, p, headers, body) {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port, method, path: p,
      headers: { ...headers, ...(body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}) } }, (s) => {
      let t = '';
      s.on('data', (c) => { t += c; });
      s.on('end', () => resolve(JSON.parse(t)));
    });
    r.on('error', reject);
    if (body) r.write(body);
    r.end();
  });
}

function lua(dir) {
  fs.writeFileSync(path.join(dir, 'reads.lua'), `
local app, tok = os.getenv("APP"), os.getenv("TOK")
request = function()
  return "GET /user/profile HTTP/1.1\\r\\nHost: x\\r\\napp_id: " .. app .. "\\r\\naccess-token: " .. tok .. "\\r\\n\\r\\n"
end
`);
  fs.writeFileSync(path.join(dir, 'logins.lua'), `
local app = os.getenv("APP")
bad = 0
request = function()
  local body = '{"name":"u' .. math.random(1, 20) .. '","password":"${PASSWORD}"}'
  return "POST /token/user HTTP/1.1\\r\\nHost: x\\r\\napp_id: " .. app .. "\\r\\nContent-Type: application/json\\r\\nContent-Length: " .. #body .. "\\r\\n\\r\\n" .. body
end
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, '"code":200', 1, true) then bad = bad + 1 end
end
local threads = {}
setup = function(t) table.insert(threads, t) end
done = function(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  io.write(string.format("LOGINS ok=%d bad=%d secs=%.3f\\n", summary.requests - b, b, summary.duration / 1e6))
end
`);
}

async function start(nice, dir) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const p = spawn(o.bin, ['serve'], {
    env: { ...process.env, USERD_STORE_URL: `sqlite:${dir}/userd.db`, USERD_DATA_DIR: dir, USERD_IM_LISTEN: `127.0.0.1:${port}`,
      USERD_LIVE_LISTEN: 'off', USERD_APP_LISTEN: 'off', ...(nice == null ? {} : { USERD_PASSWORD_NICE: String(nice) }) },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  for (let i = 0; ; i++) {
    try { await req(port, 'GET', '/healthz', {}); break; } catch { if (i > 200) throw new Error('userd did not start'); await sleep(50); }
  }
  const app = JSON.parse(fs.readFileSync(`${dir}/default-app.json`, 'utf8'));
  for (let i = 1; i <= 20; i++)
    await req(port, 'POST', '/user/register/v2', { app_id: app.app_id }, JSON.stringify({ username: `u${i}`, password: PASSWORD }));
  const tok = (await req(port, 'POST', '/token/user', { app_id: app.app_id }, JSON.stringify({ name: 'u1', password: PASSWORD }))).data.token;
  return { p, port, env: { APP: app.app_id, TOK: tok } };
}

function wrk(args, env, cwd) {
  return new Promise((resolve) => {
    const w = spawn('wrk', args, { env: { ...process.env, ...env }, cwd });
    let out = '';
    w.stdout.on('data', (c) => { out += c; });
    w.on('exit', () => resolve(out));
  });
}
const p99 = (out) => {
  const m = out.match(/99%\s+([\d.]+)(us|ms|s)\b/);
  return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]] : NaN;
};
const p50 = (out) => {
  const m = out.match(/50%\s+([\d.]+)(us|ms|s)\b/);
  return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]] : NaN;
};
const rate = (out) => Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1]);
const logins = (out) => { const m = out.match(/LOGINS ok=(\d+) bad=(\d+) secs=([\d.]+)/); return m ? Number(m[1]) / Number(m[3]) : NaN; };

function argon2Ticks(pid) {
  let t = 0;
  for (const id of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const st = fs.readFileSync(`/proc/${pid}/task/${id}/stat`, 'utf8');
      if (!st.includes('(userd-argon2)')) continue;
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      t += Number(f[11]) + Number(f[12]);
    } catch { /* gone */ }
  }
  return t;
}

async function once(nice) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-fair-'));
  lua(dir);
  const s = await start(nice, dir);
  const url = `http://127.0.0.1:${s.port}/`;
  const reads = ['-t2', '-c64', `-d${o.secs}s`, '--latency', '-s', 'reads.lua', url];
  const flood = ['-t1', '-c8', `-d${o.secs}s`, '-s', 'logins.lua', url];
  try {
    const alone = await wrk(reads, s.env, dir);
    const p0 = p99(alone);
    const H = logins(await wrk(flood, s.env, dir));
    await sleep(1000);
    const a0 = argon2Ticks(s.p.pid), t0 = Date.now();
    const [both, lg] = await Promise.all([wrk(reads, s.env, dir), wrk(flood, s.env, dir)]);
    const cpu = (argon2Ticks(s.p.pid) - a0) / 100 / ((Date.now() - t0) / 1000) / NCPU;
    const L = logins(lg), p1 = p99(both);
    return { nice, H, L, share: L / H, p0, p1, ratio: p1 / p0, argon2_cpu: cpu,
      reads_rps_alone: rate(alone), reads_rps_beside: rate(both), reads_p50_alone: p50(alone), reads_p50_beside: p50(both),
      login_errors: Number(lg.match(/bad=(\d+)/)?.[1] ?? NaN) };
  } finally {
    s.p.kill('SIGTERM');
    await new Promise((r) => s.p.on('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One measurement at userd's default password.nice (for `make bench`):
 * {H, L, share: L/H, p0, p1, ratio: p1/p0, ...} as above.
 */
export async function fairShare({ bin, secs }) {
  o.bin = bin;
  o.secs = secs;
  return once(null);
}

if (isMain) await cli();

async function cli() {
  const runs = {};
  for (let r = 0; r < o.rounds; r++)
    for (const n of o.nice) {
      const x = await once(n);
      (runs[n] ||= []).push(x);
      console.error(`[fairshare] nice ${n}: ${JSON.stringify(x)}`);
    }
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
  console.log(`password.nice | logins/s alone (H) | logins/s beside reads (L) | L/H (>= 0.25) | reads p99 alone ms | beside logins ms | ratio (<= 2) | Argon2id CPU share`);
  for (const n of o.nice) {
    const xs = runs[n], m = (k) => median(xs.map((x) => x[k]));
    console.log(`${n} | ${m('H').toFixed(1)} | ${m('L').toFixed(1)} | ${m('share').toFixed(2)} | ${m('p0').toFixed(2)} | ${m('p1').toFixed(2)} | ${m('ratio').toFixed(2)} | ${(100 * m('argon2_cpu')).toFixed(0)}%`);
  }
}
