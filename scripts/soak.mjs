// Soak test (not part of `npm test`): both products under steady mixed traffic for SOAK_SECONDS.
// Starts `node dist/main.js` for bestays and realestate (on DATABASE_URL, else on an embedded
// PostgreSQL in a temporary folder), drives SOAK_CONCURRENCY keep-alive clients split between them,
// and reports per interval: requests, errors, throughput, latency; and the servers' memory (RSS and
// heap, read from /api/metrics). Exits 1 on any error or when the heap grew after warm-up.
//   SOAK_SECONDS (120)  SOAK_CONCURRENCY (16)  SOAK_INTERVAL_SECONDS (60)
//   SOAK_WARMUP_SECONDS (60: one rate-limit window, whose per-hit counters fill up first)  SOAK_MAX_HEAP_GROWTH_MB (24)  DATABASE_URL (optional, owner)
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { Webhook } from 'svix';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const number = (name, fallback) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number`);
  }
  return value;
};
const SECONDS = number('SOAK_SECONDS', 120);
const CONCURRENCY = number('SOAK_CONCURRENCY', 16);
const INTERVAL_S = number('SOAK_INTERVAL_SECONDS', 60);
const WARMUP_S = Math.min(number('SOAK_WARMUP_SECONDS', 60), SECONDS / 2);
const MAX_HEAP_GROWTH_MB = number('SOAK_MAX_HEAP_GROWTH_MB', 24);
const PRODUCTS = ['bestays', 'realestate'];

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function send(agent, port, method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const call = request({ host: '127.0.0.1', port, method, path, agent, headers }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.once('error', reject);
      response.once('end', () =>
        resolve({
          status: response.statusCode,
          body: Buffer.concat(chunks).toString('utf8'),
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        }),
      );
    });
    call.once('error', reject);
    call.end(body);
  });
}

async function startServer(product, env) {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [join(root, 'dist', 'main.js')], {
    cwd: root,
    env: { ...process.env, ...env, PRODUCT: product, PORT: String(port), NODE_ENV: 'production', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  child.stderr.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`${product} exited with ${child.exitCode}:\n${output}`);
    }
    const ready = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined);
    if (ready?.status === 200) {
      return { product, port, child, output: () => output };
    }
    if (Date.now() > deadline) {
      throw new Error(`${product} did not become ready:\n${output}`);
    }
    await sleep(250);
  }
}

async function stopServer(server) {
  if (server.child.exitCode !== null) {
    return server.child.exitCode;
  }
  const exited = new Promise((resolve) => server.child.once('exit', (code) => resolve(code)));
  server.child.kill('SIGTERM');
  return exited;
}

async function memoryOf(server) {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/api/metrics`)).text();
  const read = (name) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: read('process_resident_memory_bytes'), heap: read('nodejs_heap_size_used_bytes') };
}

const QUESTIONS = ['can I bring my dog', 'check-in time', 'cancel booking refund', 'parking', 'wifi', 'mortgage', 'viewing', 'deposit'];

