// Boot and throughput numbers for the README and issue notes. Not a test: it prints a table and
// writes bench/results/<date>.json. Run with `npm run bench` (builds first if needed).
//   cold start: `node dist/main.js` with no DATABASE_URL and an empty embedded data dir (initdb,
//               migrations, role provisioning, demo seed) until GET /api/health answers 200
//   warm start: the same again on the now-initialised data dir
//   throughput: autocannon, 10 s, 32 connections, on GET /api/health and GET /api/v1/users/me
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { SignJWT } from 'jose';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitHealthy(port, child, timeoutMs = 120_000) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null) {
      throw new Error(`server exited with ${child.exitCode}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (response.status === 200) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('server did not become healthy in time');
}

async function boot(env) {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [join(root, 'dist', 'main.js')], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitHealthy(port, child);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { port, child, ms };
}

function stop(child) {
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

function load(url, headers) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const dataDir = join(tmpdir(), `bench-pg-${randomUUID()}`);
const env = {
  PRODUCT: 'bestays',
  DATABASE_URL: '',
  EMBEDDED_PG_DATA_DIR: dataDir,
  CLERK_JWT_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
};
delete process.env.DATABASE_URL;

const rows = [];
const cold = await boot(env);
rows.push({ measure: 'cold npm start → healthy (initdb + migrations + seed)', value: `${cold.ms.toFixed(0)} ms` });
await stop(cold.child);
const warm = await boot(env);
rows.push({ measure: 'warm npm start → healthy', value: `${warm.ms.toFixed(0)} ms` });

const token = await new SignJWT({ sid: 'bench' })
  .setProtectedHeader({ alg: 'RS256' })
  .setSubject('user_bench')
  .setIssuedAt()
  .setExpirationTime('1h')
  .sign(privateKey);
const base = `http://127.0.0.1:${warm.port}`;
await fetch(`${base}/api/v1/users/me`, { headers: { authorization: `Bearer ${token}` } }); // JIT-create the user first
const results = {};
for (const [name, path, headers] of [
  ['GET /api/health', '/api/health', {}],
  ['GET /api/v1/users/me', '/api/v1/users/me', { authorization: `Bearer ${token}` }],
]) {
  const result = await load(`${base}${path}`, headers);
  results[name] = result;
  const errors = result.errors + result.timeouts + result.non2xx;
  rows.push({
    measure: `${name} (${DURATION_S}s, ${CONNECTIONS} conns)`,
    value: `${result.requests.average.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms${errors ? `, ${errors} errors` : ''}`,
  });
}
await stop(warm.child);
rmSync(dataDir, { recursive: true, force: true });

console.table(rows);
const file = join(root, 'bench', 'results', `${new Date().toISOString().slice(0, 10)}.json`);
writeFileSync(
  file,
  JSON.stringify(
    {
      at: new Date().toISOString(),
      node: process.version,
      cpus: (await import('node:os')).cpus().length,
      durationSeconds: DURATION_S,
      connections: CONNECTIONS,
      rows,
      raw: Object.fromEntries(
        Object.entries(results).map(([k, r]) => [k, { requests: r.requests, latency: r.latency, errors: r.errors, non2xx: r.non2xx }]),
      ),
    },
    null,
    2,
  ),
);
console.log(`results written to ${file}`);
