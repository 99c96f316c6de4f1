import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { exportJWK } from 'jose';
import type { AddressInfo } from 'node:net';
import { hashingVector } from '../src/faq/embedding-provider';
import { ProductApp, type TestUser } from './harness/product-app';

type Mode = 'ok' | 'hang' | 'fail' | 'fail-once';

/** One fake OpenAI-compatible endpoint (embeddings and chat) on loopback that can hang, fail or work. */
class FakeModel {
  mode: Mode = 'ok';
  readonly calls = { embeddings: 0, chat: 0 };
  private readonly hanging = new Set<ServerResponse>();
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeModel> {
    const holder: { fake?: FakeModel } = {};
    const server = createServer((request, response) => holder.fake?.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.fake = new FakeModel(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`);
    return holder.fake;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      const chat = request.url === '/v1/chat/completions';
      this.calls[chat ? 'chat' : 'embeddings']++;
      if (this.mode === 'hang') {
        this.hanging.add(response);
        return;
      }
      if (this.mode === 'fail-once') {
        this.mode = 'ok';
        response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"busy"}');
        return;
      }
      if (this.mode === 'fail') {
        response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
        return;
      }
      const body = JSON.parse(raw) as { input?: string[] };
      const answer = chat
        ? { choices: [{ message: { content: 'From the fake model.' } }] }
        : { data: (body.input ?? []).map((text, index) => ({ index, embedding: hashingVector(text) })) };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  }

  release(): void {
    this.hanging.forEach((response) => response.destroy());
    this.hanging.clear();
  }

  async close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const HALF_OPEN_MS = 2_000;

describe('outside services: timeout, retry, circuit breaker', () => {
  let fake: FakeModel;
  let app: ProductApp;
  let user: TestUser;
  let documentId: string;
  let queryNumber = 0;
  // A made-up word: other suites share the database, and only this test's document may match.
  const word = `wombatoutbound${Date.now().toString(36).replace(/[0-9]/g, '')}`;

  beforeAll(async () => {
    fake = await FakeModel.start();
    app = await ProductApp.start('bestays', {
      EMBEDDINGS_BASE_URL: fake.url,
      EMBEDDINGS_API_KEY: 'sk-test',
      EMBEDDINGS_MODEL: 'fake-embed',
      EMBEDDINGS_TIMEOUT_MS: '1000',
      LLM_BASE_URL: fake.url,
      LLM_API_KEY: 'sk-test',
      LLM_TIMEOUT_MS: '1000',
      OUTBOUND_RETRIES: '1',
      OUTBOUND_BREAKER_THRESHOLD: '3',
      OUTBOUND_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
    });
    const admin = await app.user('admin');
    user = await app.user('user');
    const category = await app.http.post('/api/v1/admin/categories').set(admin.auth).send({ name: 'Pets', slug: `pets-${word}` }).expect(201);
    const document = await app.http
      .post('/api/v1/admin/faqs')
      .set(admin.auth)
      .send({ categoryId: category.body.id, question: `Are ${word}s allowed in the apartment?`, answer: `Every ${word} is welcome.`, status: 'published' })
      .expect(201);
    documentId = document.body.id as string;
  });

  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  // Each search uses new words, so the query-embedding cache never answers for the endpoint.
  async function search(): Promise<{ ms: number; ids: string[]; status: number }> {
    const started = Date.now();
    const response = await app.http.get('/api/v1/faq/search').query({ q: `${word} zq${String.fromCharCode(97 + (++queryNumber % 26))}${queryNumber}x` });
    return { ms: Date.now() - started, status: response.status, ids: ((response.body.items ?? []) as Array<{ id: string }>).map((hit) => hit.id) };
  }

  async function chat(): Promise<{ ms: number; status: number; retryAfter?: string; body: Record<string, unknown> }> {
    const started = Date.now();
    const response = await app.http.post('/api/v1/llm/chat').set(user.auth).send({ message: `are ${word}s allowed?` });
    return { ms: Date.now() - started, status: response.status, retryAfter: response.headers['retry-after'], body: response.body as Record<string, unknown> };
  }

  it('search stays correct while embeddings hang or fail, answers at once once the breaker is open, and uses embeddings again after recovery', async () => {
    const healthy = await search();
    expect(healthy).toMatchObject({ status: 200, ids: [documentId] });
    const cached = fake.calls.embeddings;
    await app.http.get('/api/v1/faq/search').query({ q: `${word} zq${String.fromCharCode(97 + (queryNumber % 26))}${queryNumber}x` }).expect(200);
    expect(fake.calls.embeddings).toBe(cached);

    fake.mode = 'hang';
    // Until the breaker opens, a search waits for the bounded attempts (timeout 1 s, one retry).
    const first = await search();
    expect(first).toMatchObject({ status: 200, ids: [documentId] });
    expect(first.ms).toBeLessThan(5_000);
    await search();
    const callsWhenOpen = fake.calls.embeddings;
    // Open: no attempt, no wait (an attempt alone would take the 1 s timeout).
    for (let i = 0; i < 5; i++) {
      const result = await search();
      expect(result).toMatchObject({ status: 200, ids: [documentId] });
      expect(result.ms).toBeLessThan(700);
    }
    expect(fake.calls.embeddings).toBe(callsWhenOpen);

    fake.release();
    fake.mode = 'fail';
    await sleep(HALF_OPEN_MS + 200);
    // The trial call fails: open again, full text only, fast.
    expect(await search()).toMatchObject({ status: 200, ids: [documentId] });
    const failedOpen = await search();
    expect(failedOpen).toMatchObject({ status: 200, ids: [documentId] });
    expect(failedOpen.ms).toBeLessThan(700);

    fake.mode = 'ok';
    await sleep(HALF_OPEN_MS + 200);
    const before = fake.calls.embeddings;
    expect(await search()).toMatchObject({ status: 200, ids: [documentId] });
    expect(await search()).toMatchObject({ status: 200, ids: [documentId] });
    expect(fake.calls.embeddings).toBe(before + 2);
  });

  it('chat answers 503 with Retry-After at once while the model breaker is open, and recovers', async () => {
    expect((await chat()).status).toBe(200);
    // One 503 from the model is retried (with backoff) and the client never sees it.
    fake.mode = 'fail-once';
    const before = fake.calls.chat;
    expect((await chat()).status).toBe(200);
    expect(fake.calls.chat).toBe(before + 2);

    fake.mode = 'hang';
    const failing = await chat();
    expect([502, 503]).toContain(failing.status);
    expect(failing.ms).toBeLessThan(5_000);
    let opened = failing;
    for (let i = 0; i < 3 && opened.status !== 503; i++) {
      opened = await chat();
    }
    expect(opened.status).toBe(503);

    const calls = fake.calls.chat;
    const fast = await chat();
    expect(fast.status).toBe(503);
    expect(fast.ms).toBeLessThan(700);
    expect(Number(fast.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(fast.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', requestId: expect.any(String) });
    expect(fake.calls.chat).toBe(calls);

    fake.release();
    fake.mode = 'ok';
    await sleep(HALF_OPEN_MS + 200);
    const recovered = await chat();
    expect(recovered.status).toBe(200);
    expect(recovered.body.reply).toBe('From the fake model.');
  });
});

describe('JWKS endpoint down: 503 (cannot check the token now), not 401', () => {
  const kid = 'ins_jwks_down';
  let server: Server;
  let mode: 'fail' | 'ok' = 'fail';
  let fetches = 0;
  let app: ProductApp;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  beforeAll(async () => {
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    server = createServer((_request, response) => {
      fetches++;
      if (mode === 'fail') {
        response.writeHead(503).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    app = await ProductApp.start('bestays', {
      CLERK_JWT_KEY: '',
      CLERK_JWKS_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
      OUTBOUND_RETRIES: '1',
      OUTBOUND_BREAKER_THRESHOLD: '2',
      OUTBOUND_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
    });
  });

  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('answers 503 with Retry-After while the key set cannot be fetched, 401 for a malformed token, and 200 once it is back', async () => {
    const token = await app.token({ sub: 'user_jwks_down' }, { kid, privateKey });
    const down = await app.http.get('/api/v1/users/me').set('Authorization', `Bearer ${token}`);
    expect(down.status).toBe(503);
    expect(Number(down.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(down.body).toMatchObject({ statusCode: 503, requestId: expect.any(String) });
    // Breaker open: answered without calling the endpoint.
    const calls = fetches;
    expect((await app.http.get('/api/v1/users/me').set('Authorization', `Bearer ${token}`)).status).toBe(503);
    expect(fetches).toBe(calls);
    expect((await app.http.get('/api/v1/users/me').set('Authorization', 'Bearer not-a-jwt')).status).toBe(401);

    mode = 'ok';
    await sleep(HALF_OPEN_MS + 200);
    expect((await app.http.get('/api/v1/users/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });
});
