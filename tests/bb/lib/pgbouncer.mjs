// PgBouncer (Debian's `pgbouncer`, scripts/deps.sh pg) in transaction mode in
// front of the throwaway PostgreSQL cluster of scripts/pg_test.sh: each test
// that needs it starts its own on a free loopback port, with a temporary
// directory, and stops it at the end.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, sleep } from './harness.mjs';

export const PGBOUNCER = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => fs.existsSync(p));

/**
 * Starts PgBouncer in transaction mode in front of the server of adminUrl
 * (postgresql://user@host:port/db, trust authentication). A small pool
 * (poolSize server connections per database) makes the client connections
 * share server sessions, which is what transaction pooling does under load.
 * @param {string} adminUrl @param {{poolSize?:number}} [o]
 * @returns {Promise<{port:number, url:(db:string)=>string, logs:()=>string, stop:()=>Promise<void>}>}
 */
export async function startPgBouncer(adminUrl, { poolSize = 2 } = {}) {
  if (!PGBOUNCER) throw new Error('pgbouncer not installed (scripts/deps.sh pg)');
  const pg = new URL(adminUrl);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'userd-pgb-'));
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'userlist.txt'), `"${pg.username}" ""\n`);
  fs.writeFileSync(path.join(dir, 'pgbouncer.ini'), [
    '[databases]',
    `* = host=${pg.hostname} port=${pg.port}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${path.join(dir, 'userlist.txt')}`,
    'pool_mode = transaction',
    `default_pool_size = ${poolSize}`,
    'max_client_conn = 1000',
    'server_reset_query =',
    'ignore_startup_parameters = extra_float_digits',
    `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
    '',
  ].join('\n'));
  // PgBouncer will not run as root: as root it runs as the cluster's `postgres` user.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { uid, gid } = fs.statSync('/var/lib/postgresql');
    fs.chownSync(dir, uid, gid);
    for (const f of fs.readdirSync(dir)) fs.chownSync(path.join(dir, f), uid, gid);
  }
  const args = [...(asRoot ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')];
  const proc = spawn(PGBOUNCER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.unref();
  let out = '', exit = null;
  for (const s of [proc.stdout, proc.stderr]) { s.setEncoding('utf8'); s.on('data', (d) => { out += d; }); s.unref?.(); }
  const exited = new Promise((r) => proc.on('exit', (code, sig) => { exit = code ?? sig; r(); }));
  process.on('exit', () => { try { proc.kill('SIGKILL'); } catch {} });
  const deadline = Date.now() + 10000;
  for (;;) {
    if (exit !== null) throw new Error(`pgbouncer exited (${exit}):\n${out}`);
    const up = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); });
      s.on('error', () => r(false));
    });
    if (up) break;
    if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`pgbouncer did not listen:\n${out}`); }
    await sleep(50);
  }
  return {
    port,
    url: (db) => `postgresql://${pg.username}@127.0.0.1:${port}/${db}`,
    logs: () => out,
    async stop() {
      if (exit === null) { proc.kill('SIGTERM'); await Promise.race([exited, sleep(5000)]); }
      if (exit === null) proc.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