// One product's traffic: what a mix of anonymous visitors, signed-in users and Clerk look like.
function trafficFor(server, keys) {
  const { port } = server;
  const signer = new Webhook(keys.webhookSecret);
  const state = { propertyIds: [], documentIds: [] };
  const token = async (sub) =>
    new SignJWT({ sub, sid: `sess_${randomUUID()}` })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: `ins_${server.product}` })
      .setIssuedAt()
      .setExpirationTime('2h')
      .sign(keys.privateKey);
  const users = [];
  const pick = (list) => list[Math.floor(Math.random() * list.length)];

  const calls = [
    async (agent) => {
      const answer = await send(agent, port, 'GET', '/api/v1/properties?limit=20');
      if (answer.status === 200) {
        state.propertyIds = (JSON.parse(answer.body).items ?? []).map((item) => item.id);
      }
      return { answer, ok: [200] };
    },
    async (agent) => {
      const id = pick(state.propertyIds) ?? randomUUID();
      return { answer: await send(agent, port, 'GET', `/api/v1/properties/${id}`), ok: [200, 404] };
    },
    async (agent) => {
      const answer = await send(agent, port, 'GET', `/api/v1/faq/search?q=${encodeURIComponent(pick(QUESTIONS))}`);
      if (answer.status === 200) {
        state.documentIds = (JSON.parse(answer.body).items ?? []).map((item) => item.id ?? item.document?.id).filter(Boolean);
      }
      return { answer, ok: [200] };
    },
    async (agent) => ({ answer: await send(agent, port, 'GET', '/api/v1/faq/categories'), ok: [200] }),
    async (agent) => {
      const id = pick(state.documentIds) ?? randomUUID();
      const body = JSON.stringify({ helpful: Math.random() < 0.5 });
      const answer = await send(agent, port, 'POST', `/api/v1/faq/documents/${id}/feedback`, body, { 'content-type': 'application/json' });
      return { answer, ok: [201, 404] };
    },
    async (agent) => {
      if (users.length < 50) {
        users.push(await token(`user_soak${randomBytes(8).toString('hex')}`));
      }
      const answer = await send(agent, port, 'GET', '/api/v1/users/me', undefined, { authorization: `Bearer ${pick(users)}` });
      return { answer, ok: [200] };
    },
    async (agent) => {
      const [id, clerkId] = [`msg_${randomUUID()}`, `user_soak${randomBytes(8).toString('hex')}`];
      const email_addresses = [{ id: 'idn_1', email_address: `${clerkId}@soak.test` }];
      const data = { id: clerkId, object: 'user', email_addresses, primary_email_address_id: 'idn_1', first_name: 'Soak', public_metadata: {} };
      const body = JSON.stringify({ type: 'user.created', object: 'event', data });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const headers = { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': timestamp, 'svix-signature': signer.sign(id, new Date(), body) };
      return { answer: await send(agent, port, 'POST', '/api/v1/webhooks/clerk', body, headers), ok: [200] };
    },
    async (agent) => {
      if (users.length === 0) {
        users.push(await token(`user_soak${randomBytes(8).toString('hex')}`));
      }
      const body = JSON.stringify({ message: pick(QUESTIONS) });
      const answer = await send(agent, port, 'POST', '/api/v1/llm/chat', body, {
        'content-type': 'application/json',
        authorization: `Bearer ${pick(users)}`,
      });
      return { answer, ok: [200] };
    },
  ];
  return calls;
}

