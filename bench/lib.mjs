// Shared bench helpers: a scratch database on the server of BENCH_DATABASE_URL, SQL data generation,
// spawning servers, autocannon, and reading CPU profiles.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const require = createRequire(import.meta.url);
export const NODE = join(root, 'node_modules', '.bin', 'node');

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function query(url, sql, params = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** A new empty database next to `adminUrl`'s; returns its URL and a drop function. */
export async function scratchDatabase(adminUrl) {
  const name = `bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await query(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await query(adminUrl, 'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
      await query(adminUrl, `drop database if exists ${name}`);
    },
  };
}

/** Migrations, runtime role and demo seed of `product`, exactly as the app does them. */
export async function prepareProduct(url, product, appDir = root) {
  const quiet = { log: () => undefined, warn: () => undefined, error: console.error };
  const { prepareDatabase } = require(join(appDir, 'dist', 'database', 'migrate.js'));
  const runtimeUrl = await prepareDatabase(url, product, quiet);
  await run(NODE, [join(appDir, 'dist', 'seed', 'seed.cli.js')], { DATABASE_URL: url, PRODUCT: product });
  return runtimeUrl;
}

export function run(command, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited with ${code}`))));
  });
}

/** A signed-in user of `product` made the way Clerk does it (a row), for created_by and /users/me. */
export async function ensureUser(url, product, clerkUserId, role) {
  const rows = await query(
    url,
    `insert into users (id, product, clerk_user_id, role, created_at, updated_at) values ($1, $2, $3, $4, now(), now())
     on conflict (product, clerk_user_id) do update set role = excluded.role returning id`,
    [randomUUID(), product, clerkUserId, role],
  );
  return rows[0].id;
}

/**
 * Brings `product` to `total` properties (90% published), generated in SQL: distinct millisecond
 * timestamps going back in time, so the newest-first order is the index order.
 */
export async function growProperties(url, product, userId, total) {
  const [{ n }] = await query(url, 'select count(*)::int as n from properties where product = $1', [product]);
  if (n >= total) {
    return 0;
  }
  const started = Date.now();
  await query(
    url,
    `insert into properties (id, product, title, description, price_minor, currency, bedrooms, bathrooms, address, published, created_by, created_at, updated_at)
     select gen_random_uuid(), $1, 'Generated home ' || g, 'A generated listing for the benchmark.', 10000 + g, 'EUR', g % 6, 1 + g % 3,
            g || ' Bench Street', g % 10 <> 0, $2, timestamp '2020-01-01' + g * interval '1 ms', now()
     from generate_series($3::int + 1, $4::int) g`,
    [product, userId, n, total],
  );
  // As autovacuum would in time: the visibility map lets the capped count use an index-only scan.
  await query(url, 'vacuum analyze properties');
  return Date.now() - started;
}

export async function spawnServer(args, env, { port } = {}) {
  const listenPort = port ?? (await freePort());
  const started = process.hrtime.bigint();
  const child = spawn(NODE, args, {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(listenPort) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitReady(`http://127.0.0.1:${listenPort}`, child, env.READY_PATH ?? '/api/health');
  return { port: listenPort, child, bootMs: Number(process.hrtime.bigint() - started) / 1e6, base: `http://127.0.0.1:${listenPort}` };
}

async function waitReady(base, child, path, timeoutMs = 120_000) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null) {
      throw new Error(`server exited with ${child.exitCode}`);
    }
    try {
      if ((await fetch(`${base}${path}`)).status === 200) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${base} did not become ready`);
}

export function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) {
      return resolve();
    }
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

export function rssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return null;
  }
}

export function load({ url, method = 'GET', headers = {}, body, seconds, connections, requests }) {
  return new Promise((resolve, reject) => {
    autocannon(
      { url, method, headers, body, duration: seconds, connections, requests, timeout: 20 },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/** The functions with the most self time in the newest .cpuprofile of `dir`. */
export function profileTop(dir, count = 15, lastSeconds = Infinity, tailSeconds = 0) {
  return topShares(dir, count, lastSeconds, tailSeconds, (f, where) => `${f.functionName || '(anonymous)'} ${where}`.trim());
}

/** Self time summed per npm package (or `app`, `node:` internals, native): where a request's CPU goes. */
export function profileByPackage(dir, count = 12, lastSeconds = Infinity, tailSeconds = 0) {
  return topShares(dir, count, lastSeconds, tailSeconds, (f) => {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f.url)?.[1];
    return pkg ?? (f.url.includes('/dist/') ? 'app (dist/)' : f.url.startsWith('node:') ? 'node: internals' : f.url ? f.url : `native ${f.functionName}`);
  }).map(({ fn, selfPct }) => ({ package: fn, selfPct }));
}

function topShares(dir, count, lastSeconds, tailSeconds, keyOf) {
  const file = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile')).sort().pop();
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const self = new Map();
  const dt = profile.timeDeltas;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  let total = 0;
  // Only the load window (`lastSeconds` ending `tailSeconds` before exit): neither boot-time module
  // loading nor the shutdown (closing the pool) is the hot path.
  const times = [];
  dt.reduce((t, d, i) => (times[i] = t + d), profile.startTime);
  const to = profile.endTime - tailSeconds * 1e6;
  const from = to - lastSeconds * 1e6;
  profile.samples.forEach((id, i) => {
    if (times[i] < from || times[i] > to) {
      return;
    }
    const node = byId.get(id);
    const f = node.callFrame;
    const where = f.url ? `${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${f.lineNumber + 1}` : '';
    const key = keyOf(f, where);
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
    total += dt[i] ?? 0;
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([fn, us]) => ({ fn, selfPct: Number(((100 * us) / total).toFixed(1)) }));
}
