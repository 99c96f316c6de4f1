import { randomUUID } from 'node:crypto';
import { openApiDocumentOf } from '../src/common/openapi';
import { oneInEach, type TestUser, useBothProducts, type ProductName } from './harness/product-app';

const ORIGIN = 'https://app.bestays.test';

describe('HTTP rules every route shares', () => {
  const apps = useBothProducts({ bestays: { CORS_ORIGINS: ORIGIN } });
  let admin: Record<ProductName, TestUser>;

  beforeAll(async () => {
    admin = await oneInEach(apps, 'admin');
  });

  describe('CORS', () => {
    const exposed = (header: string | undefined) => (header ?? '').split(',').map((name) => name.trim().toLowerCase());

    it('exposes the request id, product, ETag and Retry-After headers to an allowed origin', async () => {
      const response = await apps.bestays.http.get('/api/v1/properties').set('Origin', ORIGIN).expect(200);
      expect(response.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(exposed(response.headers['access-control-expose-headers'])).toEqual(
        expect.arrayContaining(['x-request-id', 'x-product', 'etag', 'retry-after']),
      );
    });

    it('answers a preflight with a max-age, and nothing to an origin that is not allowed', async () => {
      const preflight = await apps.bestays.http
        .options('/api/v1/admin/properties')
        .set('Origin', ORIGIN)
        .set('Access-Control-Request-Method', 'PATCH')
        .set('Access-Control-Request-Headers', 'authorization,content-type');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-max-age']).toBe('600');
      const stranger = await apps.bestays.http.get('/api/v1/properties').set('Origin', 'https://evil.test').expect(200);
      expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
      // No CORS_ORIGINS: no cross-origin access at all.
      const other = await apps.realestate.http.get('/api/v1/properties').set('Origin', ORIGIN).expect(200);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('carries the CORS headers on a malformed-JSON 400 and a 413, so the browser can read the error', async () => {
      const malformed = await apps.bestays.http
        .post('/api/v1/admin/properties')
        .set(admin.bestays.auth)
        .set('Origin', ORIGIN)
        .set('Content-Type', 'application/json')
        .send('{"title": ')
        .expect(400);
      expect(malformed.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(malformed.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      const huge = await apps.bestays.http
        .post('/api/v1/admin/properties')
        .set(admin.bestays.auth)
        .set('Origin', ORIGIN)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ title: 'x'.repeat(1_100_000) }))
        .expect(413);
      expect(huge.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(exposed(huge.headers['access-control-expose-headers'])).toContain('x-request-id');
    });
  });

  describe('unknown parameters', () => {
    it('ignores unknown query parameters on every GET of the document (a cache buster answers as without it)', async () => {
      const document = openApiDocumentOf(apps.bestays.app);
      const gets = Object.entries(document.paths).filter(([, item]) => item.get);
      expect(gets.length).toBeGreaterThanOrEqual(15);
      for (const [template, item] of gets) {
        // Required query parameters (the search's `q`) get a valid value.
        const required = ((item.get?.parameters ?? []) as Array<{ in?: string; name?: string; required?: boolean }>)
          .filter((parameter) => parameter.in === 'query' && parameter.required)
          .map((parameter) => `${parameter.name}=pets`);
        const path = `${template.replace(/\{[^}]+\}/g, randomUUID())}?${required.join('&')}`;
        const plain = await apps.bestays.http.get(path).set(admin.bestays.auth);
        const busted = await apps.bestays.http.get(`${path}&_=123&utm_source=newsletter`).set(admin.bestays.auth);
        expect({ path, status: busted.status }).toEqual({ path, status: plain.status });
        expect({ path, status: busted.status }).not.toEqual({ path, status: 400 });
      }
    });

    it('still validates the known query parameters, and refuses unknown body fields', async () => {
      await apps.bestays.http.get('/api/v1/properties?limit=0&_=1').expect(400);
      await apps.bestays.http.get('/api/v1/faq/search?q=%20%20').expect(400);
      const refused = await apps.bestays.http
        .patch(`/api/v1/admin/properties/${randomUUID()}`)
        .set(admin.bestays.auth)
        .send({ title: 'x', product: 'realestate' })
        .expect(400);
      expect(refused.body.message).toContain('property product should not exist');
    });
  });
});
