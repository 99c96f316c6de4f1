import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createApp } from '../src/app.setup';
import { loadConfig } from '../src/config/app-config';
import { MetricsExposure } from '../src/observability/observability.module';
import { clerkUserCreated, ProductApp, startBothProducts } from './harness/product-app';

// Every JSON line the capturing app wrote.
class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter((line) => line.length > 0));
    done();
  }

  records(): Array<Record<string, unknown>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  accessLine(requestId: string): Record<string, unknown> | undefined {
    return this.records().find((record) => record.msg === 'request completed' && record.requestId === requestId);
  }
}

// The capture must be in place when the request's `finish` fires; give the event loop a turn.
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('logs, metrics and probes', () => {
  const capture = new LogCapture();
  let logged: ProductApp;
  let apps: Awaited<ReturnType<typeof startBothProducts>>;

  beforeAll(async () => {
    apps = await startBothProducts();
    // Last: Nest's Logger is process-wide, and the quiet apps (logger false) switch it off when built.
    logged = await ProductApp.start('bestays', { LOG_LEVEL: 'info' }, (config) => {
      config.ops.log.destination = capture;
    });
  });
  afterAll(async () => {
    await Promise.all([logged, ...Object.values(apps)].map((app) => app.close()));
  });

  describe('structured logs', () => {
    it('write one access line per request: product, request id, user, method, route pattern, status, latency', async () => {
      const user = await logged.user('user');
      const me = await logged.http.get('/api/v1/users/me').set(user.auth).set('X-Request-Id', 'log-me-1').expect(200);
      const id = randomUUID();
      await logged.http.get(`/api/v1/properties/${id}`).set('X-Request-Id', 'log-404-1').expect(404);
      await settle();

      const lines = capture.records().filter((r) => r.msg === 'request completed' && r.requestId === 'log-me-1');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        product: 'bestays',
        requestId: 'log-me-1',
        userId: me.body.id,
        method: 'GET',
        route: '/api/v1/users/me',
        status: 200,
        latencyMs: expect.any(Number),
        level: 30,
      });
      expect(capture.accessLine('log-404-1')).toMatchObject({ route: '/api/v1/properties/:id', status: 404, userId: null });
      // The route pattern, never the raw URL with its id.
      expect(capture.lines.join('\n')).not.toContain(id);
    });

    it('carry the product and request id on application logs made during a request', async () => {
      const event = { ...clerkUserCreated(`user_${randomUUID().replace(/-/g, '')}`), type: 'session.created' };
      await logged.sendWebhook(event).set('X-Request-Id', 'log-app-1').expect(200);
      await settle();
      const appLine = capture.records().find((r) => typeof r.msg === 'string' && r.msg.includes('ignored Clerk event type session.created'));
      expect(appLine).toMatchObject({ product: 'bestays', requestId: 'log-app-1', context: 'ClerkWebhookService' });
    });

    it('never contain an Authorization header, a token, cookies or a webhook body', async () => {
      const user = await logged.user('user', { firstName: 'Zyxwvutsrq' });
      const marker = `secret-marker-${randomUUID()}`;
      await logged.http.get('/api/v1/users/me').set(user.auth).set('Cookie', `session=${marker}`).expect(200);
      await logged.sendWebhook(clerkUserCreated(`user_${randomUUID().replace(/-/g, '')}`, { email: `${marker}@example.test` })).expect(200);
      await logged.http.get('/api/v1/users/me').set('Authorization', `Bearer ${marker}`).expect(401);
      await settle();

      const all = capture.lines.join('\n');
      expect(all).not.toContain(user.token);
      expect(all).not.toContain(user.token.split('.')[1]);
      expect(all).not.toContain(marker);
      expect(all).not.toContain('Zyxwvutsrq');
      expect(all).not.toMatch(/bearer/i);
      expect(all).not.toContain(logged.webhookSecret);
      expect(all).not.toContain('svix-signature');
    });

    it('stay silent in the other apps of the test run (logger false)', () => {
      expect(capture.records().every((r) => r.product === 'bestays')).toBe(true);
    });
  });

  describe('metrics', () => {
    it('serve Prometheus text with every series labelled by the product, one registry per app', async () => {
      await apps.realestate.http.get(`/api/v1/properties/${randomUUID()}`).expect(404);
      await apps.realestate.user('user');
      const response = await apps.realestate.http.get('/api/metrics').expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      const text = response.text;
      expect(sample(text, 'http_requests_total{product="realestate",method="GET",route="/api/v1/properties/:id",status="404"}')).toBe(1);
      expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0\.005",product="realestate",method="GET",route="\/api\/v1\/properties\/:id",status="404"\}/);
      expect(sample(text, 'webhook_deliveries_total{product="realestate",type="user.created",outcome="processed"}')).toBe(1);
      expect(sample(text, 'db_pool_connections_in_use{product="realestate"}')).toEqual(expect.any(Number));
      expect(sample(text, 'db_pool_connections_waiting{product="realestate"}')).toBe(0);
      expect(text).toMatch(/^process_resident_memory_bytes\{product="realestate"\} \d+/m);
      expect(text).toMatch(/^nodejs_heap_size_used_bytes\{product="realestate"\} \d+/m);
      for (const name of ['rate_limit_rejections_total', 'outbound_calls_total', 'outbound_call_duration_seconds', 'llm_tokens_total']) {
        expect(text).toContain(`# TYPE ${name} `);
      }
      // Not a single series of the other product, and no unlabelled one.
      expect(text).not.toContain('bestays');
      const series = text.split('\n').filter((line) => line.length > 0 && !line.startsWith('#'));
      expect(series.every((line) => line.includes('product="realestate"'))).toBe(true);
    });

    it('count webhook deliveries by outcome, forged ones included', async () => {
      const body = JSON.stringify(clerkUserCreated('user_forged'));
      await apps.bestays.http
        .post('/api/v1/webhooks/clerk')
        .set(apps.bestays.signWebhook(body, { secret: apps.realestate.webhookSecret }))
        .send(body)
        .expect(401);
      const text = (await apps.bestays.http.get('/api/metrics').expect(200)).text;
      expect(sample(text, 'webhook_deliveries_total{product="bestays",type="unknown",outcome="invalid_signature"}')).toBe(1);
    });

    it('move to METRICS_PORT when it is set, and leave the main port', async () => {
      const separate = await ProductApp.start('realestate', { METRICS_PORT: '0' });
      try {
        await separate.http.get('/api/metrics').expect(404);
        const port = separate.app.get(MetricsExposure).port;
        expect(port).toEqual(expect.any(Number));
        const response = await fetch(`http://127.0.0.1:${port}/metrics`);
        expect(response.status).toBe(200);
        expect(await response.text()).toContain('http_requests_total');
      } finally {
        await separate.close();
      }
    });
  });

  describe('probes', () => {
    it('liveness answers 200 without the database', async () => {
      const response = await apps.bestays.http.get('/api/health/live').expect(200);
      expect(response.body).toEqual({ status: 'ok', product: 'bestays' });
    });

    it('readiness says "busy" (503), not "down", while every pool connection is taken', async () => {
      const knex = (apps.realestate.orm.em.getConnection() as unknown as { getKnex(): KnexLike }).getKnex();
      const held: unknown[] = [];
      try {
        // Take every connection the pool will lend (max 10), as a stuck table would.
        for (let i = 0; i < 10; i += 1) {
          held.push(await knex.client.acquireConnection());
        }
        const response = await apps.realestate.http.get('/api/health').expect(503);
        expect(response.body).toEqual({ status: 'error', product: 'realestate', database: 'busy' });
        // Liveness does not care.
        await apps.realestate.http.get('/api/health/live').expect(200);
      } finally {
        held.forEach((connection) => knex.client.releaseConnection(connection));
      }
      await apps.realestate.http.get('/api/health').expect(200);
    });

    it('readiness says "down" (503) when no connection can be made, liveness still 200', async () => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      await new Promise((resolve) => server.close(resolve));
      const config = loadConfig({ PRODUCT: 'bestays', DATABASE_URL: `postgres://nobody@127.0.0.1:${port}/nowhere` });
      const app = await createApp(config, `postgres://app_bestays:x@127.0.0.1:${port}/nowhere`, false);
      await app.init();
      try {
        const response = await request(app.getHttpServer()).get('/api/health').expect(503);
        expect(response.body).toEqual({ status: 'error', product: 'bestays', database: 'down' });
        await request(app.getHttpServer()).get('/api/health/live').expect(200);
      } finally {
        await app.close();
      }
    });
  });
});

interface KnexLike {
  client: { acquireConnection(): Promise<unknown>; releaseConnection(connection: unknown): void };
}
