// `npm run bench`: the app beside a bare node:http + pg server and a hand-written NestJS + MikroORM
// peer, on one database, the same data and routes. Not a test: it prints a table and writes
// bench/results/<date>.json and .svg. See README "Benchmark" for the variables.
import { generateKeyPairSync } from 'node:crypto';
import { cpus } from 'node:os';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { explainHotQueries } from './explain.mjs';
import { ensureUser, growProperties, load, prepareProduct, query, root, rssMb, scratchDatabase, spawnServer, stop } from './lib.mjs';
import { chart } from './svg.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
const SIZES = (process.env.BENCH_SIZES ?? (QUICK ? '10000' : '10000,100000,1000000')).split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 2 : 5));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
// Unmeasured load on each server and route before the rounds: every server is measured with its JIT warm.
const WARMUP = Number(process.env.BENCH_WARMUP ?? (QUICK ? 0 : 2));
// e.g. BENCH_ROUTES='by id,users/me': only the routes whose name contains one of these.
const ROUTE_FILTER = process.env.BENCH_ROUTES?.split(',').map((part) => part.trim().toLowerCase()).filter(Boolean);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BASELINE = process.env.BENCH_BASELINE_DIR; // optional: another build of the app (e.g. main) as a 4th server
const PRODUCTS = ['bestays', 'realestate'];
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const log = (line) => console.log(`[bench] ${line}`);

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const token = await new SignJWT({ sid: 'bench' }).setProtectedHeader({ alg: 'RS256' }).setSubject('user_bench_agent').setIssuedAt().setExpirationTime('2h').sign(privateKey);
const auth = { authorization: `Bearer ${token}` };

// 1. Boot on the embedded database: cold (initdb, migrations, seed) and warm (initialised data dir).
const boot = {};
if (process.env.BENCH_SKIP_BOOT !== '1') {
  const dataDir = join(tmpdir(), `bench-pg-${Date.now()}`);
  const env = { PRODUCT: 'bestays', DATABASE_URL: '', EMBEDDED_PG_DATA_DIR: dataDir, CLERK_JWT_KEY: publicPem };
  const cold = await spawnServer([join(root, 'dist', 'main.js')], env);
  boot.coldMs = Math.round(cold.bootMs);
  await stop(cold.child);
  const warm = await spawnServer([join(root, 'dist', 'main.js')], env);
  boot.warmMs = Math.round(warm.bootMs);
  await stop(warm.child);
  rmSync(dataDir, { recursive: true, force: true });
  log(`cold start ${boot.coldMs} ms, warm start ${boot.warmMs} ms (embedded PostgreSQL, built)`);
}

