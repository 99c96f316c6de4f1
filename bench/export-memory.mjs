// Peak memory of `npm run products -- export` on a large table: not a test, a measurement.
// Needs DATABASE_URL (an admin connection); creates a scratch database, fills faq_analytics of
// bestays with EXPORT_ROWS rows (default 1,000,000) and 1,000 of realestate, runs the built CLI
// under /usr/bin/time -v (peak RSS), checks the manifest, and drops the database.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/export-memory.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { prepareDatabase } = require(join(root, 'dist', 'database', 'migrate.js'));
const ROWS = Number(process.env.EXPORT_ROWS ?? 1_000_000);
const admin = process.env.DATABASE_URL;
if (!admin) {
  console.error('DATABASE_URL must name an admin connection');
  process.exit(1);
}

const name = `bench_export_${Date.now()}`;
const query = async (url, sql, params) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
};
await query(admin, `create database ${name}`);
const url = new URL(admin);
url.pathname = `/${name}`;
const quiet = { log: () => undefined, warn: () => undefined };
const out = mkdtempSync(join(tmpdir(), 'export-bench-'));
try {
  for (const [product, rows] of [['bestays', ROWS], ['realestate', 1_000]]) {
    const runtime = await prepareDatabase(url.toString(), product, quiet);
    await query(
      runtime,
      `insert into faq_analytics (id, product, kind, query, hit_count, created_at, updated_at)
       select gen_random_uuid(), $1, 'search', 'how do I cancel my booking number ' || g, g % 7, now(), now() from generate_series(1, $2) g`,
      [product, rows],
    );
  }
  const started = Date.now();
  const result = spawnSync('/usr/bin/time', ['-v', process.execPath, join(root, 'dist', 'products', 'cli', 'products.cli.js'), 'export', 'bestays', '--out', join(out, 'x')], {
    env: { ...process.env, DATABASE_URL: url.toString(), NODE_OPTIONS: process.env.EXPORT_NODE_OPTIONS ?? '--max-old-space-size=128' },
    encoding: 'utf8',
  });
  const seconds = (Date.now() - started) / 1000;
  if (result.status !== 0) {
    throw new Error(result.stderr);
  }
  const peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)?.[1]);
  const manifest = JSON.parse(readFileSync(join(out, 'x', 'manifest.json'), 'utf8'));
  const analytics = manifest.files.find((f) => f.table === 'faq_analytics');
  console.log(`exported ${analytics.rows} faq_analytics rows (${(analytics.bytes / 1e6).toFixed(0)} MB NDJSON) in ${seconds.toFixed(1)} s; peak RSS ${(peakKb / 1024).toFixed(0)} MB`);
} finally {
  rmSync(out, { recursive: true, force: true });
  await query(admin, `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [name]);
  await query(admin, `drop database ${name}`);
}
