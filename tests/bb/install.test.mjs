// `make install` (docs/operations.md, "Install"): into a DESTDIR, with
// PREFIX; the systemd unit passes `systemd-analyze verify` (and its
// exposure score stays low), the man page is made from the settings table
// and renders without warnings, the example config holds every setting and
// loads, commented or not. And the readiness protocol the unit relies on
// (Type=notify): userd sends READY=1 on NOTIFY_SOCKET once it serves, and
// STOPPING=1 when it stops.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, USERD_BIN, httpRequest, startUserd } from './lib/harness.mjs';

const PG = !!process.env.USERD_TEST_PG_ADMIN_URL;
// The build folder USERD_BIN comes from (<BUILD>/asan/userd): install its optimised twin.
const BUILD = path.relative(REPO, path.dirname(path.dirname(USERD_BIN))) || 'build';

const settings = () => fs.readFileSync(path.join(REPO, 'src/base/config.def'), 'utf8')
  .split('\n').map((l) => l.match(/^S\((\w+), (\w+), \w+, "([^"]*)"/)).filter(Boolean)
  .map(([, sec, key, def]) => ({ sec, key, def }));

describe('make install', { skip: PG && 'runs in the SQLite pass only (it does not touch a store)' }, () => {
  let root;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-install-'));
    const r = spawnSync('make', ['-s', '-C', REPO, 'install', `DESTDIR=${root}`, 'PREFIX=/usr', `BUILD=${BUILD}`],
      { encoding: 'utf8', timeout: 600000 });
    assert.equal(r.status, 0, `make install: ${r.stdout}${r.stderr}`);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test('installs the binary, man page, config, documents and unit under DESTDIR and PREFIX', () => {
    const files = [];
    const walk = (d) => fs.readdirSync(d, { withFileTypes: true })
      .forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : files.push(path.relative(root, path.join(d, e.name)))));
    walk(root);
    assert.deepEqual(files.sort(), [
      'etc/userd/userd.conf',
      'usr/bin/userd',
      'usr/lib/systemd/system/userd.service',
      'usr/share/doc/userd/operations.md',
      'usr/share/doc/userd/userd.conf.example',
      'usr/share/doc/userd/userd.rules.yml',
      'usr/share/man/man8/userd.8',
    ]);
    assert.equal(fs.statSync(path.join(root, 'usr/bin/userd')).mode & 0o777, 0o755);
    const r = spawnSync(path.join(root, 'usr/bin/userd'), ['--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    const unit = fs.readFileSync(path.join(root, 'usr/lib/systemd/system/userd.service'), 'utf8');
    assert.match(unit, /^ExecStart=\/usr\/bin\/userd serve --config \/etc\/userd\/userd\.conf$/m);
    for (const line of ['Type=notify', 'DynamicUser=yes', 'StateDirectory=userd', 'ProtectSystem=strict',
      'NoNewPrivileges=yes', 'PrivateTmp=yes', 'Restart=on-failure', 'LimitNOFILE=65536']) {
      assert.ok(unit.split('\n').includes(line), line);
    }
  });

  test('systemd-analyze verify passes on the installed unit; its exposure stays low', () => {
    // The root needs the units the service depends on (sysinit.target...): the host's, copied beside it.
    const units = path.join(root, 'usr/lib/systemd/system');
    for (const f of fs.readdirSync('/usr/lib/systemd/system')) {
      if (!fs.existsSync(path.join(units, f))) fs.cpSync(path.join('/usr/lib/systemd/system', f), path.join(units, f), { verbatimSymlinks: true, recursive: true });
    }
    const env = { ...process.env, MANPATH: path.join(root, 'usr/share/man'), SYSTEMD_LOG_COLOR: '0' };
    let r = spawnSync('systemd-analyze', ['verify', `--root=${root}`, '/usr/lib/systemd/system/userd.service'],
      { encoding: 'utf8', env, timeout: 60000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'no warnings');
    r = spawnSync('systemd-analyze', ['security', '--offline=true', `--root=${root}`, 'userd.service'],
      { encoding: 'utf8', env, timeout: 60000 });
    const m = r.stdout.match(/Overall exposure level for userd\.service: ([\d.]+)/);
    assert.ok(m, r.stdout + r.stderr);
    assert.ok(Number(m[1]) <= 2, `exposure ${m[1]}`);
  });

  test('the man page userd(8): every setting, and no warning from man', () => {
    const page = path.join(root, 'usr/share/man/man8/userd.8');
    const r = spawnSync('man', ['--warnings', '-l', page], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '100' } });
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^NAME\n\s+userd - one account store/m);
    for (const s of settings()) {
      assert.ok(r.stdout.includes(`--${s.sec}.${s.key}, USERD_${s.sec.toUpperCase()}_${s.key.toUpperCase()}`), `${s.sec}.${s.key}`);
    }
    assert.match(r.stdout, /userd backup FILE/);
  });

  test('the example config has every setting commented at its default, and loads commented or not', () => {
    const conf = path.join(root, 'etc/userd/userd.conf');
    const text = fs.readFileSync(conf, 'utf8');
    assert.equal(text, fs.readFileSync(path.join(root, 'usr/share/doc/userd/userd.conf.example'), 'utf8'));
    for (const s of settings()) assert.ok(text.includes(`\n# ${s.key} = ${s.def}\n`), `${s.sec}.${s.key}`);
    const uncommented = path.join(root, 'all.conf');
    fs.writeFileSync(uncommented, text.replace(/^# (\w+ = .*)$/gm, '$1'));
    for (const file of [conf, uncommented]) {
      const env = { PATH: process.env.PATH, USERD_STORE_URL: `sqlite:${path.join(root, 'u.db')}` };
      const r = spawnSync(path.join(root, 'usr/bin/userd'), ['app', 'list', '--config', file], { encoding: 'utf8', env });
      assert.equal(r.status, 0, `${file}: ${r.stderr}`);
    }
  });
});

/** A Unix datagram socket that collects what is sent to it (a stand-in for systemd's NOTIFY_SOCKET). */
function notifySocket(address) {
  const py = 'import socket,sys\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\n'
    + 's.bind(sys.argv[1].replace("@","\\0",1) if sys.argv[1].startswith("@") else sys.argv[1])\n'
    + 'print("BOUND",flush=True)\nwhile True:\n  print(repr(s.recv(4096).decode()),flush=True)\n';
  const p = spawn('python3', ['-c', py, address], { stdio: ['ignore', 'pipe', 'inherit'] });
  const got = [];
  const waiters = [];
  let buf = '';
  p.stdout.setEncoding('utf8');
  p.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      got.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
      waiters.splice(0).forEach((w) => w());
    }
  });
  const wait = (pred, ms = 10000) => new Promise((resolve, reject) => {
    const check = () => {
      const hit = got.find(pred);
      if (hit !== undefined) { clearTimeout(t); resolve(hit); return true; }
      waiters.push(check);
      return false;
    };
    const t = setTimeout(() => reject(new Error(`nothing matching on the socket: ${got.join(' | ')}`)), ms);
    check();
  });
  return { got, wait, close: () => p.kill() };
}

