import { connect } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { Server } from 'node:http';
import { ownerQuery } from './harness/db';
import { clerkUserCreated, oneInEach, PRODUCTS, type ProductApp, type ProductName, startBothProducts, type TestUser } from './harness/product-app';

const errorJson = { statusCode: expect.any(Number), error: expect.any(String), message: expect.any(String), requestId: expect.any(String) };

/** A raw HTTP exchange, for what supertest cannot send (malformed requests, huge headers). */
function rawExchange(port: number, request: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.setTimeout(10_000, () => socket.destroy());
    socket.write(request);
  });
}

describe('hostile input never reaches a 500', () => {
  let apps: Record<ProductName, ProductApp>;
  let admins: Record<ProductName, TestUser>;
  const ports: Partial<Record<ProductName, number>> = {};

  beforeAll(async () => {
    apps = await startBothProducts();
    admins = await oneInEach(apps, 'admin');
    for (const product of PRODUCTS) {
      await apps[product].app.listen(0, '127.0.0.1');
      ports[product] = ((apps[product].app.getHttpServer() as Server).address() as { port: number }).port;
    }
  });

  afterAll(async () => {
    await Promise.all(PRODUCTS.map((product) => apps?.[product]?.close()));
  });

  describe.each(PRODUCTS)('%s', (product) => {
    const app = () => apps[product];
    const admin = () => admins[product];

    it('decodes gzip, deflate and br bodies, and answers 400 when the bytes are not what Content-Encoding says', async () => {
      const json = Buffer.from(JSON.stringify({ message: 'can I bring my dog' }));
      for (const [encoding, encode] of [
        ['gzip', gzipSync],
        ['deflate', deflateSync],
        ['br', brotliCompressSync],
      ] as const) {
        const plain = await app().http.post('/api/v1/llm/chat').set(admin().auth).set('Content-Type', 'application/json').set('Content-Encoding', encoding).send(json);
        expect({ encoding, status: plain.status }).toEqual({ encoding, status: 400 });
        expect(plain.body).toMatchObject(errorJson);
        const anonymous = await app().http.post('/api/v1/webhooks/clerk').set('Content-Type', 'application/json').set('Content-Encoding', encoding).send(json);
        expect(anonymous.status).toBe(400);
        // fetch, not supertest: superagent would JSON-serialize a Buffer sent as application/json.
        const encoded = await fetch(`http://127.0.0.1:${ports[product]}/api/v1/llm/chat`, {
          method: 'POST',
          headers: { ...admin().auth, 'Content-Type': 'application/json', 'Content-Encoding': encoding },
          body: encode(json),
        });
        expect({ encoding, status: encoded.status }).toEqual({ encoding, status: 200 });
        expect(((await encoded.json()) as { reply?: unknown }).reply).toEqual(expect.any(String));
      }
      const unknown = await app().http.post('/api/v1/llm/chat').set(admin().auth).set('Content-Type', 'application/json').set('Content-Encoding', 'compress').send(json);
      expect(unknown.status).toBe(415);
      expect(unknown.body).toMatchObject(errorJson);
    });

    it('answers 400 to JSON nested 5000 levels deep', async () => {
      const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
      for (const path of ['/api/v1/llm/chat', '/api/v1/admin/faqs']) {
        const response = await app().http.post(path).set(admin().auth).set('Content-Type', 'application/json').send(deep);
        expect({ path, status: response.status }).toEqual({ path, status: 400 });
        expect(response.body).toMatchObject(errorJson);
      }
      const array = `${'['.repeat(5000)}${']'.repeat(5000)}`;
      expect((await app().http.post('/api/v1/faq/documents/00000000-0000-4000-8000-000000000000/feedback').set('Content-Type', 'application/json').send(array)).status).toBe(400);
    });

    it('answers 400 to huge offsets on every list', async () => {
      const document = (await app().http.get('/api/docs-json').expect(200)).body as { paths: Record<string, { get?: { parameters?: Array<{ name: string }> } }> };
      const lists = Object.entries(document.paths)
        .filter(([, item]) => item.get?.parameters?.some((parameter) => parameter.name === 'offset'))
        .map(([path]) => path);
      expect(lists.length).toBeGreaterThanOrEqual(5);
      for (const path of lists) {
        for (const offset of ['1e20', '9223372036854775807', '-1', '1.5']) {
          const response = await app().http.get(`${path}?offset=${offset}`).set(admin().auth);
          expect({ path, offset, status: response.status }).toEqual({ path, offset, status: 400 });
          expect(response.body).toMatchObject(errorJson);
        }
      }
    });

    it('answers 400 to NUL characters and lone surrogates in any text', async () => {
      const cases = [
        app().http.get('/api/v1/faq/search?q=a%00b'),
        app().http.post('/api/v1/llm/chat').set(admin().auth).set('Content-Type', 'application/json').send('{"message":"\\ud800"}'),
        app().http.post('/api/v1/llm/chat').set(admin().auth).set('Content-Type', 'application/json').send('{"message":"a\\u0000b"}'),
        app().http.get('/api/v1/admin/audit-log?entityType=%00').set(admin().auth),
        app().http.post('/api/v1/admin/faqs').set(admin().auth).send({ question: 'q', answer: 'a', tags: ['pets\u0000'] }),
        app().http.post('/api/v1/admin/categories').set(admin().auth).set('Content-Type', 'application/json').send('{"name\\u0000":"x","slug":"x"}'),
      ];
      for (const [index, pending] of cases.entries()) {
        const response = await pending;
        expect({ index, status: response.status }).toEqual({ index, status: 400 });
        expect(response.body).toMatchObject(errorJson);
      }
    });

    it('stores a signed webhook with NUL or lone surrogates cleaned, and a 1e300 updated_at as failed (422)', async () => {
      const clerkUserId = `user_nul_${product}_${Date.now()}`;
      const event = clerkUserCreated(clerkUserId, { firstName: 'Ann\u0000ie' }) as { data: Record<string, unknown> };
      event.data.last_name = 'Lone\ud800';
      const headers = app().signWebhook(JSON.stringify(event), { id: `msg_nul_${clerkUserId}` });
      const stored = await app().http.post('/api/v1/webhooks/clerk').set(headers).send(JSON.stringify(event));
      expect(stored.status).toBe(200);
      const [user] = await ownerQuery<{ first_name: string; last_name: string }>('select first_name, last_name from users where product = $1 and clerk_user_id = $2', [product, clerkUserId]);
      expect(user).toEqual({ first_name: 'Annie', last_name: 'Lone\ufffd' });

      const huge = clerkUserCreated(`user_huge_${product}_${Date.now()}`) as { data: Record<string, unknown> };
      huge.data.updated_at = 1e300;
      const svixId = `msg_huge_${product}_${Date.now()}`;
      const rejected = await app().sendWebhook(huge, { id: svixId });
      expect(rejected.status).toBe(422);
      expect(rejected.body).toMatchObject(errorJson);
      const [row] = await ownerQuery<{ status: string }>('select status from webhook_events where product = $1 and svix_id = $2', [product, svixId]);
      expect(row.status).toBe('failed');

      const deep = `{"type":"user.created","data":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`;
      const deepId = `msg_deep_${product}_${Date.now()}`;
      const deepResponse = await app().http.post('/api/v1/webhooks/clerk').set(app().signWebhook(deep, { id: deepId })).send(deep);
      expect(deepResponse.status).toBe(422);
    });

    it("answers the HTTP parser's errors with the error JSON, X-Request-Id and X-Product", async () => {
      const port = ports[product] as number;
      const checks: Array<[string, number]> = [
        [`GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
        ['GET /api/health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', 400],
        ['BLAH\r\n\r\n', 400],
        ['GET /api/health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 400],
        ['POST /api/v1/llm/chat HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\n{}', 417],
      ];
      for (const [request, status] of checks) {
        const response = await rawExchange(port, request);
        expect({ request: request.slice(0, 40), status: response.status }).toEqual({ request: request.slice(0, 40), status });
        expect(response.headers['x-product']).toBe(product);
        expect(response.headers['x-request-id']).toMatch(/\S/);
        expect(response.headers['content-type']).toMatch(/application\/json/);
        expect(JSON.parse(response.body)).toEqual({ ...errorJson, statusCode: status });
      }
    });
  });
});