// 2. One scratch database, both products migrated and seeded the way the app does it.
const db = await scratchDatabase(ADMIN_URL);
const servers = {};
const results = [];
let plans = [];
try {
  const runtimeUrl = {};
  const agentId = {};
  for (const product of PRODUCTS) {
    runtimeUrl[product] = await prepareProduct(db.url, product);
    agentId[product] = await ensureUser(db.url, product, 'user_bench_agent', 'agent');
  }
  // The bench measures throughput, not the rate limits (which would answer most of it with 429s).
  const unlimited = Object.fromEntries(['SEARCH', 'PUBLIC', 'CHAT', 'READ', 'WRITE', 'WEBHOOK'].map((name) => [`RATE_LIMIT_${name}`, '100000000']));
  const common = { PRODUCT: 'bestays', CLERK_JWT_KEY: publicPem, ...unlimited, MAX_IN_FLIGHT: '100000' };
  servers.app = await spawnServer([join(root, 'dist', 'main.js')], { ...common, DATABASE_URL: db.url });
  servers.bare = await spawnServer([join(root, 'bench', 'bare-server.mjs')], { ...common, DATABASE_URL: runtimeUrl.bestays });
  servers.peer = await spawnServer([join(root, 'bench', 'peer', 'main.mjs')], { ...common, DATABASE_URL: db.url });
  if (BASELINE) {
    servers.baseline = await spawnServer([join(BASELINE, 'dist', 'main.js')], { ...common, DATABASE_URL: db.url });
  }
  const names = Object.keys(servers);

  for (const size of SIZES) {
    for (const product of PRODUCTS) {
      const ms = await growProperties(db.url, product, agentId[product], size);
      log(`${product}: ${size} properties (${ms ? `generated in ${(ms / 1000).toFixed(1)} s` : 'already there'})`);
    }
    // Targets: a property from the middle, and the position 5,000 rows deep in the public order.
    const [{ published }] = await query(db.url, `select count(*)::int as published from properties where product = 'bestays' and published`);
    const [middle] = await query(db.url, `select id from properties where product = 'bestays' and published order by created_at desc, id desc offset $1 limit 1`, [Math.floor(published / 2)]);
    const [deep] = await query(db.url, `select id, created_at from properties where product = 'bestays' and published order by created_at desc, id desc offset 4999 limit 1`);
    const appCursor = (await (await fetch(`${servers.app.base}/api/v1/properties?offset=4980&limit=20`)).json()).nextCursor;
    const handCursor = Buffer.from(JSON.stringify([deep.created_at.toISOString(), deep.id])).toString('base64url');
    const routes = [
      { name: 'list first page', path: () => '/api/v1/properties' },
      { name: 'list cursor 5,000 deep', path: (s) => `/api/v1/properties?cursor=${encodeURIComponent(s === 'app' ? appCursor : handCursor)}`, skip: ['baseline'] },
      { name: 'property by id', path: () => `/api/v1/properties/${middle.id}` },
      { name: 'FAQ search', path: () => `/api/v1/faq/search?q=${encodeURIComponent('can I bring my dog')}`, only: ['app', 'baseline'] },
      { name: 'GET /users/me', path: () => '/api/v1/users/me', headers: auth },
      {
        name: 'POST /admin/properties',
        path: () => '/api/v1/admin/properties',
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Bench villa', priceMinor: 100, currency: 'EUR', bedrooms: 1, bathrooms: 1, address: 'x' }),
      },
    ];
    const chosen = routes.filter((route) => !ROUTE_FILTER || ROUTE_FILTER.some((part) => route.name.toLowerCase().includes(part)));
    const serversOf = (route) => names.filter((s) => !(route.skip ?? []).includes(s) && (!route.only || route.only.includes(s)));
    if (WARMUP > 0) {
      for (const route of chosen) {
        for (const server of serversOf(route)) {
          const { method, headers, body } = route;
          await load({ url: `${servers[server].base}${route.path(server)}`, method, headers, body, seconds: WARMUP, connections: CONNECTIONS });
        }
      }
    }
    const samples = new Map();
    for (let round = 0; round < ROUNDS; round++) {
      for (const route of chosen) {
        // Interleaved: every server gets each route once per round, in a rotating order.
        const order = serversOf(route);
        const rotated = [...order.slice(round % order.length), ...order.slice(0, round % order.length)];
        for (const server of rotated) {
          const result = await load({
            url: `${servers[server].base}${route.path(server)}`,
            method: route.method,
            headers: route.headers,
            body: route.body,
            seconds: SECONDS,
            connections: CONNECTIONS,
          });
          if (route.method === 'POST') {
            // Its rows are the newest and unpublished: left in place, every later first page of the
            // list would step over them (thousands after a few rounds). Removed after each sample.
            await query(db.url, `delete from properties where title = 'Bench villa'`);
          }
          const key = `${route.name}|${server}`;
          const list = samples.get(key) ?? [];
          list.push({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, bad: result.errors + result.timeouts + result.non2xx });
          samples.set(key, list);
        }
      }
    }
    for (const [key, list] of samples) {
      const [route, server] = key.split('|');
      results.push({
        size,
        route,
        server,
        rps: Math.round(median(list.map((s) => s.rps))),
        p50: median(list.map((s) => s.p50)),
        p99: median(list.map((s) => s.p99)),
        errors: list.reduce((n, s) => n + s.bad, 0),
      });
    }
    log(`size ${size} done`);
  }
  const rss = Object.fromEntries(names.map((name) => [name, rssMb(servers[name].child.pid)?.toFixed(0)]));
  await query(db.url, 'vacuum analyze properties');
  plans = await explainHotQueries(runtimeUrl.bestays, Math.max(...SIZES));
  for (const name of names) {
    await stop(servers[name].child);
  }

  // 3. Report.
  console.table(results.map((r) => ({ size: r.size, route: r.route, server: r.server, 'req/s': r.rps, 'p50 ms': r.p50, 'p99 ms': r.p99, errors: r.errors })));
  for (const plan of plans) {
    console.log(`\n-- ${plan.name}: ${plan.ok ? 'OK' : 'CHECK FAILED'} (${plan.reason})\n${plan.text}`);
  }
  const targets = evaluate(results, boot);
  console.table(targets);
  console.log(`RSS after load (MB): ${JSON.stringify(rss)}`);
  const date = new Date().toISOString().slice(0, 10);
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  // BENCH_LABEL (e.g. `10k`) keeps a partial run from replacing the day's full one.
  const label = process.env.BENCH_LABEL ? `-${process.env.BENCH_LABEL.replace(/[^\w.-]/g, '')}` : '';
  const file = join(dir, `${date}${QUICK ? '-quick' : ''}${label}.json`);
  writeFileSync(
    file,
    JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: cpus().length, quick: QUICK, seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS, boot, rssMb: rss, results, targets, plans }, null, 2),
  );
  writeFileSync(file.replace(/\.json$/, '.svg'), chart(results, `req/s, autocannon ${CONNECTIONS} connections, ${process.version}`));
  log(`written ${file} and .svg`);
  const failedPlans = plans.filter((plan) => !plan.ok);
  const broken = results.filter((r) => r.errors > 0 && r.server === 'app');
  if (failedPlans.length > 0 || broken.length > 0) {
    console.error(`[bench] FAILED: ${failedPlans.length} query plan check(s), ${broken.length} app route(s) with errors`);
    process.exitCode = 1;
  }
} finally {
  for (const server of Object.values(servers)) {
    if (server.child.exitCode === null) {
      server.child.kill('SIGKILL');
    }
  }
  await db.drop();
}

