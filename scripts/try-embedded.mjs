// Manual check of the embedded PostgreSQL: start it, print `select version()`, stop it.
//   node scripts/try-embedded.mjs          # start, query, stop
//   node scripts/try-embedded.mjs --hold   # keep running until Ctrl-C / SIGTERM (for testing
//                                          # reuse by a second process, kill -9 recovery, signals)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const hold = process.argv.includes('--hold');

try {
  const started = Date.now();
  const server = await startEmbeddedPostgres({ dataDir: path.join(root, '.data', 'postgres'), log: console });
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  const { rows } = await client.query('select version()');
  await client.end();
  console.log(rows[0].version);
  console.log(`port ${server.port}, reused ${server.reused}, pid ${process.pid}, ready in ${Date.now() - started} ms`);
  if (hold) {
    console.log('holding; stop with Ctrl-C or SIGTERM');
    // A reusing process has no postgres child keeping it alive, so keep the loop busy.
    setInterval(() => {}, 1 << 30);
  } else {
    await server.stop();
    console.log('stopped');
  }
} catch (err) {
  console.error(err);
  // Explicit exit: embedded-postgres' exit hook ends the process with code 0 on
  // 'beforeExit', which would swallow a plain `process.exitCode = 1`.
  process.exit(1);
}
