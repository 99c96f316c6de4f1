import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { createScratchDatabase, dropScratchDatabase } from './harness/db';
import { productsCli } from './harness/operator-cli';
import { ProductApp, type TestUser } from './harness/product-app';

interface Call {
  authorization?: string;
  model: string;
}

async function fakeLlm(): Promise<{ server: Server; url: string; calls: Call[] }> {
  const calls: Call[] = [];
  const server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      const body = JSON.parse(raw || '{}') as { model: string };
      calls.push({ authorization: request.headers.authorization, model: body.model });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { content: 'from the model' } }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, calls };
}

async function ownerText(url: string, sql: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return JSON.stringify((await client.query(sql)).rows);
  } finally {
    await client.end();
  }
}

const key = () => randomBytes(32).toString('base64');

describe('encrypted product secrets and per-user settings', () => {
  let scratch: { name: string; url: string };
  let llm: Awaited<ReturnType<typeof fakeLlm>>;
  const apps: ProductApp[] = [];
  const k1 = `k1:${key()}`;
  const k2 = `k2:${key()}`;
  let bestays: ProductApp;
  let realestate: ProductApp;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  const PRODUCT_KEY = 'sk-product-bestays-0001';
  const ALICE_KEY = 'sk-user-alice-secret-9999';

  const cli = (args: string[], keys: string | undefined, stdin?: string) =>
    productsCli(args, { databaseUrl: scratch.url, stdin, env: keys ? { SECRETS_KEYS: keys } : {} });
  const start = async (product: 'bestays' | 'realestate', env: NodeJS.ProcessEnv) => {
    const app = await ProductApp.start(product, { DATABASE_URL: scratch.url, ...env });
    apps.push(app);
    return app;
  };
  const chat = (app: ProductApp, user: TestUser) => app.http.post('/api/v1/llm/chat').set(user.auth).send({ message: 'Is breakfast included?' }).expect(200);
  const lastCall = () => llm.calls[llm.calls.length - 1];
  const waitFor = async (check: () => Promise<boolean>) => {
    const started = Date.now();
    while (!(await check())) {
      if (Date.now() - started > 7_000) {
        throw new Error('not picked up within 7 s');
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return Date.now() - started;
  };

  beforeAll(async () => {
    scratch = await createScratchDatabase('secrets');
    llm = await fakeLlm();
    bestays = await start('bestays', { SECRETS_KEYS: k1 });
    realestate = await start('realestate', { SECRETS_KEYS: k1 });
    alice = await bestays.user();
    bob = await bestays.user();
    carol = await realestate.user();
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close().catch(() => undefined)));
    llm.server.closeAllConnections();
    await new Promise((resolve) => llm.server.close(resolve));
    await dropScratchDatabase(scratch.name);
  });

  it('stores secrets from stdin, encrypted; the product picks them up within 5 s without a restart', async () => {
    for (const [name, value] of [
      ['LLM_BASE_URL', llm.url],
      ['LLM_MODEL', 'fake-model'],
      ['LLM_API_KEY', `${PRODUCT_KEY}\n`],
    ]) {
      const result = await cli(['set-secret', 'bestays', name], k1, value);
      expect(result.code).toBe(0);
      expect(result.stdout + result.stderr).not.toContain(PRODUCT_KEY);
    }
    const waited = await waitFor(async () => {
      await chat(bestays, bob);
      return lastCall()?.authorization === `Bearer ${PRODUCT_KEY}`;
    });
    expect(waited).toBeLessThan(6_500);
    expect(lastCall()?.model).toBe('fake-model');

    // The other product has no such secret: it stays on its offline answerer.
    const before = llm.calls.length;
    await chat(realestate, carol);
    expect(llm.calls.length).toBe(before);
  });

  it('holds only ciphertext, key id and nonce: the owner finds no plaintext anywhere', async () => {
    const secrets = await ownerText(scratch.url, 'select * from product_secrets');
    expect(secrets).not.toContain(PRODUCT_KEY);
    expect(secrets).not.toContain(llm.url);
    expect(secrets).not.toContain('fake-model');
    expect(secrets).toContain('"key_id":"k1"');
    const audit = await ownerText(scratch.url, 'select * from audit_log');
    expect(audit).not.toContain(PRODUCT_KEY);
    expect(audit).toContain('LLM_API_KEY');
  });

  it('lists names, last 4 characters and update times, never values', async () => {
    const result = await cli(['secrets', 'bestays'], k1);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/LLM_API_KEY\s+\.\.\.0001/);
    expect(result.stdout).not.toContain(PRODUCT_KEY);
    expect(result.stdout).not.toContain(llm.url);
    expect((await cli(['secrets', 'realestate'], k1)).stdout.trim().split('\n')).toHaveLength(1);
    const wrong = await cli(['secrets', 'bestays'], `k1:${key()}`);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/"k1"/);
  });

  it('lets the environment win over the registry', async () => {
    const envApp = await start('bestays', { SECRETS_KEYS: k1, LLM_API_KEY: 'sk-from-env-5555' });
    const dave = await envApp.user();
    await chat(envApp, dave);
    expect(lastCall()?.authorization).toBe('Bearer sk-from-env-5555');
    await envApp.close();
  });

  it('never writes a secret into the logs, even at debug level', async () => {
    const lines: string[] = [];
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logged = await ProductApp.start('bestays', { DATABASE_URL: scratch.url, SECRETS_KEYS: k1, LOG_LEVEL: 'debug' }, (config) => {
      config.ops.log.destination = capture;
    });
    apps.push(logged);
    const erin = await logged.user();
    const ERIN_KEY = 'sk-user-erin-logged-7777';
    await logged.http.patch('/api/v1/users/me/settings').set(erin.auth).send({ llmApiKey: ERIN_KEY }).expect(200);
    await chat(logged, erin);
    expect(lastCall()?.authorization).toBe(`Bearer ${ERIN_KEY}`);
    const other = await logged.user();
    await chat(logged, other);
    expect(lastCall()?.authorization).toBe(`Bearer ${PRODUCT_KEY}`);
    await logged.close();

    const text = lines.join('');
    expect(text).toContain('request completed');
    expect(text).not.toContain(ERIN_KEY);
    expect(text).not.toContain(PRODUCT_KEY);
  });

  describe('per-user settings', () => {
    it('stores the caller key encrypted, shows only its last 4, and uses it for the caller alone', async () => {
      const empty = await bestays.http.get('/api/v1/users/me/settings').set(alice.auth).expect(200);
      expect(empty.body).toEqual({ llmApiKeyLast4: null, preferredLanguage: null });

      const patched = await bestays.http
        .patch('/api/v1/users/me/settings')
        .set(alice.auth)
        .send({ llmApiKey: ALICE_KEY, preferredLanguage: 'pt-BR' })
        .expect(200);
      expect(patched.body).toEqual({ llmApiKeyLast4: '9999', preferredLanguage: 'pt-BR' });
      expect(JSON.stringify(patched.body)).not.toContain(ALICE_KEY);
      expect((await bestays.http.get('/api/v1/users/me/settings').set(alice.auth).expect(200)).body).toEqual(patched.body);
      expect(await ownerText(scratch.url, 'select * from user_settings')).not.toContain(ALICE_KEY);
      expect(await ownerText(scratch.url, 'select * from audit_log')).not.toContain(ALICE_KEY);

      await chat(bestays, alice);
      expect(lastCall()?.authorization).toBe(`Bearer ${ALICE_KEY}`);
      await chat(bestays, bob);
      expect(lastCall()?.authorization).toBe(`Bearer ${PRODUCT_KEY}`);
      expect((await bestays.http.get('/api/v1/users/me/settings').set(bob.auth).expect(200)).body.llmApiKeyLast4).toBeNull();

      // Only the language changes; the key stays.
      const language = await bestays.http.patch('/api/v1/users/me/settings').set(alice.auth).send({ preferredLanguage: 'en' }).expect(200);
      expect(language.body).toEqual({ llmApiKeyLast4: '9999', preferredLanguage: 'en' });

      const cleared = await bestays.http.patch('/api/v1/users/me/settings').set(alice.auth).send({ llmApiKey: null }).expect(200);
      expect(cleared.body).toEqual({ llmApiKeyLast4: null, preferredLanguage: 'en' });
      await chat(bestays, alice);
      expect(lastCall()?.authorization).toBe(`Bearer ${PRODUCT_KEY}`);
    });

    it('rejects bad bodies and anonymous callers', async () => {
      await bestays.http.get('/api/v1/users/me/settings').expect(401);
      await bestays.http.patch('/api/v1/users/me/settings').send({ preferredLanguage: 'en' }).expect(401);
      for (const body of [{ llmApiKey: 12345678 }, { llmApiKey: 'short' }, { preferredLanguage: 'not a tag!' }, { product: 'realestate' }, { userId: bob.id }]) {
        const response = await bestays.http.patch('/api/v1/users/me/settings').set(alice.auth).send(body).expect(400);
        expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      }
      // Another product's token never reaches this product's settings.
      await bestays.http.get('/api/v1/users/me/settings').set(carol.auth).expect(401);
    });
  });

  describe('rotation and boot failures', () => {
    it('re-encrypts every secret under the first key; the old key alone can no longer boot', async () => {
      await bestays.http.patch('/api/v1/users/me/settings').set(alice.auth).send({ llmApiKey: ALICE_KEY }).expect(200);
      const rotated = await cli(['rotate-key'], `${k2},${k1}`);
      expect(rotated.code).toBe(0);
      expect(await ownerText(scratch.url, 'select distinct key_id from product_secrets')).toBe('[{"key_id":"k2"}]');
      expect(await ownerText(scratch.url, 'select distinct llm_api_key_key_id as k from user_settings where llm_api_key_key_id is not null')).toBe('[{"k":"k2"}]');

      const fresh = await start('bestays', { SECRETS_KEYS: k2 });
      await fresh.http.get('/api/health').expect(200);
      // Each test app has its own Clerk key: alice signs in to it with a token of its own.
      const token = await fresh.token({ sub: alice.clerkUserId });
      await chat(fresh, { ...alice, auth: { Authorization: `Bearer ${token}` } });
      expect(lastCall()?.authorization).toBe(`Bearer ${ALICE_KEY}`);
      await fresh.close();

      await expect(start('bestays', {})).rejects.toThrow(/SECRETS_KEYS/);
      await expect(start('bestays', { SECRETS_KEYS: k1 })).rejects.toThrow(/"k2"/);
      await expect(start('bestays', { SECRETS_KEYS: `k2:${key()}` })).rejects.toThrow(/"k2"/);
    });
  });
});
