import { type CategoryJson, unique, useFaqSuite, UUID } from './harness/faq-suite';

describe('FAQ categories', () => {
  const { apps, admin, createCategory, createFaq } = useFaqSuite();

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
      expect(list.body).toMatchObject({ items: expect.any(Array), total: expect.any(Number), limit: 20, offset: 0, totalExact: true });
      expect(Object.keys(list.body).sort()).toEqual(['items', 'limit', 'nextCursor', 'offset', 'total', 'totalExact']);
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
      const response = await apps.realestate.http.get('/api/v1/faq/categories?limit=100').expect(200);
      expect(Object.keys(response.body).sort()).toEqual(['items', 'limit', 'nextCursor', 'offset', 'total', 'totalExact']);
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
});
