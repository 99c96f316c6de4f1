import { type PropertyJson, usePropertiesSuite } from './harness/properties-suite';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('properties', () => {
  const { apps, admin, agent, otherAgent, body, create, allItems } = usePropertiesSuite();

  function expectNewestFirst(items: PropertyJson[]): void {
    for (let i = 1; i < items.length; i++) {
      const [newer, older] = [items[i - 1], items[i]];
      const order = Date.parse(older.createdAt) - Date.parse(newer.createdAt) || older.id.localeCompare(newer.id);
      expect(order).toBeLessThan(0);
    }
  }

  describe('CRUD', () => {
    it('creates, reads, updates and deletes a property with the exact shape', async () => {
      const input = body();
      const created = await apps.bestays.http.post('/api/v1/admin/properties').set(agent.bestays.auth).send(input).expect(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(UUID),
        ...input,
        createdBy: agent.bestays.id,
        createdAt: expect.stringMatching(ISO_DATE),
        updatedAt: expect.stringMatching(ISO_DATE),
      });
      const id = created.body.id as string;

      const adminView = await apps.bestays.http.get(`/api/v1/admin/properties/${id}`).set(agent.bestays.auth).expect(200);
      expect(adminView.body).toEqual(created.body);
      const publicView = await apps.bestays.http.get(`/api/v1/properties/${id}`).expect(200);
      expect(publicView.body).toEqual(created.body);

      const patched = await apps.bestays.http
        .patch(`/api/v1/admin/properties/${id}`)
        .set(agent.bestays.auth)
        .send({ title: 'Renamed villa', priceMinor: 31_000, published: false })
        .expect(200);
      expect(patched.body).toEqual({
        ...created.body,
        title: 'Renamed villa',
        priceMinor: 31_000,
        published: false,
        updatedAt: expect.stringMatching(ISO_DATE),
      });
      expect(Date.parse(patched.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.body.updatedAt));
      // Now a draft: gone from the public, still there for agents.
      await apps.bestays.http.get(`/api/v1/properties/${id}`).expect(404);
      const reread = await apps.bestays.http.get(`/api/v1/admin/properties/${id}`).set(admin.bestays.auth).expect(200);
      expect(reread.body).toEqual(patched.body);

      const deleted = await apps.bestays.http.delete(`/api/v1/admin/properties/${id}`).set(agent.bestays.auth).expect(204);
      expect(deleted.text).toBe('');
      await apps.bestays.http.get(`/api/v1/admin/properties/${id}`).set(agent.bestays.auth).expect(404);
      await apps.bestays.http.patch(`/api/v1/admin/properties/${id}`).set(agent.bestays.auth).send({ title: 'x' }).expect(404);
      await apps.bestays.http.delete(`/api/v1/admin/properties/${id}`).set(agent.bestays.auth).expect(404);
    });

    it('defaults an omitted description to "" and published to false, and an empty PATCH changes nothing', async () => {
      const input: Record<string, unknown> = body();
      delete input.description;
      delete input.published;
      const created = await apps.realestate.http.post('/api/v1/admin/properties').set(admin.realestate.auth).send(input).expect(201);
      expect(created.body).toMatchObject({ ...input, description: '', published: false, createdBy: admin.realestate.id });
      await apps.realestate.http.get(`/api/v1/properties/${created.body.id}`).expect(404);

      const unchanged = await apps.realestate.http
        .patch(`/api/v1/admin/properties/${created.body.id}`)
        .set(admin.realestate.auth)
        .send({})
        .expect(200);
      expect(unchanged.body).toEqual(created.body);
    });

    it('stores the largest safe integer price exactly', async () => {
      const created = await create('bestays', agent.bestays, { priceMinor: Number.MAX_SAFE_INTEGER, currency: 'JPY' });
      expect(created.priceMinor).toBe(Number.MAX_SAFE_INTEGER);
      const reread = await apps.bestays.http.get(`/api/v1/properties/${created.id}`).expect(200);
      expect(reread.body.priceMinor).toBe(Number.MAX_SAFE_INTEGER);
    });
  });

  describe('lists', () => {
    it('the public list shows only published properties, newest first', async () => {
      const first = await create('bestays', agent.bestays);
      const draft = await create('bestays', agent.bestays, { published: false });
      const second = await create('bestays', otherAgent.bestays);
      const third = await create('bestays', admin.bestays);

      const items = await allItems('bestays', '/api/v1/properties');
      expect(items.every((item) => item.published)).toBe(true);
      const ids = items.map((item) => item.id);
      expect(ids).not.toContain(draft.id);
      const mine = ids.filter((id) => [first.id, second.id, third.id].includes(id));
      expect(mine).toEqual([third.id, second.id, first.id]);
      expectNewestFirst(items);
      expect(items.find((item) => item.id === third.id)).toEqual(third);
    });

    it('paginates with limit and offset', async () => {
      for (let i = 0; i < 3; i++) {
        await create('realestate', agent.realestate);
      }
      const all = await allItems('realestate', '/api/v1/properties');
      const firstPage = await apps.realestate.http.get('/api/v1/properties?limit=2&offset=0').expect(200);
      expect(firstPage.body).toEqual({ items: all.slice(0, 2), total: all.length, limit: 2, offset: 0, nextCursor: expect.any(String), totalExact: true });
      const secondPage = await apps.realestate.http.get('/api/v1/properties?limit=2&offset=2').expect(200);
      expect(secondPage.body).toMatchObject({ items: all.slice(2, 4), total: all.length, limit: 2, offset: 2, totalExact: true });
      const beyond = await apps.realestate.http.get(`/api/v1/properties?offset=${all.length}`).expect(200);
      expect(beyond.body).toEqual({ items: [], total: all.length, limit: 20, offset: all.length, nextCursor: null, totalExact: true });

      const defaults = await apps.realestate.http.get('/api/v1/properties').expect(200);
      expect(defaults.body).toMatchObject({ limit: 20, offset: 0, total: all.length });
      for (const query of ['limit=0', 'limit=101', 'offset=-1', 'limit=abc']) {
        await apps.realestate.http.get(`/api/v1/properties?${query}`).expect(400);
      }
    });

    it('the admin list has drafts too, newest first, and filters by published', async () => {
      const draft = await create('bestays', agent.bestays, { published: false });
      const live = await create('bestays', agent.bestays, { published: true });

      const all = await allItems('bestays', '/api/v1/admin/properties', agent.bestays);
      expect(all.map((item) => item.id)).toEqual(expect.arrayContaining([draft.id, live.id]));
      expect(all.findIndex((item) => item.id === live.id)).toBeLessThan(all.findIndex((item) => item.id === draft.id));
      expectNewestFirst(all);

      const drafts = await allItems('bestays', '/api/v1/admin/properties?published=false', agent.bestays);
      expect(drafts.every((item) => !item.published)).toBe(true);
      expect(drafts.map((item) => item.id)).toContain(draft.id);
      expect(drafts.map((item) => item.id)).not.toContain(live.id);

      const published = await allItems('bestays', '/api/v1/admin/properties?published=true', admin.bestays);
      expect(published.every((item) => item.published)).toBe(true);
      expect(published.map((item) => item.id)).toContain(live.id);
      expect(published.length + drafts.length).toBe(all.length);

      await apps.bestays.http.get('/api/v1/admin/properties?published=maybe').set(agent.bestays.auth).expect(400);
    });
  });

});
