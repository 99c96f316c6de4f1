// Helpers of the embedded PostgreSQL launcher (embedded-postgres.mjs): can the postgres OS user
// reach the data folder, is a pid still our postmaster (reuse or clear it), connections, small file helpers.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import pg from 'pg';

// Local-only dev/test server: it listens on 127.0.0.1 only, has no unix socket and keeps
// its data inside the project folder, so a fixed, documented password is good enough.
// Never expose this server or reuse this password for anything else.
export const USER = 'postgres';
export const PASSWORD = 'local-dev-only';
const STALE_STOP_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 15_000;
export const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Throws if the `postgres` OS user cannot traverse `folder` or one of its ancestors.
 * Only meaningful when running as root (otherwise postgres runs as the current user).
 * Folders that do not exist yet are skipped: we create them with mode 755.
 * @param {string} folder
 */
export function checkReachableByPostgresUser(folder) {
  if (!IS_ROOT) {
    return;
  }
  // null: embedded-postgres will create the user with its own new group, so for it only
  // the "others" bits count.
  const ids = postgresUserIds();
  const target = path.resolve(folder);
  // Check the path as written and its symlink-resolved form; the kernel walks both.
  for (const candidate of new Set([target, realpathOfExistingPart(target)])) {
    for (const dir of selfAndAncestors(candidate)) {
      let st;
      try {
        st = fs.statSync(dir);
      } catch (err) {
        // the rest does not exist yet
        if (err.code === 'ENOENT') {
          break;
        }
        throw err;
      }
      if (!canTraverse(st, ids)) {
        const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
        throw new Error(
          `PostgreSQL refuses to run as root, so embedded-postgres runs it as the OS user "postgres", ` +
            `but that user cannot enter the folder ${dir} (mode ${mode}, owner uid ${st.uid}, gid ${st.gid}) ` +
            `and therefore cannot reach ${target}. ` +
            `Fix: run \`chmod o+x ${dir}\` (lets other users pass through the folder, not list it), ` +
            `or clone the project somewhere reachable such as /srv or /tmp.`,
        );
      }
    }
  }
}

export function assertPostgresCanReach(folders) {
  for (const folder of folders) {
    checkReachableByPostgresUser(folder);
  }
}

// Linux permission rules: the owner bits apply to the owner, else the group bits to group
// members, else the others bits (ACLs are not considered).
export function canTraverse(st, ids) {
  if (!ids) {
    return (st.mode & 0o001) !== 0;
  }
  if (st.uid === ids.uid) {
    return (st.mode & 0o100) !== 0;
  }
  if (ids.gids.includes(st.gid)) {
    return (st.mode & 0o010) !== 0;
  }
  return (st.mode & 0o001) !== 0;
}

// Asked once per process (a start checks several folders, each against these ids): one `id` run,
// about 10 ms of blocking spawn each. A missing user is not remembered, since embedded-postgres may
// create it during the start.
let knownPostgresUser = null;

export function postgresUserIds() {
  if (knownPostgresUser) {
    return knownPostgresUser;
  }
  try {
    // C locale, as the labels are translatable: "uid=101(postgres) gid=104(postgres) groups=104(postgres),103(ssl-cert)"
    const line = execFileSync('id', [USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, LC_ALL: 'C' } }).trim();
    const uid = /(?:^|\s)uid=(\d+)/.exec(line);
    const gid = /(?:^|\s)gid=(\d+)/.exec(line);
    const groups = /(?:^|\s)groups=(\S+)/.exec(line);
    if (!uid || !gid) {
      return null;
    }
    const gids = groups ? groups[1].split(',').map((group) => Number.parseInt(group, 10)) : [Number(gid[1])];
    knownPostgresUser = { uid: Number(uid[1]), gid: Number(gid[1]), gids };
    return knownPostgresUser;
  } catch {
    return null; // no such user (yet)
  }
}

export function selfAndAncestors(dir) {
  const chain = [];
  for (let current = dir; ; current = path.dirname(current)) {
    chain.unshift(current);
    if (path.dirname(current) === current) {
      return chain;
    }
  }
}

export function realpathOfExistingPart(target) {
  let existing = target;
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) {
    existing = path.dirname(existing);
  }
  return path.join(fs.realpathSync(existing), path.relative(existing, target));
}

