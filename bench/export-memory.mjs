// Peak memory of `npm run products -- export` as the table grows: not a test, a measurement.
// Needs DATABASE_URL (an admin connection); creates a scratch database, fills faq_analytics of
// bestays up to each of EXPORT_SIZES rows in turn (generated in SQL; default 100,000 and
// 1,000,000) next to 1,000 rows of realestate, and at each size runs the built CLI under
// /usr/bin/time -v (peak RSS) once per V8 setting (see HEAPS); the 1,000-row product, exported
// first, is the floor (Node, the migrations check, the connections). Checks each manifest, writes
// bench/results/export-memory-<date>.json and .md, and drops the database.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/export-memory.mjs
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { prepareDatabase } = require(join(root, 'dist', 'database', 'migrate.js'));
const SIZES = (process.env.EXPORT_SIZES ?? '100000,1000000').split(',').map(Number);
// The V8 flags `npm run products` runs the CLI with (read from package.json, so they stay in step),
// the old-space limit alone (what it used before), and Node's defaults.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const cliFlags = /node ((?:--[a-z-]+=\d+ ?)+) dist\/products\/cli\/products\.cli\.js/.exec(pkg.scripts.products)?.[1].trim();
if (!cliFlags) {
  throw new Error('package.json: the products script no longer runs node <flags> dist/products/cli/products.cli.js');
}
const HEAPS = [
  { name: `npm run products (${cliFlags})`, nodeOptions: cliFlags },
  { name: 'old space only (--max-old-space-size=128)', nodeOptions: '--max-old-space-size=128' },
  { name: 'default heap', nodeOptions: '' },
];
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

// One export as an operator runs it; peak RSS from GNU time, the rest from the manifest.
function exportOnce(url, out, nodeOptions, product = 'bestays') {
  const started = Date.now();
  const result = spawnSync('/usr/bin/time', ['-v', process.execPath, join(root, 'dist', 'products', 'cli', 'products.cli.js'), 'export', product, '--out', out], {
    env: { ...process.env, DATABASE_URL: url, NODE_OPTIONS: nodeOptions },
    encoding: 'utf8',
  });
  const seconds = (Date.now() - started) / 1000;
  if (result.status !== 0) {
    throw new Error(result.stderr);
  }
  const peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)?.[1]);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  const analytics = manifest.files.find((f) => f.table === 'faq_analytics');
  return { seconds, peakRssMb: Math.round(peakKb / 1024), rows: analytics.rows, ndjsonMb: Math.round(analytics.bytes / 1e6) };
}

await query(admin, `create database ${name}`);
const url = new URL(admin);
url.pathname = `/${name}`;
const quiet = { log: () => undefined, warn: () => undefined };
const work = mkdtempSync(join(tmpdir(), 'export-bench-'));
const runs = [];
try {
  const runtimes = {};
  for (const product of ['bestays', 'realestate']) {
    runtimes[product] = await prepareDatabase(url.toString(), product, quiet);
  }
  const fill = (product, from, to) =>
    query(
      runtimes[product],
      `insert into faq_analytics (id, product, kind, query, hit_count, created_at, updated_at)
       select gen_random_uuid(), $1, 'search', 'how do I cancel my booking number ' || g, g % 7, now(), now() from generate_series($2::int, $3::int) g`,
      [product, from, to],
    );
  await fill('realestate', 1, 1_000);
  {
    const out = join(work, 'floor');
    const run = { rows: 1_000, heap: HEAPS[0].name, ...exportOnce(url.toString(), out, HEAPS[0].nodeOptions, 'realestate') };
    runs.push(run);
    console.log(`floor (1,000 rows): peak RSS ${run.peakRssMb} MB`);
  }
  let filled = 0;
  for (const size of SIZES) {
    await fill('bestays', filled + 1, size);
    filled = size;
    await query(url.toString(), 'vacuum analyze faq_analytics');
    for (const heap of HEAPS) {
      const out = join(work, `${size}-${runs.length}`);
      const run = { rows: size, heap: heap.name, ...exportOnce(url.toString(), out, heap.nodeOptions) };
      rmSync(out, { recursive: true, force: true });
      if (run.rows !== size) {
        throw new Error(`exported ${run.rows} rows, expected ${size}`);
      }
      runs.push(run);
      console.log(`${size} rows, ${heap.name}: ${run.seconds.toFixed(1)} s, ${run.ndjsonMb} MB NDJSON, peak RSS ${run.peakRssMb} MB`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  await query(admin, `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [name]);
  await query(admin, `drop database ${name}`);
  // Its runtime roles are named after it (cluster-wide objects: they would outlive it).
  for (const product of ['bestays', 'realestate']) {
    await query(admin, `drop role if exists "${name}_app_${product}"`);
  }
}

const date = new Date().toISOString().slice(0, 10);
const results = join(root, 'bench', 'results');
mkdirSync(results, { recursive: true });
const machine = { cpus: cpus().length, loadAverage1m: Number(loadavg()[0].toFixed(2)), node: process.version, postgres: new URL(admin).host };
writeFileSync(join(results, `export-memory-${date}.json`), `${JSON.stringify({ date, machine, runs }, null, 2)}\n`);
const table = [
  '| rows | heap | seconds | NDJSON MB | peak RSS MB |',
  '|---:|---|---:|---:|---:|',
  ...runs.map((r) => `| ${r.rows.toLocaleString('en')} | ${r.heap} | ${r.seconds.toFixed(1)} | ${r.ndjsonMb} | ${r.peakRssMb} |`),
];
writeFileSync(
  join(results, `export-memory-${date}.md`),
  `# Export memory, ${date}\n\n\`node bench/export-memory.mjs\`: \`export bestays\` of a faq_analytics table filled in SQL, peak RSS from \`/usr/bin/time -v\`` +
    ` (${machine.cpus} cores, load ${machine.loadAverage1m}, ${machine.node}, PostgreSQL at ${machine.postgres}).\n\n${table.join('\n')}\n`,
);
console.log(table.join('\n'));
