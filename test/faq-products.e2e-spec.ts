import { randomUUID } from 'node:crypto';
import { ownerQuery } from './harness/db';
import { type CategoryJson, type FaqJson, unique, useFaqSuite } from './harness/faq-suite';
import { DIRECTIONS, type ProductName, PRODUCTS } from './harness/product-app';
import { FaqAnalyticsService } from '../src/faq/faq-analytics.service';

describe('FAQ between products, access and input', () => {
  const { apps, admin, user, createCategory, createFaq } = useFaqSuite();

  describe('between products', () => {
    // Rows of `owner`, seen from `other`.
    const rows = {} as Record<ProductName, { category: CategoryJson; faq: FaqJson; draft: FaqJson; linked: FaqJson }>;

    beforeAll(async () => {
      for (const product of PRODUCTS) {
        const category = await createCategory(product);
        const faq = await createFaq(product, category.id, { question: `Shared cross-product question ${unique()}?`, tags: ['pets'] });
        const draft = await createFaq(product, category.id, { status: 'draft' });
        const linked = await createFaq(product, category.id);
        await apps[product].http.put(`/api/v1/admin/faqs/${faq.id}/related`).set(admin[product].auth).send({ ids: [linked.id] }).expect(200);
        rows[product] = { category, faq, draft, linked };
      }
    });

    async function ownerRows(): Promise<string> {
      const snapshot = await ownerQuery(
        `select 'c' as t, id, product, name as a, slug as b, position::text as c from faq_categories
         union all select 'd', id, product, question, status, category_id::text from faq_documents
         union all select 'r', id, product, document_id::text, related_id::text, '' from faq_related
         order by 1, 2`,
      );
      return JSON.stringify(snapshot);
    }

    it.each(DIRECTIONS)('%s ids are 404 on every admin verb in %s, and nothing changes', async (owner, other) => {
      const theirs = rows[owner];
      const mine = rows[other];
      const http = apps[other].http;
      const auth = admin[other].auth;
      const before = await ownerRows();

      await http.get(`/api/v1/admin/categories/${theirs.category.id}`).set(auth).expect(404);
      await http.patch(`/api/v1/admin/categories/${theirs.category.id}`).set(auth).send({ name: 'Taken over' }).expect(404);
      await http.delete(`/api/v1/admin/categories/${theirs.category.id}`).set(auth).expect(404);

      for (const faq of [theirs.faq, theirs.draft]) {
        await http.get(`/api/v1/admin/faqs/${faq.id}`).set(auth).expect(404);
        await http.patch(`/api/v1/admin/faqs/${faq.id}`).set(auth).send({ question: 'Taken over?' }).expect(404);
        await http.put(`/api/v1/admin/faqs/${faq.id}/related`).set(auth).send({ ids: [] }).expect(404);
        await http.delete(`/api/v1/admin/faqs/${faq.id}`).set(auth).expect(404);
      }

      // Their category for my document, new or existing.
      await http.post('/api/v1/admin/faqs').set(auth).send({ categoryId: theirs.category.id, question: 'Q?', answer: 'A.' }).expect(404);
      await http.patch(`/api/v1/admin/faqs/${mine.faq.id}`).set(auth).send({ categoryId: theirs.category.id }).expect(404);
      // Their documents as my related ones, alone or among mine.
      await http.put(`/api/v1/admin/faqs/${mine.faq.id}/related`).set(auth).send({ ids: [theirs.faq.id] }).expect(404);
      await http.put(`/api/v1/admin/faqs/${mine.faq.id}/related`).set(auth).send({ ids: [mine.draft.id, theirs.linked.id] }).expect(404);

      expect(await ownerRows()).toBe(before);
      const mineNow = await http.get(`/api/v1/admin/faqs/${mine.faq.id}`).set(auth).expect(200);
      expect(mineNow.body).toEqual({ ...mine.faq, updatedAt: expect.any(String), relatedIds: [mine.linked.id] });
    });

    it.each(DIRECTIONS)('%s ids are 404 on every public route in %s', async (owner, other) => {
      const theirs = rows[owner];
      const http = apps[other].http;
      await http.get(`/api/v1/faq/documents/${theirs.faq.id}`).expect(404);
      await http.post(`/api/v1/faq/documents/${theirs.faq.id}/feedback`).send({ helpful: true }).expect(404);
      await Promise.all([apps[owner].app.get(FaqAnalyticsService).flush(), apps[other].app.get(FaqAnalyticsService).flush()]);
      const views = await ownerQuery('select count(*)::int as n from faq_analytics where document_id = $1', [theirs.faq.id]);
      expect(views[0].n).toBe(0);
    });

    it.each(PRODUCTS)('%s lists and searches show only its own rows, even for the same question text', async (product) => {
      const other = product === 'bestays' ? 'realestate' : 'bestays';
      const http = apps[product].http;
      const sameQuestion = `Is the spa heated in winter ${unique()}?`;
      const own = await createFaq(product, rows[product].category.id, { question: sameQuestion, answer: 'Yes, the spa is heated all year.' });
      const foreign = await createFaq(other, rows[other].category.id, { question: sameQuestion, answer: 'Yes, the spa is heated all year.' });

      const search = await http.get('/api/v1/faq/search').query({ q: sameQuestion }).expect(200);
      const found = (search.body.items as Array<{ id: string }>).map((item) => item.id);
      expect(found[0]).toBe(own.id);
      expect(found).not.toContain(foreign.id);

      const otherIds = new Set([foreign.id, rows[other].faq.id, rows[other].draft.id, rows[other].linked.id, rows[other].category.id]);
      const lists = [
        await http.get('/api/v1/faq/documents').query({ limit: 100 }).expect(200),
        await http.get('/api/v1/faq/categories').expect(200),
        await http.get('/api/v1/admin/faqs').query({ limit: 100 }).set(admin[product].auth).expect(200),
        await http.get('/api/v1/admin/categories').query({ limit: 100 }).set(admin[product].auth).expect(200),
      ];
      for (const list of lists) {
        const ids = (list.body.items as Array<{ id: string }>).map((item) => item.id);
        expect(ids.filter((id) => otherIds.has(id))).toEqual([]);
      }
      // A category slug of the other product filters to nothing here.
      const byTheirSlug = await http.get('/api/v1/faq/documents').query({ category: rows[other].category.slug }).expect(200);
      expect(byTheirSlug.body.total).toBe(0);
    });
  });

  describe('access and input', () => {
    let faq: FaqJson;
    let category: CategoryJson;

    beforeAll(async () => {
      category = await createCategory('bestays');
      faq = await createFaq('bestays', category.id);
    });

    const adminRoutes = (id: string): Array<[string, string, object?]> => [
      ['get', '/api/v1/admin/categories'],
      ['post', '/api/v1/admin/categories', { name: 'N', slug: `n-${unique()}` }],
      ['get', `/api/v1/admin/categories/${id}`],
      ['patch', `/api/v1/admin/categories/${id}`, { name: 'N' }],
      ['delete', `/api/v1/admin/categories/${id}`],
      ['get', '/api/v1/admin/faqs'],
      ['post', '/api/v1/admin/faqs', { categoryId: id, question: 'Q?', answer: 'A.' }],
      ['get', `/api/v1/admin/faqs/${id}`],
      ['patch', `/api/v1/admin/faqs/${id}`, { question: 'Q?' }],
      ['put', `/api/v1/admin/faqs/${id}/related`, { ids: [] }],
      ['delete', `/api/v1/admin/faqs/${id}`],
      ['get', '/api/v1/admin/faq-analytics'],
    ];

    it('admin routes answer 403 to a signed-in non-admin and 401 to anyone else', async () => {
      const agent = await apps.bestays.user('agent');
      for (const [method, path, body] of adminRoutes(faq.id)) {
        for (const who of [user.bestays, agent]) {
          const request = apps.bestays.http[method as 'get'](path).set(who.auth);
          await (body ? request.send(body) : request).expect(403);
        }
        const anonymous = apps.bestays.http[method as 'get'](path);
        await (body ? anonymous.send(body) : anonymous).expect(401);
      }
      // Nothing was changed by the refused calls.
      const after = await apps.bestays.http.get(`/api/v1/admin/faqs/${faq.id}`).set(admin.bestays.auth).expect(200);
      expect(after.body).toEqual({ ...faq, relatedIds: [] });
    });

    it('a malformed id is 400 on every route that takes one', async () => {
      const routes: Array<[string, string, object?]> = [
        ...adminRoutes('not-a-uuid').filter(([, path]) => path.includes('not-a-uuid')),
        ['get', '/api/v1/faq/documents/not-a-uuid'],
        ['post', '/api/v1/faq/documents/not-a-uuid/feedback', { helpful: true }],
      ];
      for (const [method, path, body] of routes) {
        const request = apps.bestays.http[method as 'get'](path).set(admin.bestays.auth);
        const response = await (body ? request.send(body) : request).expect(400);
        expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', requestId: expect.any(String) });
      }
    });

    it('search validates q and limit, and answers the contract shape, best first, published only', async () => {
      const http = apps.bestays.http;
      await http.get('/api/v1/faq/search').expect(400);
      await http.get('/api/v1/faq/search').query({ q: '' }).expect(400);
      await http.get('/api/v1/faq/search').query({ q: '   ' }).expect(400);
      await http.get('/api/v1/faq/search').query({ q: 'x'.repeat(501) }).expect(400);
      await http.get('/api/v1/faq/search').query({ q: 'pets', limit: 0 }).expect(400);
      await http.get('/api/v1/faq/search').query({ q: 'pets', limit: 21 }).expect(400);
      await http.get('/api/v1/faq/search').query({ q: 'pets', limit: 'many' }).expect(400);
      await http.get('/api/v1/faq/search').query({ q: 'x'.repeat(500), limit: 20 }).expect(200);

      const word = `quokka${unique().replace(/[^a-z]/g, '')}`;
      const published = await createFaq('bestays', category.id, {
        question: `Where can I see a ${word}?`,
        answer: `Every ${word} lives on the island.`,
      });
      const alsoPublished = await createFaq('bestays', category.id, {
        question: 'Which animals live nearby?',
        answer: `Birds, and sometimes a ${word}.`,
      });
      const draft = await createFaq('bestays', category.id, {
        status: 'draft',
        question: `Do you rent out a ${word}?`,
        answer: `No ${word} rentals.`,
      });
      const response = await http.get('/api/v1/faq/search').query({ q: `${word} sightings` }).expect(200);
      expect(Object.keys(response.body)).toEqual(['items']);
      const items = response.body.items as Array<{ id: string; score: number }>;
      expect(items.map((item) => item.id)).toEqual([published.id, alsoPublished.id]);
      expect(items[0]).toEqual({
        id: published.id,
        question: published.question,
        answer: published.answer,
        categoryId: category.id,
        score: expect.any(Number),
      });
      for (const item of items) {
        expect(item.score).toBeGreaterThan(0);
        expect(item.score).toBeLessThanOrEqual(1);
      }
      expect(items[0].score).toBeGreaterThan(items[1].score);
      expect(items.map((item) => item.id)).not.toContain(draft.id);

      const limited = await http.get('/api/v1/faq/search').query({ q: word, limit: 1 }).expect(200);
      expect(limited.body.items).toHaveLength(1);
      // Unpublishing takes a document out of search at once.
      await http.patch(`/api/v1/admin/faqs/${published.id}`).set(admin.bestays.auth).send({ status: 'archived' }).expect(200);
      const after = await http.get('/api/v1/faq/search').query({ q: `${word} sightings` }).expect(200);
      expect((after.body.items as Array<{ id: string }>).map((item) => item.id)).toEqual([alsoPublished.id]);
    });

    it('feedback is accepted for published documents only, with a validated body', async () => {
      const http = apps.bestays.http;
      const response = await http.post(`/api/v1/faq/documents/${faq.id}/feedback`).send({ helpful: false }).expect(201);
      expect(response.body).toEqual({ documentId: faq.id, helpful: false });
      const draft = await createFaq('bestays', category.id, { status: 'draft' });
      await http.post(`/api/v1/faq/documents/${draft.id}/feedback`).send({ helpful: true }).expect(404);
      await http.post(`/api/v1/faq/documents/${randomUUID()}/feedback`).send({ helpful: true }).expect(404);
      for (const body of [{}, { helpful: 'yes' }, { helpful: null }, { helpful: true, product: 'bestays' }, { helpful: true, comment: 'x' }]) {
        await http.post(`/api/v1/faq/documents/${faq.id}/feedback`).send(body).expect(400);
      }
    });
  });
});
