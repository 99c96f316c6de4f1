// CPU profile of the app under load on one route: `node bench/profile.mjs [path] [seconds]`.
// Prints the top functions by self time (what went into the issue note) and keeps the .cpuprofile.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { SignJWT } from 'jose';
import { join } from 'node:path';
import { ensureUser, growProperties, load, prepareProduct, profileByPackage, profileTop, query, root, scratchDatabase, spawnServer, stop } from './lib.mjs';

const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const path = process.argv[2] ?? '/api/v1/properties';
const seconds = Number(process.argv[3] ?? 8);
const label = process.env.PROFILE_LABEL ?? 'profile';
const db = await scratchDatabase(adminUrl);
try {
  const appDir = process.env.APP_DIR ?? root;
  await prepareProduct(db.url, 'bestays', appDir);
  const userId = await ensureUser(db.url, 'bestays', 'user_bench_agent', 'agent');
  await growProperties(db.url, 'bestays', userId, 10_000);
  const [{ id }] = await query(db.url, 'select id from properties where product = $1 and published order by created_at desc limit 1 offset 50', ['bestays']);
  const [{ id: faq }] = await query(db.url, `select id from faq_documents where product = 'bestays' and status = 'published' limit 1`);
  const dir = join(root, 'bench', 'results', 'profiles', label);
  mkdirSync(dir, { recursive: true });
  const main = join(appDir, 'dist', 'main.js');
  // PROFILE_AUTH=1: signed in as the bench's agent (a key pair made here stands in for Clerk's).
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const token =
    process.env.PROFILE_AUTH === '1'
      ? await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setSubject('user_bench_agent').setIssuedAt().setExpirationTime('1h').sign(privateKey)
      : undefined;
  const server = await spawnServer(['--cpu-prof', `--cpu-prof-dir=${dir}`, main], {
    PRODUCT: 'bestays',
    DATABASE_URL: db.url,
    HTTP_CACHE_MAX_AGE: '0',
    CLERK_JWT_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    MAX_IN_FLIGHT: '100000',
    // Throughput, not the rate limits (which would answer most of it with 429s).
    ...Object.fromEntries(['SEARCH', 'PUBLIC', 'CHAT', 'READ', 'WRITE', 'WEBHOOK'].map((name) => [`RATE_LIMIT_${name}`, '100000000'])),
  });
  const target = path.replace(':property', id).replace(':faq', faq);
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  // Warm-up first (JIT, the pool growing to its size: connection start-ups are not the steady state).
  await load({ url: `${server.base}${target}`, seconds: 2, connections: 32, headers });
  const result = await load({ url: `${server.base}${target}`, seconds, connections: Number(process.env.PROFILE_CONNECTIONS ?? 32), headers });
  const loadEnded = Date.now();
  await stop(server.child);
  const tail = (Date.now() - loadEnded) / 1000;
  console.log(`${target}: ${result.requests.average.toFixed(0)} req/s, p99 ${result.latency.p99} ms, non2xx ${result.non2xx}`);
  console.table(profileTop(dir, 20, seconds, tail));
  console.table(profileByPackage(dir, 12, seconds, tail));
} finally {
  await db.drop();
}
