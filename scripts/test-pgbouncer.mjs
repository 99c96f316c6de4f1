// `npm run test:pgbouncer`: the e2e suite with every app's runtime pool going through PgBouncer in
// transaction pooling mode (migrations and role provisioning stay on the direct owner connection,
// as MIGRATION_DATABASE_URL does in production). Uses the system's `pgbouncer` (Debian package).
//
// DATABASE_URL: the PostgreSQL to test against (default postgres://postgres@127.0.0.1:5432/postgres).
// Extra arguments go to jest (e.g. a test file).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { userInfo } from 'node:os';

const adminUrl = new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
const pgbouncerBin = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((path) => existsSync(path)) ?? 'pgbouncer';

if (spawnSync(pgbouncerBin, ['--version']).status !== 0) {
  console.error('test:pgbouncer: `pgbouncer` is not installed (Debian: apt-get install -y pgbouncer)');
  process.exit(1);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function answers(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

const dir = mkdtempSync('/tmp/pgbouncer-test-');
chmodSync(dir, 0o755);
const port = await freePort();
const serverHost = adminUrl.hostname || '127.0.0.1';
const serverPort = adminUrl.port || '5432';
const authUser = decodeURIComponent(adminUrl.username || 'postgres');
const quote = (value) => `"${value.replace(/"/g, '""')}"`;

// Clients log in with SCRAM: PgBouncer checks their password against the SCRAM secret the server
// holds (auth_query, run as the owner), so it is really each product's runtime role that connects.
writeFileSync(join(dir, 'userlist.txt'), `${quote(authUser)} ${quote(decodeURIComponent(adminUrl.password))}\n`, { mode: 0o600 });
writeFileSync(
  join(dir, 'pgbouncer.ini'),
  `[databases]
* = host=${serverHost} port=${serverPort}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
pool_mode = transaction
auth_type = scram-sha-256
auth_file = ${join(dir, 'userlist.txt')}
auth_user = ${authUser}
auth_query = SELECT usename, passwd FROM pg_shadow WHERE usename = $1
max_client_conn = 1000
default_pool_size = 20
logfile = ${join(dir, 'pgbouncer.log')}
pidfile = ${join(dir, 'pgbouncer.pid')}
log_connections = 1
log_disconnections = 0
`,
);

// PgBouncer refuses to run as root: then it runs as the postgres OS user.
const args = [join(dir, 'pgbouncer.ini')];
if (userInfo().uid === 0) {
  const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (ids.status !== 0) {
    console.error('test:pgbouncer: running as root needs a `postgres` OS user for PgBouncer to run as');
    process.exit(1);
  }
  for (const path of [dir, join(dir, 'userlist.txt'), join(dir, 'pgbouncer.ini')]) {
    chownSync(path, Number(ids.stdout), Number(gid.stdout));
  }
  args.unshift('-u', 'postgres');
}

// Its log (connections, warnings when the test teardown terminates backends) goes to the log file only.
const bouncer = spawn(pgbouncerBin, args, { stdio: 'ignore' });
let bouncerExited = false;
bouncer.once('exit', () => (bouncerExited = true));

function stopBouncer() {
  if (!bouncerExited) {
    bouncer.kill('SIGTERM');
  }
}
process.on('SIGINT', () => {
  stopBouncer();
  process.exit(130);
});

let code = 1;
try {
  const deadline = Date.now() + 15_000;
  while (!(await answers(port))) {
    if (bouncerExited || Date.now() > deadline) {
      throw new Error(`PgBouncer did not start: ${existsSync(join(dir, 'pgbouncer.log')) ? readFileSync(join(dir, 'pgbouncer.log'), 'utf8') : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.log(`test:pgbouncer: PgBouncer (transaction pooling) on 127.0.0.1:${port} in front of ${serverHost}:${serverPort}`);

  const runtimeTemplate = `postgres://127.0.0.1:${port}/{database}`;
  const jestArgs = process.argv.slice(2);
  const jest = spawnSync('jest', ['--runInBand', ...(jestArgs.length > 0 ? jestArgs : ['--testPathPattern', '\\.e2e-spec\\.ts$'])], {
    stdio: 'inherit',
    env: { ...process.env, DATABASE_URL: adminUrl.toString(), TEST_RUNTIME_DATABASE_URL_TEMPLATE: runtimeTemplate },
  });
  code = jest.status ?? 1;

  // Proof that the runtime roles really came through PgBouncer, not around it.
  const log = existsSync(join(dir, 'pgbouncer.log')) ? readFileSync(join(dir, 'pgbouncer.log'), 'utf8') : '';
  const logins = new Set([...log.matchAll(/login attempt: db=\S+ user=(\S+_app_\w+)/g)].map((match) => match[1]));
  if (logins.size === 0) {
    console.error('test:pgbouncer: no runtime role logged in through PgBouncer; the suite did not use it');
    code = code || 1;
  } else {
    console.log(`test:pgbouncer: runtime roles that logged in through PgBouncer: ${[...logins].sort().join(', ')}`);
  }
} catch (error) {
  console.error(`test:pgbouncer: ${error instanceof Error ? error.message : String(error)}`);
  code = 1;
} finally {
  stopBouncer();
  await new Promise((resolve) => (bouncerExited ? resolve() : bouncer.once('exit', resolve)));
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
