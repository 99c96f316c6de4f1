// Jest globalSetup: gives the whole test run one fresh, empty database.
// - DATABASE_URL set: used as an admin connection (superuser, or a role with CREATEDB).
// - otherwise: a throw-away embedded PostgreSQL under .data/test-postgres-<pid>.
// Tests read TEST_DATABASE_URL (Jest runs --runInBand, so process.env is shared with them).
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export default async function globalSetup() {
  // Redis is optional for `npm test` (the machine may have none): the suites that need it check this.
  const redis = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  process.env.TEST_REDIS_REACHABLE = (await reachable(redis.hostname, Number(redis.port || 6379))) ? '1' : '0';
  if (process.env.TEST_REDIS_REACHABLE !== '1') {
    console.warn(`[test-db] no Redis at ${redis.host}: the shared-Redis rate-limit tests are skipped`);
  }
  let adminUrl = process.env.DATABASE_URL;
  let server = null;

  if (adminUrl) {
    console.log(`[test-db] using the server from DATABASE_URL (${describeServer(adminUrl)})`);
  } else {
    server = await startEmbeddedPostgres({
      dataDir: path.join(repoRoot, '.data', `test-postgres-${process.pid}`),
      persistent: false,
      // Keep test output quiet: the leak-path tests provoke ERRORs (RLS, permissions) on purpose;
      // FATAL and PANIC still show.
      log: { log: () => {}, warn: (msg) => (/\bERROR:/.test(msg) ? undefined : console.warn(msg)) },
    });
    adminUrl = server.url;
    console.log(`[test-db] using embedded PostgreSQL at 127.0.0.1:${server.port}`);
  }

  // Timestamp + random suffix: unique even for parallel runs against one shared server,
  // and leftovers from aborted runs are easy to spot (and date) by name.
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14); // yyyymmddhhmmss (UTC)
  const dbName = `test_${stamp}_${crypto.randomBytes(4).toString('hex')}`;

  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
    await admin.query(`create database ${admin.escapeIdentifier(dbName)}`);
  } catch (err) {
    await server?.stop(); // do not leave the embedded server behind when setup fails
    throw err;
  } finally {
    await admin.end().catch(() => {});
  }

  const testUrl = new URL(adminUrl);
  testUrl.pathname = `/${dbName}`;
  process.env.TEST_DATABASE_URL = testUrl.toString();
  process.env.TEST_ADMIN_DATABASE_URL = adminUrl;
  // npm run test:pgbouncer: the apps' runtime pools connect through this URL ({database} = the test database).
  if (process.env.TEST_RUNTIME_DATABASE_URL_TEMPLATE) {
    process.env.TEST_RUNTIME_DATABASE_URL = process.env.TEST_RUNTIME_DATABASE_URL_TEMPLATE.replace('{database}', dbName);
    console.log(`[test-db] runtime pools through ${describeServer(process.env.TEST_RUNTIME_DATABASE_URL)}`);
  }
  // Same realm as globalTeardown, which needs these.
  globalThis.__TEST_DB__ = { adminUrl, dbName, server };
  console.log(`[test-db] test database: ${dbName}`);
}

// host:port (or socket dir) only, never the password.
function describeServer(url) {
  const parsed = new URL(url);
  const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
  return `${host}:${parsed.port || 5432}`;
}

function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}
