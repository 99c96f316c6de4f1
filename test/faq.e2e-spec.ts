import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { catchUpFaqEmbeddings } from '../src/faq/faq-embeddings.catch-up';
import { ownerQuery } from './harness/db';
import { ProductApp, type ProductName, startBothProducts, type TestUser, oneInEach } from './harness/product-app';

interface CategoryJson {
  id: string;
  name: string;
  slug: string;
  position: number;
}

interface FaqJson {
  id: string;
  categoryId: string;
  question: string;
  answer: string;
  status: 'draft' | 'published' | 'archived';
  tags: string[];
  createdAt: string;
  updatedAt: string;
  relatedIds?: string[];
}

interface EmbeddingRow {
  model: string;
  content_hash: string;
  dims: number;
  updated_at: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const PRODUCTS = ['bestays', 'realestate'] as const;
const directions = [
  ['bestays', 'realestate'],
  ['realestate', 'bestays'],
] as const;

const unique = () => randomUUID().slice(0, 8);

function embeddingHash(question: string, tags: string[], answer: string): string {
  return createHash('sha256').update([question, tags.join(', '), answer].join('\n')).digest('hex');
}

async function embeddingOf(documentId: string): Promise<EmbeddingRow | undefined> {
  const rows = await ownerQuery<EmbeddingRow>(
    'select model, content_hash, array_length(vector, 1) as dims, updated_at from faq_embeddings where document_id = $1',
    [documentId],
  );
  return rows[0];
}

describe('FAQ', () => {
  let apps: Record<ProductName, ProductApp>;
  let admin: Record<ProductName, TestUser>;
  let user: Record<ProductName, TestUser>;

  beforeAll(async () => {
    apps = await startBothProducts();
    admin = await oneInEach(apps, 'admin');
    user = await oneInEach(apps, 'user');
  });
  afterAll(async () => {
    await Promise.all(Object.values(apps ?? {}).map((app) => app.close()));
  });

  async function createCategory(product: ProductName, overrides: Partial<CategoryJson> = {}): Promise<CategoryJson> {
    const id = unique();
    const response = await apps[product].http
      .post('/api/v1/admin/categories')
      .set(admin[product].auth)
      .send({ name: `Category ${id}`, slug: `category-${id}`, position: 5, ...overrides })
      .expect(201);
    return response.body as CategoryJson;
  }

  async function createFaq(product: ProductName, categoryId: string, overrides: Record<string, unknown> = {}): Promise<FaqJson> {
    const response = await apps[product].http
      .post('/api/v1/admin/faqs')
      .set(admin[product].auth)
      .send({ categoryId, question: `Question ${unique()}?`, answer: 'An answer of a few words.', status: 'published', ...overrides })
      .expect(201);
    return response.body as FaqJson;
  }

  async function auditOf(product: ProductName, entityType: string, entityId: string) {
    const response = await apps[product].http
      .get('/api/v1/admin/audit-log')
      .query({ entityType, entityId, limit: 100 })
      .set(admin[product].auth)
      .expect(200);
    return response.body.items as Array<{ action: string; actorId: string | null; changes: Record<string, unknown> }>;
  }

  describe('categories', () => {
    it('are created, read, updated, listed and deleted with the contract shapes', async () => {
      const app = apps.bestays;
      const auth = admin.bestays.auth;
      const slug = `booking-${unique()}`;
      const created = await app.http.post('/api/v1/admin/categories').set(auth).send({ name: 'Booking', slug, position: 3 }).expect(201);
      expect(created.body).toEqual({ id: expect.stringMatching(UUID), name: 'Booking', slug, position: 3 });
      const id = created.body.id as string;

      expect((await app.http.get(`/api/v1/admin/categories/${id}`).set(auth).expect(200)).body).toEqual(created.body);
      const updated = await app.http.patch(`/api/v1/admin/categories/${id}`).set(auth).send({ name: 'Bookings', position: 4 }).expect(200);
      expect(updated.body).toEqual({ id, name: 'Bookings', slug, position: 4 });

      const list = await app.http.get('/api/v1/admin/categories').set(auth).expect(200);
      expect(list.body).toEqual({ items: expect.any(Array), total: expect.any(Number), limit: 20, offset: 0 });
      expect(list.body.items).toContainEqual(updated.body);

      const defaulted = await app.http.post('/api/v1/admin/categories').set(auth).send({ name: 'Misc', slug: `misc-${unique()}` }).expect(201);
      expect(defaulted.body.position).toBe(0);

      await app.http.delete(`/api/v1/admin/categories/${id}`).set(auth).expect(204);
      await app.http.get(`/api/v1/admin/categories/${id}`).set(auth).expect(404);
      expect((await app.http.get('/api/v1/faq/categories').expect(200)).body.items).not.toContainEqual(expect.objectContaining({ id }));
    });

    it('are listed publicly in position order, then by name', async () => {
      const tag = unique();
      const second = await createCategory('realestate', { name: `B ${tag}`, slug: `b-${tag}`, position: 1 });
      const third = await createCategory('realestate', { name: `C ${tag}`, slug: `c-${tag}`, position: 1 });
      const first = await createCategory('realestate', { name: `Z ${tag}`, slug: `z-${tag}`, position: 0 });
      const response = await apps.realestate.http.get('/api/v1/faq/categories').expect(200);
      expect(Object.keys(response.body)).toEqual(['items']);
      const items = response.body.items as CategoryJson[];
      for (let i = 1; i < items.length; i++) {
        const [a, b] = [items[i - 1], items[i]];
        expect(a.position < b.position || (a.position === b.position && a.name.localeCompare(b.name, 'en') <= 0)).toBe(true);
      }
      const ours = items.filter((item) => [first.id, second.id, third.id].includes(item.id));
      expect(ours).toEqual([first, second, third]);
    });

    it('have a slug unique per product: a duplicate is 409, the same slug in the other product is fine', async () => {
      const slug = `dup-${unique()}`;
      await createCategory('bestays', { slug });
      const duplicate = await apps.bestays.http
        .post('/api/v1/admin/categories')
        .set(admin.bestays.auth)
        .send({ name: 'Again', slug })
        .expect(409);
      expect(duplicate.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      await createCategory('realestate', { slug });

      const other = await createCategory('bestays');
      await apps.bestays.http.patch(`/api/v1/admin/categories/${other.id}`).set(admin.bestays.auth).send({ slug }).expect(409);
      // Renaming to its own slug is no conflict.
      await apps.bestays.http.patch(`/api/v1/admin/categories/${other.id}`).set(admin.bestays.auth).send({ slug: other.slug }).expect(200);
    });

    it('cannot be deleted while they still have documents (409)', async () => {
      const category = await createCategory('bestays');
      const faq = await createFaq('bestays', category.id, { status: 'draft' });
      const response = await apps.bestays.http.delete(`/api/v1/admin/categories/${category.id}`).set(admin.bestays.auth).expect(409);
      expect(response.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      await apps.bestays.http.delete(`/api/v1/admin/faqs/${faq.id}`).set(admin.bestays.auth).expect(204);
      await apps.bestays.http.delete(`/api/v1/admin/categories/${category.id}`).set(admin.bestays.auth).expect(204);
    });

    it.each([
      [{ name: '', slug: 'ok' }],
      [{ name: '   ', slug: 'ok' }],
      [{ name: 'x'.repeat(201), slug: 'ok' }],
      [{ name: 'Name', slug: 'Not A Slug' }],
      [{ name: 'Name', slug: '-leading' }],
      [{ name: 'Name', slug: 'double--hyphen' }],
      [{ name: 'Name', slug: 'a'.repeat(101) }],
      [{ name: 'Name', slug: 'ok', position: -1 }],
      [{ name: 'Name', slug: 'ok', position: 1.5 }],
      [{ name: 'Name', slug: 'ok', position: null }],
      [{ name: 'Name' }],
      [{ name: 'Name', slug: 'ok', product: 'realestate' }],
    ])('rejects the invalid body %j with 400', async (body) => {
      const response = await apps.bestays.http.post('/api/v1/admin/categories').set(admin.bestays.auth).send(body).expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });
  });

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
      expect(filtered.body).toEqual({ items: [newer, older], total: 2, limit: 20, offset: 0 });

      const paged = await apps.bestays.http.get('/api/v1/faq/documents').query({ category: own.slug, limit: 1, offset: 1 }).expect(200);
      expect(paged.body).toEqual({ items: [older], total: 2, limit: 1, offset: 1 });

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
      expect(none.body).toEqual({ items: [], total: 0, limit: 20, offset: 0 });
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

    it.each(directions)('%s ids are 404 on every admin verb in %s, and nothing changes', async (owner, other) => {
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

    it.each(directions)('%s ids are 404 on every public route in %s', async (owner, other) => {
      const theirs = rows[owner];
      const http = apps[other].http;
      await http.get(`/api/v1/faq/documents/${theirs.faq.id}`).expect(404);
      await http.post(`/api/v1/faq/documents/${theirs.faq.id}/feedback`).send({ helpful: true }).expect(404);
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

  describe('audit trail', () => {
    it('records create, update and delete of categories, documents and related links with the actor', async () => {
      const app = apps.realestate;
      const actor = admin.realestate;
      const category = await createCategory('realestate');
      await app.http.patch(`/api/v1/admin/categories/${category.id}`).set(actor.auth).send({ name: 'Renamed' }).expect(200);

      const faq = await createFaq('realestate', category.id, { status: 'draft' });
      const target = await createFaq('realestate', category.id);
      await app.http.patch(`/api/v1/admin/faqs/${faq.id}`).set(actor.auth).send({ status: 'published' }).expect(200);
      await app.http.put(`/api/v1/admin/faqs/${faq.id}/related`).set(actor.auth).send({ ids: [target.id] }).expect(200);
      await app.http.put(`/api/v1/admin/faqs/${faq.id}/related`).set(actor.auth).send({ ids: [] }).expect(200);
      await app.http.put(`/api/v1/admin/faqs/${faq.id}/related`).set(actor.auth).send({ ids: [target.id] }).expect(200);
      await app.http.delete(`/api/v1/admin/faqs/${faq.id}`).set(actor.auth).expect(204);
      await app.http.delete(`/api/v1/admin/faqs/${target.id}`).set(actor.auth).expect(204);
      await app.http.delete(`/api/v1/admin/categories/${category.id}`).set(actor.auth).expect(204);

      const categoryTrail = await auditOf('realestate', 'FaqCategory', category.id);
      expect(categoryTrail.map((entry) => entry.action).sort()).toEqual(['create', 'delete', 'update']);
      expect(categoryTrail.every((entry) => entry.actorId === actor.id)).toBe(true);
      expect(categoryTrail.find((entry) => entry.action === 'update')?.changes).toEqual({ name: { from: category.name, to: 'Renamed' } });
      expect(categoryTrail.find((entry) => entry.action === 'create')?.changes).toMatchObject({ name: category.name, slug: category.slug });

      const faqTrail = await auditOf('realestate', 'FaqDocument', faq.id);
      expect(faqTrail.map((entry) => entry.action).sort()).toEqual(['create', 'delete', 'update']);
      expect(faqTrail.every((entry) => entry.actorId === actor.id)).toBe(true);
      expect(faqTrail.find((entry) => entry.action === 'update')?.changes).toEqual({ status: { from: 'draft', to: 'published' } });

      const links = await app.http
        .get('/api/v1/admin/audit-log')
        .query({ entityType: 'FaqRelated', actorId: actor.id, limit: 100 })
        .set(actor.auth)
        .expect(200);
      const ours = (links.body.items as Array<{ action: string; actorId: string; changes: Record<string, unknown> }>).filter(
        (entry) => JSON.stringify(entry.changes).includes(faq.id),
      );
      // Linked, unlinked, linked again, and unlinked by the document's deletion.
      expect(ours.map((entry) => entry.action).sort()).toEqual(['create', 'create', 'delete', 'delete']);
      expect(ours.every((entry) => entry.actorId === actor.id)).toBe(true);

      // Derived rows (embeddings) and the analytics event log are not audited.
      const derived = await ownerQuery(`select count(*)::int as n from audit_log where entity_type in ('FaqEmbedding', 'FaqAnalyticsEvent')`);
      expect(derived[0].n).toBe(0);
    });
  });

  describe('embeddings (local model)', () => {
    it('are computed on create and recomputed only when the embedded text changes', async () => {
      const app = apps.bestays;
      const auth = admin.bestays.auth;
      const category = await createCategory('bestays');
      const other = await createCategory('bestays');
      const faq = await createFaq('bestays', category.id, { question: 'Is there a sauna?', answer: 'Some chalets have one.', tags: ['sauna'] });

      const first = await embeddingOf(faq.id);
      expect(first).toEqual({
        model: 'local-hashing-v2',
        content_hash: embeddingHash('Is there a sauna?', ['sauna'], 'Some chalets have one.'),
        dims: 384,
        updated_at: expect.any(Date),
      });

      // Status and category are not embedded: no new vector.
      await app.http.patch(`/api/v1/admin/faqs/${faq.id}`).set(auth).send({ status: 'archived' }).expect(200);
      await app.http.patch(`/api/v1/admin/faqs/${faq.id}`).set(auth).send({ categoryId: other.id, status: 'published' }).expect(200);
      expect(await embeddingOf(faq.id)).toEqual(first);

      await app.http.patch(`/api/v1/admin/faqs/${faq.id}`).set(auth).send({ question: 'Is there a sauna or a steam room?' }).expect(200);
      const second = await embeddingOf(faq.id);
      expect(second?.content_hash).toBe(embeddingHash('Is there a sauna or a steam room?', ['sauna'], 'Some chalets have one.'));
      expect(second!.updated_at.getTime()).toBeGreaterThan(first!.updated_at.getTime());

      await app.http.patch(`/api/v1/admin/faqs/${faq.id}`).set(auth).send({ tags: ['sauna', 'spa'] }).expect(200);
      expect((await embeddingOf(faq.id))?.content_hash).toBe(
        embeddingHash('Is there a sauna or a steam room?', ['sauna', 'spa'], 'Some chalets have one.'),
      );

      await app.http.delete(`/api/v1/admin/faqs/${faq.id}`).set(auth).expect(204);
      expect(await embeddingOf(faq.id)).toBeUndefined();
    });

    it('of an older model are re-embedded by the boot catch-up, in this product only', async () => {
      const ours = await createFaq('bestays', (await createCategory('bestays')).id, { question: 'Is there a hot tub?', answer: 'Some villas.' });
      const theirs = await createFaq('realestate', (await createCategory('realestate')).id, { question: 'Is there a garden?', answer: 'Often.' });
      // As an upgrade from local-hashing-v1 leaves them: old model, old vector, same text.
      await ownerQuery(`update faq_embeddings set model = 'local-hashing-v1', vector = array_fill(0::real, array[384]) where document_id = any($1)`, [
        [ours.id, theirs.id],
      ]);

      expect(await catchUpFaqEmbeddings(apps.bestays.app, 'bestays')).toBeGreaterThanOrEqual(1);
      expect(await embeddingOf(ours.id)).toMatchObject({ model: 'local-hashing-v2', dims: 384 });
      const [vector] = await ownerQuery<{ nonzero: boolean }>(
        'select bool_or(x <> 0) as nonzero from faq_embeddings, unnest(vector) as x where document_id = $1',
        [ours.id],
      );
      expect(vector.nonzero).toBe(true);
      // The other product's row is not this process's to touch; its own boot brings it up to date.
      expect(await embeddingOf(theirs.id)).toMatchObject({ model: 'local-hashing-v1' });
      await expect(catchUpFaqEmbeddings(apps.bestays.app, 'realestate')).rejects.toThrow('cannot run work for "realestate"');
      await catchUpFaqEmbeddings(apps.realestate.app, 'realestate');
      expect(await embeddingOf(theirs.id)).toMatchObject({ model: 'local-hashing-v2' });
      // Up to date now: a second run embeds nothing of ours again.
      const before = await embeddingOf(ours.id);
      await catchUpFaqEmbeddings(apps.bestays.app, 'bestays');
      expect(await embeddingOf(ours.id)).toEqual(before);
    });
  });

  describe('embeddings through an OpenAI-compatible endpoint', () => {
    let server: Server;
    let baseUrl: string;
    let failing = false;
    const requests: Array<{ authorization?: string; body: { model: string; input: string[] } }> = [];

    beforeAll(async () => {
      server = createServer((request: IncomingMessage, response) => {
        let raw = '';
        request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
        request.on('end', () => {
          const body = JSON.parse(raw) as { model: string; input: string[] };
          requests.push({ authorization: request.headers.authorization, body });
          if (failing || request.url !== '/v1/embeddings') {
            response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"overloaded"}');
            return;
          }
          // A deterministic 8-dimension "model", answered out of order with indexes.
          const data = body.input.map((text, index) => ({
            index,
            embedding: Array.from({ length: 8 }, (_, i) => (text.length % (i + 2)) + 1),
          }));
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: data.reverse() }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    });
    afterAll(async () => {
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    });

    it('stores the endpoint\'s vectors, and a failing endpoint does not fail the document write', async () => {
      const remote = await ProductApp.start('bestays', {
        EMBEDDINGS_BASE_URL: baseUrl,
        EMBEDDINGS_API_KEY: 'sk-test-key',
        EMBEDDINGS_MODEL: 'test-embed-8',
        // This test is about the write path; the breaker has its own (test/outbound-resilience.e2e-spec.ts).
        OUTBOUND_BREAKER_THRESHOLD: '1000',
      });
      try {
        const auth = (await remote.user('admin')).auth;
        const categoryBody = { name: 'Remote', slug: `remote-${unique()}` };
        const category = (await remote.http.post('/api/v1/admin/categories').set(auth).send(categoryBody).expect(201)).body as CategoryJson;
        const word = `wombat${unique().replace(/[^a-z]/g, '')}`;
        const faq = (
          await remote.http
            .post('/api/v1/admin/faqs')
            .set(auth)
            .send({ categoryId: category.id, question: `Is there a ${word}?`, answer: 'Yes.', status: 'published' })
            .expect(201)
        ).body as FaqJson;
        expect(requests.at(-1)).toEqual({
          authorization: 'Bearer sk-test-key',
          body: { model: 'test-embed-8', input: [`Is there a ${word}?\n\nYes.`] },
        });
        const stored = await embeddingOf(faq.id);
        expect(stored).toMatchObject({ model: 'test-embed-8', dims: 8, content_hash: embeddingHash(`Is there a ${word}?`, [], 'Yes.') });
        const search = await remote.http.get('/api/v1/faq/search').query({ q: word }).expect(200);
        expect((search.body.items as Array<{ id: string }>).map((item) => item.id)).toEqual([faq.id]);

        failing = true;
        const updated = await remote.http.patch(`/api/v1/admin/faqs/${faq.id}`).set(auth).send({ answer: 'Yes, two of them.' }).expect(200);
        expect(updated.body.answer).toBe('Yes, two of them.');
        // The stale vector is gone; the document is still found by full text (and the query's failed embedding too).
        expect(await embeddingOf(faq.id)).toBeUndefined();
        const created = await remote.http
          .post('/api/v1/admin/faqs')
          .set(auth)
          .send({ categoryId: category.id, question: `Where does the ${word} sleep?`, answer: 'In a burrow.', status: 'published' })
          .expect(201);
        expect(await embeddingOf(created.body.id as string)).toBeUndefined();
        const degraded = await remote.http.get('/api/v1/faq/search').query({ q: word }).expect(200);
        expect((degraded.body.items as Array<{ id: string }>).map((item) => item.id).sort()).toEqual([faq.id, created.body.id].sort());

        // Back up: the next change of the document embeds it again.
        failing = false;
        await remote.http.patch(`/api/v1/admin/faqs/${faq.id}`).set(auth).send({ status: 'published' }).expect(200);
        expect(await embeddingOf(faq.id)).toMatchObject({
          model: 'test-embed-8',
          content_hash: embeddingHash(`Is there a ${word}?`, [], 'Yes, two of them.'),
        });
      } finally {
        await remote.close();
      }
    });
  });
});
