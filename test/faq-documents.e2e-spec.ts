import { randomUUID } from 'node:crypto';
import { type CategoryJson, type FaqJson, ISO_DATE, unique, useFaqSuite, UUID } from './harness/faq-suite';

describe('FAQ documents', () => {
  const { apps, admin, createCategory, createFaq } = useFaqSuite();

  describe('documents', () => {
    let category: CategoryJson;

    beforeAll(async () => {
      category = await createCategory('bestays');
    });

    it('are created, read, updated, listed and deleted with the contract shapes', async () => {
      const app = apps.bestays;
      const auth = admin.bestays.auth;
      const question = `Can I bring my ferret ${unique()}?`;
      const created = await app.http
        .post('/api/v1/admin/faqs')
        .set(auth)
        .send({ categoryId: category.id, question, answer: 'Ferrets are welcome in pet-friendly homes.' })
        .expect(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(UUID),
        categoryId: category.id,
        question,
        answer: 'Ferrets are welcome in pet-friendly homes.',
        status: 'draft',
        tags: [],
        createdAt: expect.stringMatching(ISO_DATE),
        updatedAt: expect.stringMatching(ISO_DATE),
      });
      const id = created.body.id as string;

      expect((await app.http.get(`/api/v1/admin/faqs/${id}`).set(auth).expect(200)).body).toEqual({ ...created.body, relatedIds: [] });
      // A draft is invisible to the public.
      await app.http.get(`/api/v1/faq/documents/${id}`).expect(404);

      const other = await createCategory('bestays');
      const updated = await app.http
        .patch(`/api/v1/admin/faqs/${id}`)
        .set(auth)
        .send({ status: 'published', tags: ['pets', ' ferrets '], categoryId: other.id })
        .expect(200);
      expect(updated.body).toEqual({
        ...created.body,
        categoryId: other.id,
        status: 'published',
        tags: ['pets', 'ferrets'],
        updatedAt: expect.stringMatching(ISO_DATE),
      });
      expect(Date.parse(updated.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.body.updatedAt));

      const { relatedIds, ...publicShape } = (await app.http.get(`/api/v1/faq/documents/${id}`).expect(200)).body;
      expect(relatedIds).toEqual([]);
      expect(publicShape).toEqual(updated.body);

      const adminList = await app.http.get('/api/v1/admin/faqs').query({ status: 'published' }).set(auth).expect(200);
      expect(adminList.body).toMatchObject({ total: expect.any(Number), limit: 20, offset: 0 });
      expect(adminList.body.items).toContainEqual(updated.body);
      expect((adminList.body.items as FaqJson[]).every((item) => item.status === 'published')).toBe(true);

      await app.http.delete(`/api/v1/admin/faqs/${id}`).set(auth).expect(204);
      await app.http.get(`/api/v1/admin/faqs/${id}`).set(auth).expect(404);
      await app.http.get(`/api/v1/faq/documents/${id}`).expect(404);
      await app.http.delete(`/api/v1/admin/faqs/${id}`).set(auth).expect(404);
    });

    it('are listed publicly: published only, newest first, filtered by category slug, paginated', async () => {
      const own = await createCategory('bestays');
      const older = await createFaq('bestays', own.id);
      const draft = await createFaq('bestays', own.id, { status: 'draft' });
      const archived = await createFaq('bestays', own.id, { status: 'archived' });
      const newer = await createFaq('bestays', own.id);
      const elsewhere = await createFaq('bestays', category.id);

      const filtered = await apps.bestays.http.get('/api/v1/faq/documents').query({ category: own.slug }).expect(200);
      expect(filtered.body).toEqual({ items: [newer, older], total: 2, limit: 20, offset: 0, nextCursor: null, totalExact: true });

      const paged = await apps.bestays.http.get('/api/v1/faq/documents').query({ category: own.slug, limit: 1, offset: 1 }).expect(200);
      expect(paged.body).toEqual({ items: [older], total: 2, limit: 1, offset: 1, nextCursor: null, totalExact: true });

      const all = await apps.bestays.http.get('/api/v1/faq/documents').query({ limit: 100 }).expect(200);
      const ids = (all.body.items as FaqJson[]).map((item) => item.id);
      expect(ids).toEqual(expect.arrayContaining([newer.id, older.id, elsewhere.id]));
      expect(ids).not.toContain(draft.id);
      expect(ids).not.toContain(archived.id);
      const times = (all.body.items as FaqJson[]).map((item) => Date.parse(item.createdAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));

      const drafts = await apps.bestays.http
        .get('/api/v1/admin/faqs')
        .query({ status: 'draft', limit: 100 })
        .set(admin.bestays.auth)
        .expect(200);
      expect((drafts.body.items as FaqJson[]).map((item) => item.id)).toContain(draft.id);
      expect((drafts.body.items as FaqJson[]).every((item) => item.status === 'draft')).toBe(true);

      const none = await apps.bestays.http.get('/api/v1/faq/documents').query({ category: `no-such-${unique()}` }).expect(200);
      expect(none.body).toEqual({ items: [], total: 0, limit: 20, offset: 0, nextCursor: null, totalExact: true });
      await apps.bestays.http.get('/api/v1/faq/documents').query({ category: 'Not a slug!' }).expect(400);
      await apps.bestays.http.get('/api/v1/faq/documents').query({ limit: 0 }).expect(400);
      await apps.bestays.http.get('/api/v1/admin/faqs').query({ status: 'deleted' }).set(admin.bestays.auth).expect(400);
    });

    it('take an unknown category id as 404', async () => {
      const response = await apps.bestays.http
        .post('/api/v1/admin/faqs')
        .set(admin.bestays.auth)
        .send({ categoryId: randomUUID(), question: 'Q?', answer: 'A.' })
        .expect(404);
      expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    });

    it.each([
      [{ categoryId: undefined, question: 'Q?', answer: 'A.' }],
      [{ categoryId: 'not-a-uuid', question: 'Q?', answer: 'A.' }],
      [{ question: '', answer: 'A.' }],
      [{ question: 'Q?', answer: ' ' }],
      [{ question: 'Q?' }],
      [{ question: 'Q?', answer: 'A.', status: 'deleted' }],
      [{ question: 'Q?', answer: 'A.', tags: 'pets' }],
      [{ question: 'Q?', answer: 'A.', tags: Array.from({ length: 21 }, (_, i) => `tag${i}`) }],
      [{ question: 'Q?', answer: 'A.', tags: ['x'.repeat(51)] }],
      [{ question: 'Q?', answer: 'A.', tags: [''] }],
      [{ question: 'Q?', answer: 'A.', tags: [42] }],
      [{ question: 'Q?', answer: 'A.', tags: ['a', 'a'] }],
      [{ question: 'Q?', answer: 'A.', tags: ['NULL'] }],
      [{ question: 'Q?', answer: 'A.', product: 'realestate' }],
      [{ question: 'Q?', answer: 'A.', relatedIds: [] }],
    ])('rejects the invalid body %j with 400', async (body) => {
      const withCategory = 'categoryId' in body ? body : { categoryId: category.id, ...body };
      await apps.bestays.http.post('/api/v1/admin/faqs').set(admin.bestays.auth).send(withCategory).expect(400);
    });

    it('reject invalid updates with 400 and leave the document unchanged', async () => {
      const faq = await createFaq('bestays', category.id);
      for (const body of [{ product: 'realestate' }, { status: null }, { question: null }, { tags: ['x'.repeat(51)] }, { categoryId: 'nope' }]) {
        await apps.bestays.http.patch(`/api/v1/admin/faqs/${faq.id}`).set(admin.bestays.auth).send(body).expect(400);
      }
      const after = await apps.bestays.http.get(`/api/v1/admin/faqs/${faq.id}`).set(admin.bestays.auth).expect(200);
      expect(after.body).toEqual({ ...faq, relatedIds: [] });
    });
  });

  describe('related documents', () => {
    it('replace the set, answer the document with relatedIds, and show only published ones publicly', async () => {
      const app = apps.realestate;
      const auth = admin.realestate.auth;
      const category = await createCategory('realestate');
      const main = await createFaq('realestate', category.id);
      const a = await createFaq('realestate', category.id);
      const b = await createFaq('realestate', category.id);
      const c = await createFaq('realestate', category.id);
      const draft = await createFaq('realestate', category.id, { status: 'draft' });

      const set = await app.http.put(`/api/v1/admin/faqs/${main.id}/related`).set(auth).send({ ids: [a.id, b.id, draft.id] }).expect(200);
      expect(set.body).toEqual({ ...main, updatedAt: expect.any(String), relatedIds: [a.id, b.id, draft.id].sort() });

      const replaced = await app.http.put(`/api/v1/admin/faqs/${main.id}/related`).set(auth).send({ ids: [b.id, c.id, draft.id] }).expect(200);
      expect(replaced.body.relatedIds).toEqual([b.id, c.id, draft.id].sort());
      expect((await app.http.get(`/api/v1/admin/faqs/${main.id}`).set(auth).expect(200)).body.relatedIds).toEqual([b.id, c.id, draft.id].sort());
      expect((await app.http.get(`/api/v1/faq/documents/${main.id}`).expect(200)).body.relatedIds).toEqual([b.id, c.id].sort());

      // Links are one-way; deleting a linked document removes its links.
      expect((await app.http.get(`/api/v1/admin/faqs/${b.id}`).set(auth).expect(200)).body.relatedIds).toEqual([]);
      await app.http.delete(`/api/v1/admin/faqs/${c.id}`).set(auth).expect(204);
      expect((await app.http.get(`/api/v1/admin/faqs/${main.id}`).set(auth).expect(200)).body.relatedIds).toEqual([b.id, draft.id].sort());

      const cleared = await app.http.put(`/api/v1/admin/faqs/${main.id}/related`).set(auth).send({ ids: [] }).expect(200);
      expect(cleared.body.relatedIds).toEqual([]);
    });

    it('reject self links, duplicates, malformed ids and too many ids with 400; unknown ids with 404; and change nothing', async () => {
      const app = apps.bestays;
      const auth = admin.bestays.auth;
      const category = await createCategory('bestays');
      const main = await createFaq('bestays', category.id);
      const kept = await createFaq('bestays', category.id);
      await app.http.put(`/api/v1/admin/faqs/${main.id}/related`).set(auth).send({ ids: [kept.id] }).expect(200);

      await app.http.put(`/api/v1/admin/faqs/${main.id}/related`).set(auth).send({ ids: [main.id] }).expect(400);
      await app.http.put(`/api/v1/admin/faqs/${main.id}/related`).set(auth).send({ ids: [kept.id, kept.id] }).expect(400);
      await app.http.put(`/api/v1/admin/faqs/${main.id}/related`).set(auth).send({ ids: ['nope'] }).expect(400);
      await app.http.put(`/api/v1/admin/faqs/${main.id}/related`).set(auth).send({ ids: kept.id }).expect(400);
      await app.http.put(`/api/v1/admin/faqs/${main.id}/related`).set(auth).send({}).expect(400);
      const tooMany = Array.from({ length: 51 }, () => randomUUID());
      await app.http.put(`/api/v1/admin/faqs/${main.id}/related`).set(auth).send({ ids: tooMany }).expect(400);
      await app.http.put(`/api/v1/admin/faqs/${main.id}/related`).set(auth).send({ ids: [kept.id], product: 'bestays' }).expect(400);
      const unknown = await app.http.put(`/api/v1/admin/faqs/${main.id}/related`).set(auth).send({ ids: [randomUUID()] }).expect(404);
      expect(unknown.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
      await app.http.put(`/api/v1/admin/faqs/${randomUUID()}/related`).set(auth).send({ ids: [] }).expect(404);

      expect((await app.http.get(`/api/v1/admin/faqs/${main.id}`).set(auth).expect(200)).body.relatedIds).toEqual([kept.id]);
    });
  });
});