function percentile(sorted, p) {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const keys = {};
  const env = {};
  for (const product of PRODUCTS) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys[product] = { privateKey, webhookSecret: `whsec_${randomBytes(24).toString('base64')}` };
    env[product] = {
      CLERK_JWT_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      CLERK_WEBHOOK_SECRET: keys[product].webhookSecret,
      // The soak measures the servers, not the abuse limits.
      ...Object.fromEntries(['SEARCH', 'PUBLIC', 'CHAT', 'READ', 'WRITE', 'WEBHOOK'].map((n) => [`RATE_LIMIT_${n}`, '100000000'])),
    };
  }
  let dataDir;
  if (!process.env.DATABASE_URL) {
    dataDir = mkdtempSync(join(tmpdir(), 'soak-pg-'));
    for (const product of PRODUCTS) {
      env[product].EMBEDDED_PG_DATA_DIR = dataDir;
    }
  }

  const servers = [];
  let failed = false;
  try {
    // The first one starts (and later stops) the embedded database; the second shares it.
    for (const product of PRODUCTS) {
      servers.push(await startServer(product, env[product]));
    }
    console.log(`soak: ${SECONDS} s, ${CONCURRENCY} clients, servers ${servers.map((s) => `${s.product}:${s.port}`).join(' ')}`);

    const started = Date.now();
    const end = started + SECONDS * 1000;
    const intervals = [];
    const current = () => {
      const index = Math.floor((Date.now() - started) / (INTERVAL_S * 1000));
      intervals[index] ??= { requests: 0, errors: 0, latencies: [], byProduct: {} };
      return intervals[index];
    };
    const errorSamples = [];
    const memory = Object.fromEntries(PRODUCTS.map((p) => [p, []]));

    const client = async (n) => {
      const server = servers[n % servers.length];
      const calls = trafficFor(server, keys[server.product]);
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let i = n; Date.now() < end; i += 1) {
          const slot = current();
          try {
            const { answer, ok } = await calls[i % calls.length](agent);
            slot.requests += 1;
            slot.latencies.push(answer.ms);
            slot.byProduct[server.product] = (slot.byProduct[server.product] ?? 0) + 1;
            if (!ok.includes(answer.status)) {
              slot.errors += 1;
              errorSamples.push(`${server.product} call ${i % calls.length}: ${answer.status} ${answer.body.slice(0, 200)}`);
            }
          } catch (error) {
            slot.requests += 1;
            slot.errors += 1;
            errorSamples.push(`${server.product}: ${error.code ?? ''} ${error.message}`);
          }
        }
      } finally {
        agent.destroy();
      }
    };
    const sampler = (async () => {
      while (Date.now() < end) {
        for (const server of servers) {
          memory[server.product].push({ at: (Date.now() - started) / 1000, ...(await memoryOf(server)) });
        }
        await sleep(5_000);
      }
    })();
    await Promise.all([...Array.from({ length: CONCURRENCY }, (_, n) => client(n)), sampler]);

    const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
    const rows = intervals.map((slot, index) => {
      const sorted = slot.latencies.sort((a, b) => a - b);
      const seconds = Math.min(INTERVAL_S, SECONDS - index * INTERVAL_S);
      return {
        interval: `${index * INTERVAL_S}-${index * INTERVAL_S + seconds} s`,
        requests: slot.requests,
        errors: slot.errors,
        'req/s': Math.round(slot.requests / seconds),
        'p50 ms': percentile(sorted, 50).toFixed(1),
        'p95 ms': percentile(sorted, 95).toFixed(1),
        'p99 ms': percentile(sorted, 99).toFixed(1),
        ...Object.fromEntries(PRODUCTS.map((p) => [p, slot.byProduct[p] ?? 0])),
      };
    });
    console.table(rows);

    const growth = {};
    for (const product of PRODUCTS) {
      // Lowest heap in a window (after a collection) is the baseline; the peaks are just garbage.
      const after = memory[product].filter((s) => s.at >= WARMUP_S);
      const half = Math.max(1, Math.floor(after.length / 2));
      const early = after.slice(0, half);
      const late = after.slice(-half);
      const low = (samples, key) => Math.min(...samples.map((s) => s[key]));
      growth[product] = {
        'heap after warm-up MB': mb(low(early, 'heap')),
        'heap at end MB': mb(low(late, 'heap')),
        'heap growth MB': mb(low(late, 'heap') - low(early, 'heap')),
        'rss after warm-up MB': mb(low(early, 'rss')),
        'rss at end MB': mb(low(late, 'rss')),
        samples: memory[product].length,
      };
      if ((low(late, 'heap') - low(early, 'heap')) / 1024 / 1024 > MAX_HEAP_GROWTH_MB) {
        failed = true;
        console.error(`${product}: heap grew by more than ${MAX_HEAP_GROWTH_MB} MB after warm-up`);
      }
    }
    console.table(growth);

    const errors = intervals.reduce((sum, slot) => sum + slot.errors, 0);
    const requests = intervals.reduce((sum, slot) => sum + slot.requests, 0);
    console.log(`total: ${requests} requests, ${errors} errors, ${Math.round(requests / SECONDS)} req/s`);
    if (errors > 0) {
      failed = true;
      console.error(`errors (first 10):\n${errorSamples.slice(0, 10).join('\n')}`);
    }
  } catch (error) {
    failed = true;
    console.error(error);
  } finally {
    // Reverse order: the embedded database's owner goes last.
    for (const server of [...servers].reverse()) {
      const code = await stopServer(server);
      if (code !== 0) {
        failed = true;
        console.error(`${server.product} exited with ${code} on SIGTERM:\n${server.output().slice(-2_000)}`);
      }
    }
    if (dataDir) {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  process.exit(failed ? 1 : 0);
}

await main();