// A pid from postmaster.pid may have been recycled by an unrelated process (after a
// reboot, say), and we must never signal e.g. the system's PostgreSQL: on Linux, only
// trust it if its command line names this data dir, or it runs inside it (the postmaster
// chdirs into its data dir), which also covers a data dir reached through another path.
export function isOurPostmaster(pid, dataDir) {
  if (!isProcessAlive(pid)) {
    return false;
  }
  // no procfs (macOS): trust the pid
  if (!fs.existsSync('/proc/self/cmdline')) {
    return true;
  }
  const cmdline = readText(`/proc/${pid}/cmdline`)?.split('\0') ?? [];
  if (cmdline.includes(dataDir)) {
    return true;
  }
  try {
    return fs.realpathSync(`/proc/${pid}/cwd`) === fs.realpathSync(dataDir);
  } catch {
    return false;
  }
}

export function isProcessAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (err.code !== 'EPERM') {
      return false;
    }
  }
  // A zombie (dead, not yet reaped, e.g. in a container without an init) counts as dead.
  const stat = readText(`/proc/${pid}/stat`);
  return !stat || stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

// Process start time (Linux), so a recycled pid is not mistaken for the original owner.
export function processStartTime(pid) {
  const stat = readText(`/proc/${pid}/stat`);
  return stat ? stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] : null;
}

export function isSameProcess(pid, startTime) {
  if (!isProcessAlive(pid)) {
    return false;
  }
  return !startTime || processStartTime(pid) === startTime;
}

export async function killAndWait(pid, signal, timeoutMs) {
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid) && Date.now() < deadline) {
    await sleep(100);
  }
}

export function findFreePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

export function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

export function writeJson(file, value) {
  // Write-then-rename so a reader never sees half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Handles a postmaster.pid left in the data dir. Returns a handle when a server started
// by another live process of ours can be shared, otherwise clears the way for a fresh start.
export async function reuseOrClearRunningServer({ dataDir, stateFile, log, onServerProcess = () => {} }) {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const pidLines = readText(pidFile)?.split('\n');
  if (!pidLines) {
    return null;
  }
  const postmasterPid = Number(pidLines[0]);

  if (!isOurPostmaster(postmasterPid, dataDir)) {
    log.warn(`[postgres] removing stale ${pidFile} (process ${postmasterPid} is not running postgres on this data dir)`);
    fs.rmSync(pidFile, { force: true });
    return null;
  }

  const state = readJson(stateFile);
  if (state && isSameProcess(state.ownerPid, state.ownerStartTime)) {
    // Another process of ours (e.g. the other product's `npm start`) owns a healthy
    // server: share it. That process stops it; our stop() does nothing.
    const port = Number(pidLines[3]) || state.port;
    const url = buildUrl(state.password ?? PASSWORD, port);
    onServerProcess();
    await waitForConnection(url);
    log.log(`[postgres] reusing embedded PostgreSQL on 127.0.0.1:${port} owned by pid ${state.ownerPid}`);
    return { url, port, stop: async () => {}, reused: true };
  }

  // The process that started it was killed (e.g. kill -9) and left postgres orphaned.
  log.warn(`[postgres] stopping orphaned postgres (pid ${postmasterPid}) left by a killed run`);
  await killAndWait(postmasterPid, 'SIGINT', STALE_STOP_TIMEOUT_MS);
  if (isProcessAlive(postmasterPid)) {
    await killAndWait(postmasterPid, 'SIGKILL', 5_000);
    await sleep(500); // give its backends a moment to notice the postmaster is gone
  }
  if (isProcessAlive(postmasterPid)) {
    throw new Error(`Could not stop orphaned postgres (pid ${postmasterPid})`);
  }
  fs.rmSync(pidFile, { force: true });
  fs.rmSync(stateFile, { force: true });
  return null;
}

// "ready to accept connections" in the log is not proof; a real query is.
export async function waitForConnection(url) {
  const deadline = Date.now() + CONNECT_TIMEOUT_MS;
  let lastError;
  while (Date.now() < deadline) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    client.on('error', () => {}); // errors surface through connect()/query()
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (err) {
      lastError = err;
    } finally {
      await client.end().catch(() => {});
    }
    await sleep(200);
  }
  throw new Error(
    `Embedded PostgreSQL on ${new URL(url).host} did not accept connections within ${CONNECT_TIMEOUT_MS} ms: ` +
      (lastError?.message ?? 'unknown error'),
  );
}

export function buildUrl(password, port) {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}
