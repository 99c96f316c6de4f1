import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { ProductApp } from './harness/product-app';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// A port nothing listens on: Redis "down".
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

const search = (app: ProductApp, forwardedFor?: string) => {
  const call = app.http.get('/api/v1/faq/search').query({ q: 'pets' });
  return forwardedFor ? call.set('X-Forwarded-For', forwardedFor) : call;
};

async function statuses(app: ProductApp, count: number, forwardedFor?: string): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < count; i += 1) {
    result.push((await search(app, forwardedFor)).status);
  }
  return result;
}

describe('rate limits, per product', () => {
  const started: ProductApp[] = [];
  const start = async (...args: Parameters<typeof ProductApp.start>): Promise<ProductApp> => {
    const app = await ProductApp.start(...args);
    started.push(app);
    return app;
  };
  afterAll(async () => {
    await Promise.all(started.map((app) => app.close()));
  });

  describe('in memory', () => {
    let app: ProductApp;
    beforeAll(async () => {
      app = await start('bestays', { RATE_LIMIT_SEARCH: '5/60', RATE_LIMIT_READ: '3/60', RATE_LIMIT_CHAT: '2/60' });
    });

    it('cuts a burst off at the limit with 429, Retry-After and the error JSON', async () => {
      expect(await statuses(app, 5)).toEqual([200, 200, 200, 200, 200]);
      const refused = await search(app).set('X-Request-Id', 'limited-1').expect(429);
      expect(refused.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.stringMatching(/search/), requestId: 'limited-1' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(refused.headers['x-product']).toBe('bestays');
      // Feedback shares the anonymous search budget; other anonymous routes have their own.
      await app.http.post(`/api/v1/faq/documents/${randomUUID()}/feedback`).send({ helpful: true }).expect(429);
      await app.http.get('/api/v1/properties').expect(200);
      // Probes are never limited.
      await app.http.get('/api/health').expect(200);
      await app.http.get('/api/health/live').expect(200);

      const metrics = (await app.http.get('/api/metrics').expect(200)).text;
      expect(sample(metrics, 'rate_limit_rejections_total{product="bestays",limit="search"}')).toBe(2);
    });

    it('counts signed-in callers by user, not by address', async () => {
      const [alice, bob] = [await app.user('user'), await app.user('user')];
      // app.user() itself made one read for each (GET /users/me).
      for (let i = 0; i < 2; i += 1) {
        await app.http.get('/api/v1/users/me').set(alice.auth).expect(200);
      }
      await app.http.get('/api/v1/users/me').set(alice.auth).expect(429);
      await app.http.get('/api/v1/users/me').set(bob.auth).expect(200);
    });

    it('keeps POST /api/v1/llm/chat on its own tight limit', async () => {
      const carol = await app.user('user');
      const chat = () => app.http.post('/api/v1/llm/chat').set(carol.auth).send({ message: 'Can I bring my dog?' });
      expect((await chat()).status).not.toBe(429);
      expect((await chat()).status).not.toBe(429);
      const refused = await chat().expect(429);
      expect(refused.body.message).toMatch(/chat/);
      // Reads of the same user are another budget.
      await app.http.get('/api/v1/users/me').set(carol.auth).expect(200);
    });
  });

  describe('client address', () => {
    it('ignores X-Forwarded-For unless TRUST_PROXY is set', async () => {
      const direct = await start('realestate', { RATE_LIMIT_SEARCH: '2/60' });
      expect(await statuses(direct, 2, '203.0.113.1')).toEqual([200, 200]);
      // A new forwarded address does not buy a new budget from an untrusted client.
      expect(await statuses(direct, 1, '203.0.113.2')).toEqual([429]);

      const proxied = await start('realestate', { RATE_LIMIT_SEARCH: '2/60', TRUST_PROXY: 'true' });
      expect(await statuses(proxied, 3, '203.0.113.1')).toEqual([200, 200, 429]);
      expect(await statuses(proxied, 2, '203.0.113.2')).toEqual([200, 200]);
    });
  });

  // Skipped (with a warning from the global setup) only where no Redis answers, e.g. a laptop without one.
  (process.env.TEST_REDIS_REACHABLE === '0' ? describe.skip : describe)('shared through Redis', () => {
    // A fresh key space per run: concurrent runs on the shared Redis never meet.
    const prefix = `test-ratelimit:${randomUUID()}:`;

    it('two replicas of one product enforce one limit', async () => {
      const env = { REDIS_URL, RATE_LIMIT_REDIS_PREFIX: prefix, RATE_LIMIT_SEARCH: '6/60' };
      const [first, second] = [await start('bestays', env), await start('bestays', env)];
      expect(await statuses(first, 3)).toEqual([200, 200, 200]);
      expect(await statuses(second, 3)).toEqual([200, 200, 200]);
      expect(await statuses(first, 1)).toEqual([429]);
      expect(await statuses(second, 1)).toEqual([429]);
    });

    it("one product's burst leaves the other product's limits untouched", async () => {
      const env = { REDIS_URL, RATE_LIMIT_REDIS_PREFIX: `${prefix}iso:`, RATE_LIMIT_SEARCH: '3/60' };
      const bestays = await start('bestays', env);
      const realestate = await start('realestate', env);
      expect(await statuses(bestays, 4)).toEqual([200, 200, 200, 429]);
      expect(await statuses(realestate, 3)).toEqual([200, 200, 200]);
      expect(await statuses(bestays, 1)).toEqual([429]);
    });

    it('fails open when Redis is unreachable: served, counted, never a 500', async () => {
      const port = await closedPort();
      const app = await start('realestate', { REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_SEARCH: '50/60' });
      expect(await statuses(app, 5)).toEqual([200, 200, 200, 200, 200]);
      await app.http.get('/api/v1/properties').expect(200);
      const metrics = (await app.http.get('/api/metrics').expect(200)).text;
      expect(sample(metrics, 'rate_limit_store_failures_total{product="realestate"}')).toBeGreaterThanOrEqual(6);
    });
  });
});
