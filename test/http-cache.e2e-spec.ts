import { randomUUID } from 'node:crypto';
import { FaqAnalyticsService } from '../src/faq/faq-analytics.service';
import { ownerQuery } from './harness/db';
import { oneInEach, ProductApp, type ProductName, startBothProducts, type TestUser } from './harness/product-app';

const PUBLIC_30 = 'public, max-age=30';
const NO_STORE = 'private, no-store';
const WEAK_ETAG = /^W\/"[A-Za-z0-9_-]+"$/;

// Public GETs are cacheable with a weak ETag and 304s; everything authenticated is no-store.
describe('HTTP caching', () => {
  let apps: Record<ProductName, ProductApp>;
  let admin: Record<ProductName, TestUser>;
  let doc: { id: string };
  let property: { id: string };

  beforeAll(async () => {
    apps = await startBothProducts();
    admin = await oneInEach(apps, 'admin');
    const { http } = apps.bestays;
    const auth = admin.bestays.auth;
    const category = (await http.post('/api/v1/admin/categories').set(auth).send({ name: 'Cache', slug: `cache-${randomUUID()}` }).expect(201)).body;
    doc = (
      await http
        .post('/api/v1/admin/faqs')
        .set(auth)
        .send({ categoryId: category.id, question: `Cached ${randomUUID()}?`, answer: 'Yes.', status: 'published' })
        .expect(201)
    ).body;
    property = (
      await http
        .post('/api/v1/admin/properties')
        .set(auth)
        .send({ title: 'Cached villa', priceMinor: 1, currency: 'EUR', bedrooms: 1, bathrooms: 1, address: 'x', published: true })
        .expect(201)
    ).body;
  });
  afterAll(async () => {
    await Promise.all(Object.values(apps ?? {}).map((app) => app.close()));
  });

  const views = async (app: ProductApp, id: string): Promise<number> => {
    await app.app.get(FaqAnalyticsService).flush();
    const rows = await ownerQuery<{ n: number }>(`select count(*)::int as n from faq_analytics where kind = 'view' and document_id = $1`, [id]);
    return rows[0].n;
  };

  it('public GETs carry public max-age and a weak ETag; If-None-Match answers 304 with no body', async () => {
    const { http } = apps.bestays;
    for (const path of [
      '/api/v1/properties',
      `/api/v1/properties/${property.id}`,
      '/api/v1/faq/categories',
      '/api/v1/faq/documents',
      '/api/v1/faq/search?q=cached',
    ]) {
      const first = await http.get(path).expect(200);
      expect(first.headers['cache-control']).toBe(PUBLIC_30);
      expect(first.headers.etag).toMatch(WEAK_ETAG);
      expect(first.headers['content-type']).toMatch(/^application\/json/);
      expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(Number(first.headers['content-length'])).toBe(Buffer.byteLength(first.text));
      const again = await http.get(path).set('If-None-Match', first.headers.etag).expect(304);
      expect(again.text ?? '').toBe('');
      expect([again.headers['content-type'], again.headers['content-length'], again.headers.etag]).toEqual([undefined, undefined, first.headers.etag]);
      // HEAD: the same headers as GET, no body.
      const head = await http.head(path).expect(200);
      expect([head.headers.etag, head.headers['content-length'], head.text ?? '']).toEqual([first.headers.etag, first.headers['content-length'], '']);
      const stale = await http.get(path).set('If-None-Match', 'W/"something-else"').expect(200);
      expect(stale.body).toEqual(first.body);
    }
  });

  it('a 304 does not count a second FAQ view; a full read does', async () => {
    const app = apps.bestays;
    const before = await views(app, doc.id);
    const first = await app.http.get(`/api/v1/faq/documents/${doc.id}`).expect(200);
    expect(first.headers.etag).toMatch(WEAK_ETAG);
    await app.http.get(`/api/v1/faq/documents/${doc.id}`).set('If-None-Match', first.headers.etag).expect(304);
    await app.http.get(`/api/v1/faq/documents/${doc.id}`).set('If-None-Match', `W/"x", ${first.headers.etag}`).expect(304);
    expect(await views(app, doc.id)).toBe(before + 1);
    await app.http.get(`/api/v1/faq/documents/${doc.id}`).expect(200);
    expect(await views(app, doc.id)).toBe(before + 2);
  });

  it('authenticated and admin responses, errors and writes are private, no-store and carry no ETag', async () => {
    const { http } = apps.bestays;
    const auth = admin.bestays.auth;
    const responses = [
      await http.get('/api/v1/users/me').set(auth).expect(200),
      await http.get('/api/v1/users').set(auth).expect(200),
      await http.get('/api/v1/admin/properties').set(auth).expect(200),
      await http.get('/api/v1/admin/audit-log').set(auth).expect(200),
      await http.get('/api/v1/admin/faq-analytics').set(auth).expect(200),
      // A public route asked with credentials is not shared either.
      await http.get('/api/v1/properties').set(auth).expect(200),
      await http.get('/api/v1/users/me').expect(401),
      await http.get(`/api/v1/properties/${randomUUID()}`).expect(404),
      await http.get('/api/v1/properties?limit=0').expect(400),
      await http.post(`/api/v1/faq/documents/${doc.id}/feedback`).send({ helpful: true }).expect(201),
    ];
    for (const response of responses) {
      expect(response.headers['cache-control']).toBe(NO_STORE);
      expect(response.headers.etag).toBeUndefined();
    }
    const me = await http.get('/api/v1/users/me').set(auth).expect(200);
    await http.get('/api/v1/users/me').set(auth).set('If-None-Match', '*').expect(200);
    expect(me.body.id).toBe(admin.bestays.id);
  });

  it('HTTP_CACHE_MAX_AGE sets max-age, and 0 turns public caching off', async () => {
    const tuned = await ProductApp.start('realestate', { HTTP_CACHE_MAX_AGE: '120' });
    const off = await ProductApp.start('realestate', { HTTP_CACHE_MAX_AGE: '0' });
    try {
      const first = await tuned.http.get('/api/v1/properties').expect(200);
      expect(first.headers['cache-control']).toBe('public, max-age=120');
      const uncached = await off.http.get('/api/v1/properties').expect(200);
      expect(uncached.headers['cache-control']).toBe(NO_STORE);
      expect(uncached.headers.etag).toBeUndefined();
      await off.http.get('/api/v1/properties').set('If-None-Match', first.headers.etag).expect(200);
    } finally {
      await tuned.close();
      await off.close();
    }
  });
});