describe('sd_notify (Type=notify)', () => {
  for (const kind of ['path', 'abstract']) {
    test(`READY=1 once serving, STOPPING=1 on SIGTERM (${kind} socket)`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-notify-'));
      const address = kind === 'path' ? path.join(dir, 'notify') : `@userd-test-${process.pid}-${Date.now()}`;
      const sock = notifySocket(address);
      try {
        await sock.wait((l) => l === 'BOUND');
        const srv = await startUserd({ env: { NOTIFY_SOCKET: address } });
        assert.equal(await sock.wait((l) => l.includes('READY=1')), "'READY=1\\nSTATUS=serving'");
        assert.equal((await httpRequest({ port: srv.ops, path: '/readyz' })).status, 200);
        assert.ok(!sock.got.some((l) => l.includes('STOPPING')));
        assert.equal(await srv.stop(), 0);
        assert.equal(await sock.wait((l) => l.includes('STOPPING=1')), "'STOPPING=1\\nSTATUS=finishing requests in flight'");
        assert.deepEqual(sock.got, ['BOUND', "'READY=1\\nSTATUS=serving'", "'STOPPING=1\\nSTATUS=finishing requests in flight'"]);
      } finally {
        sock.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('without NOTIFY_SOCKET nothing is sent and nothing is logged about it', async () => {
    const srv = await startUserd();
    await srv.stop();
    assert.ok(!srv.logs().some((l) => /NOTIFY_SOCKET|service manager/.test(l)));
  });
});
