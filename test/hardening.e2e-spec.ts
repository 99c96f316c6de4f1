import { Lifecycle } from '../src/lifecycle/lifecycle';
import { ProductApp } from './harness/product-app';

interface KnexLike {
  client: { acquireConnection(): Promise<unknown>; releaseConnection(connection: unknown): void };
}

// Takes every connection of the app's pool (max 10), as a stuck database would; returns the release.
async function exhaustPool(app: ProductApp): Promise<() => void> {
  const knex = (app.orm.em.getConnection() as unknown as { getKnex(): KnexLike }).getKnex();
  const held: unknown[] = [];
  for (let i = 0; i < 10; i += 1) {
    held.push(await knex.client.acquireConnection());
  }
  return () => held.forEach((connection) => knex.client.releaseConnection(connection));
}

function cspDirectives(header: string | undefined): Map<string, string[]> {
  return new Map(
    (header ?? '')
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...values]) => [name, values]),
  );
}

describe('HTTP hardening', () => {
  const started: ProductApp[] = [];
  const start = async (...args: Parameters<typeof ProductApp.start>): Promise<ProductApp> => {
    const app = await ProductApp.start(...args);
    started.push(app);
    return app;
  };
  afterAll(async () => {
    await Promise.all(started.map((app) => app.close()));
  });

  describe('security headers', () => {
    let app: ProductApp;
    beforeAll(async () => {
      app = await start('bestays');
    });

    it('answers with helmet headers on API routes', async () => {
      const response = await app.http.get('/api/v1/properties').expect(200);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['x-powered-by']).toBeUndefined();
    });

    it('keeps Swagger UI loadable: the page and every asset answer 200 and the CSP allows them', async () => {
      const page = await app.http.get('/api/docs').redirects(2).expect(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const csp = cspDirectives(page.headers['content-security-policy']);
      const html = page.text;

      const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes, body] of scripts) {
        if (!/\ssrc=/.test(attributes)) {
          // An inline script would need 'unsafe-inline' (or a hash) to run.
          expect(body.trim() === '' || csp.get('script-src')?.includes("'unsafe-inline'")).toBe(true);
        }
      }
      if (/<style[\s>]/.test(html)) {
        expect(csp.get('style-src')).toContain("'unsafe-inline'");
      }
      const assets = [
        ...[...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => ({ url: m[1], kind: 'script-src' })),
        ...[...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => ({ url: m[1], kind: 'style-src' })),
      ];
      expect(assets.length).toBeGreaterThanOrEqual(3);
      for (const { url, kind } of assets) {
        // Relative URLs: same origin, which 'self' allows.
        expect(url).not.toMatch(/^[a-z]+:\/\//i);
        expect(csp.get(kind) ?? csp.get('default-src')).toContain("'self'");
        const path = new URL(url, 'http://host/api/docs').pathname;
        await app.http.get(path).expect(200);
      }
      expect(csp.get('connect-src')).toContain("'self'");
      await app.http.get('/api/docs-json').expect(200);
    });
  });

  describe('request timeout', () => {
    it('answers 503 with the error JSON when a request runs over REQUEST_TIMEOUT_MS', async () => {
      const app = await start('realestate', { REQUEST_TIMEOUT_MS: '300' });
      const release = await exhaustPool(app);
      try {
        const response = await app.http.get('/api/v1/properties').set('X-Request-Id', 'slow-1').expect(503);
        expect(response.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.any(String), requestId: 'slow-1' });
        expect(response.headers['retry-after']).toBe('1');
      } finally {
        release();
      }
      // The late answer of the timed-out handler is dropped; the process serves on.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await app.http.get('/api/v1/properties').expect(200);
    });
  });

  describe('in-flight cap', () => {
    it('answers 503 with Retry-After beyond MAX_IN_FLIGHT, while probes still answer', async () => {
      const app = await start('bestays', { MAX_IN_FLIGHT: '2' });
      const release = await exhaustPool(app);
      let pending: Array<Promise<{ status: number }>> = [];
      try {
        pending = [app.http.get('/api/v1/properties').then((r) => r), app.http.get('/api/v1/properties').then((r) => r)];
        await new Promise((resolve) => setTimeout(resolve, 300));
        const refused = await app.http.get('/api/v1/properties').set('X-Request-Id', 'capped-1').expect(503);
        expect(refused.headers['retry-after']).toBe('1');
        expect(refused.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(/busy/), requestId: 'capped-1' });
        await app.http.get('/api/health/live').expect(200);
      } finally {
        release();
      }
      expect((await Promise.all(pending)).map((r) => r.status)).toEqual([200, 200]);
      await app.http.get('/api/v1/properties').expect(200);
    });
  });

  describe('shutdown readiness', () => {
    it('answers 503 "shutting_down" as soon as draining starts, and asks clients to close the connection', async () => {
      const app = await start('realestate');
      await app.http.get('/api/health').expect(200);
      app.app.get(Lifecycle).startDraining();
      const response = await app.http.get('/api/health').expect(503);
      expect(response.body).toEqual({ status: 'shutting_down', product: 'realestate', database: 'up' });
      expect(response.headers.connection).toBe('close');
      await app.http.get('/api/health/live').expect(200);
    });
  });
});