function evaluate(rows, bootTimes) {
  const at = (size, route, server) => rows.find((r) => r.size === size && r.route === route && r.server === server);
  const small = Math.min(...SIZES);
  const large = Math.max(...SIZES);
  const out = [];
  const add = (target, value, ok) => out.push({ target, value, met: ok === undefined ? 'n/a' : ok ? 'yes' : 'NO' });
  for (const route of ['list first page', 'list cursor 5,000 deep']) {
    const a = at(small, route, 'app');
    const b = at(large, route, 'app');
    if (a && b && large !== small) {
      const ratio = b.p99 / a.p99;
      add(`${route}: p99 at ${large} / at ${small} ≤ 1.5`, `${b.p99} / ${a.p99} ms = ${ratio.toFixed(2)}`, ratio <= 1.5);
    }
  }
  for (const size of SIZES) {
    for (const route of ['property by id', 'list first page']) {
      const app = at(size, route, 'app');
      const bare = at(size, route, 'bare');
      if (app && bare) {
        add(`${route} @${size}: app / bare ≥ 0.35`, (app.rps / bare.rps).toFixed(2), app.rps / bare.rps >= 0.35);
      }
    }
    for (const route of ['list first page', 'list cursor 5,000 deep', 'property by id', 'GET /users/me']) {
      const app = at(size, route, 'app');
      const peer = at(size, route, 'peer');
      if (app && peer) {
        add(`${route} @${size}: app / peer ≥ 1.25`, (app.rps / peer.rps).toFixed(2), app.rps / peer.rps >= 1.25);
      }
    }
  }
  const search = at(small, 'FAQ search', 'app');
  if (search) {
    add('FAQ search ≥ 1,500 req/s', `${search.rps} req/s`, search.rps >= 1500);
  }
  if (bootTimes.coldMs !== undefined) {
    add('cold start (embedded, built) ≤ 3 s', `${bootTimes.coldMs} ms`, bootTimes.coldMs <= 3000);
    add('warm start ≤ 1.5 s', `${bootTimes.warmMs} ms`, bootTimes.warmMs <= 1500);
  }
  return out;
}
