// Starts the embedded PostgreSQL on a data dir (plain Node, never transformed by Jest), runs the SQL of
// argv[3] as the superuser, prints {"rows"} as one line of JSON, and stops the server.
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.mjs';

const [dataDir, sql = 'select 1 as ok'] = process.argv.slice(2);
const server = await startEmbeddedPostgres({ dataDir, persistent: true, log: { log: () => {}, warn: () => {} } });
try {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  const { rows } = await client.query(sql);
  await client.end();
  process.stdout.write(`${JSON.stringify({ rows })}\n`);
} finally {
  await server.stop();
}
