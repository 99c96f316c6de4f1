import { randomUUID } from 'node:crypto';
import { usePropertiesSuite } from './harness/properties-suite';
import { ownerQuery } from './harness/db';
import { DIRECTIONS } from './harness/product-app';

describe('properties: products, validation, access and audit', () => {
  const { apps, admin, agent, otherAgent, user, create, allItems, body } = usePropertiesSuite();
  const directions = DIRECTIONS;

  describe('across products', () => {
    it.each(directions)('%s answers 404 on every verb for a property of %s, and never lists it', async (mine, theirs) => {
      const foreign = await create(theirs, agent[theirs], { title: `Foreign ${randomUUID()}` });
      await create(mine, agent[mine], { title: `Own ${randomUUID()}` }); // so the lists below are not empty
      const http = apps[mine].http;

      await http.get(`/api/v1/properties/${foreign.id}`).expect(404);
      for (const who of [admin[mine], agent[mine]]) {
        await http.get(`/api/v1/admin/properties/${foreign.id}`).set(who.auth).expect(404);
        await http.patch(`/api/v1/admin/properties/${foreign.id}`).set(who.auth).send({ title: 'Taken over' }).expect(404);
        await http.delete(`/api/v1/admin/properties/${foreign.id}`).set(who.auth).expect(404);
      }
      const notFound = await http.get(`/api/v1/admin/properties/${foreign.id}`).set(admin[mine].auth).expect(404);
      const unknown = await http.get(`/api/v1/admin/properties/${randomUUID()}`).set(admin[mine].auth).expect(404);
      expect(notFound.body.message).toBe(unknown.body.message);

      const listed = [
        ...(await allItems(mine, '/api/v1/properties')),
        ...(await allItems(mine, '/api/v1/admin/properties', admin[mine])),
      ].map((item) => item.id);
      expect(listed).not.toContain(foreign.id);
      const products = await ownerQuery<{ product: string }>('select distinct product from properties where id = any($1)', [listed]);
      expect(products).toEqual([{ product: mine }]);

      // Untouched on its own side.
      const own = await apps[theirs].http.get(`/api/v1/admin/properties/${foreign.id}`).set(admin[theirs].auth).expect(200);
      expect(own.body).toEqual(foreign);
    });

    it.each(directions)('%s stamps its own product on a new property, whatever %s has', async (mine) => {
      const created = await create(mine, agent[mine]);
      expect(await ownerQuery('select product from properties where id = $1', [created.id])).toEqual([{ product: mine }]);
    });
  });

  describe('validation', () => {
    it('rejects a body that names a product or a creator', async () => {
      const existing = await create('bestays', agent.bestays);
      const post = (extra: Record<string, unknown>) => apps.bestays.http.post('/api/v1/admin/properties').set(agent.bestays.auth).send(body(extra));
      const patch = (extra: object) =>
        apps.bestays.http.patch(`/api/v1/admin/properties/${existing.id}`).set(agent.bestays.auth).send(extra);

      for (const extra of [{ product: 'realestate' }, { product: 'bestays' }, { createdBy: otherAgent.bestays.id }, { id: randomUUID() }]) {
        const response = await post(extra).expect(400);
        expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/should not exist/) });
        await patch(extra).expect(400);
      }
      expect(await ownerQuery('select product, created_by from properties where id = $1', [existing.id])).toEqual([
        { product: 'bestays', created_by: agent.bestays.id },
      ]);
    });

    it.each([
      ['a lower-case currency', { currency: 'eur' }],
      ['an unknown currency', { currency: 'XYZ' }],
      ['a long currency', { currency: 'EURO' }],
      ['a numeric currency', { currency: 978 }],
      ['a negative price', { priceMinor: -1 }],
      ['a fractional price', { priceMinor: 10.5 }],
      ['a price as a string', { priceMinor: '1000' }],
      ['an unsafe price', { priceMinor: Number.MAX_SAFE_INTEGER + 1 }],
      ['negative bedrooms', { bedrooms: -1 }],
      ['too many bedrooms', { bedrooms: 101 }],
      ['fractional bathrooms', { bathrooms: 1.5 }],
      ['null bathrooms', { bathrooms: null }],
      ['an empty title', { title: '' }],
      ['a blank title', { title: '   ' }],
      ['a long title', { title: 'x'.repeat(201) }],
      ['a long description', { description: 'x'.repeat(10_001) }],
      ['a null description', { description: null }],
      ['an empty address', { address: '' }],
      ['a long address', { address: 'x'.repeat(501) }],
      ['a non-boolean published', { published: 'yes' }],
      ['a missing title', { title: undefined }],
    ])('rejects %s with 400', async (_label, overrides) => {
      const response = await apps.bestays.http.post('/api/v1/admin/properties').set(agent.bestays.auth).send(body(overrides)).expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
    });

    it('accepts the boundaries', async () => {
      const created = await create('bestays', agent.bestays, {
        title: 'x'.repeat(200),
        description: 'd'.repeat(10_000),
        address: 'a'.repeat(500),
        priceMinor: 0,
        bedrooms: 100,
        bathrooms: 0,
      });
      expect(created).toMatchObject({ priceMinor: 0, bedrooms: 100, bathrooms: 0 });
    });

    it('validates a PATCH like a POST, field by field, and refuses nulls', async () => {
      const existing = await create('realestate', agent.realestate);
      for (const patch of [{ currency: 'usd' }, { priceMinor: -5 }, { bedrooms: 101 }, { title: null }, { published: null }, { title: '' }]) {
        await apps.realestate.http.patch(`/api/v1/admin/properties/${existing.id}`).set(agent.realestate.auth).send(patch).expect(400);
      }
      const reread = await apps.realestate.http.get(`/api/v1/admin/properties/${existing.id}`).set(agent.realestate.auth).expect(200);
      expect(reread.body).toEqual(existing);
    });

    it('answers 400 for a malformed id on every route', async () => {
      const http = apps.bestays.http;
      for (const id of ['not-a-uuid', '123', `${randomUUID()}x`]) {
        await http.get(`/api/v1/properties/${id}`).expect(400);
        await http.get(`/api/v1/admin/properties/${id}`).set(agent.bestays.auth).expect(400);
        await http.patch(`/api/v1/admin/properties/${id}`).set(agent.bestays.auth).send({ title: 'x' }).expect(400);
        await http.delete(`/api/v1/admin/properties/${id}`).set(agent.bestays.auth).expect(400);
      }
    });
  });

  describe('access', () => {
    it('answers 403 to a plain user and 401 to anonymous on every admin route', async () => {
      const existing = await create('bestays', agent.bestays);
      const http = apps.bestays.http;
      const routes = [
        () => http.get('/api/v1/admin/properties'),
        () => http.post('/api/v1/admin/properties').send(body()),
        () => http.get(`/api/v1/admin/properties/${existing.id}`),
        () => http.patch(`/api/v1/admin/properties/${existing.id}`).send({ title: 'Mine now' }),
        () => http.delete(`/api/v1/admin/properties/${existing.id}`),
      ];
      for (const route of routes) {
        const forbidden = await route().set(user.bestays.auth).expect(403);
        expect(forbidden.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
        await route().expect(401);
      }
      // The public routes need no one.
      await http.get('/api/v1/properties').expect(200);
      await http.get(`/api/v1/properties/${existing.id}`).expect(200);
      const reread = await http.get(`/api/v1/admin/properties/${existing.id}`).set(admin.bestays.auth).expect(200);
      expect(reread.body).toEqual(existing);
    });

    it("lets an agent read but not change or delete another agent's property; an admin may", async () => {
      const theirs = await create('realestate', agent.realestate);
      const http = apps.realestate.http;
      const intruder = otherAgent.realestate;

      await http.get(`/api/v1/admin/properties/${theirs.id}`).set(intruder.auth).expect(200);
      const listed = await allItems('realestate', '/api/v1/admin/properties', intruder);
      expect(listed.map((item) => item.id)).toContain(theirs.id);

      const patch = await http.patch(`/api/v1/admin/properties/${theirs.id}`).set(intruder.auth).send({ title: 'Stolen' }).expect(403);
      expect(patch.body).toMatchObject({ statusCode: 403, error: 'Forbidden', message: expect.stringMatching(/only the properties they created/) });
      await http.delete(`/api/v1/admin/properties/${theirs.id}`).set(intruder.auth).expect(403);
      const unchanged = await http.get(`/api/v1/admin/properties/${theirs.id}`).set(intruder.auth).expect(200);
      expect(unchanged.body).toEqual(theirs);

      // The owner may, and so may an admin, without taking the property over.
      await http.patch(`/api/v1/admin/properties/${theirs.id}`).set(agent.realestate.auth).send({ bedrooms: 4 }).expect(200);
      const byAdmin = await http.patch(`/api/v1/admin/properties/${theirs.id}`).set(admin.realestate.auth).send({ title: 'Checked' }).expect(200);
      expect(byAdmin.body).toMatchObject({ title: 'Checked', bedrooms: 4, createdBy: agent.realestate.id });
      await http.delete(`/api/v1/admin/properties/${theirs.id}`).set(admin.realestate.auth).expect(204);
      await http.get(`/api/v1/admin/properties/${theirs.id}`).set(agent.realestate.auth).expect(404);
    });
  });

  describe('audit', () => {
    it('records create, update and delete with the actor', async () => {
      const created = await create('bestays', agent.bestays, { title: 'Audited villa' });
      await apps.bestays.http.patch(`/api/v1/admin/properties/${created.id}`).set(agent.bestays.auth).send({ title: 'Audited villa II' }).expect(200);
      await apps.bestays.http.delete(`/api/v1/admin/properties/${created.id}`).set(admin.bestays.auth).expect(204);

      const log = await apps.bestays.http
        .get(`/api/v1/admin/audit-log?entityType=Property&entityId=${created.id}`)
        .set(admin.bestays.auth)
        .expect(200);
      expect(log.body.total).toBe(3);
      expect(log.body.items.map((entry: { action: string }) => entry.action)).toEqual(['delete', 'update', 'create']);
      const [deleted, updated, createdEntry] = log.body.items;
      expect(createdEntry).toMatchObject({ entityType: 'Property', entityId: created.id, actorId: agent.bestays.id });
      expect(createdEntry.changes).toMatchObject({ title: 'Audited villa', priceMinor: created.priceMinor });
      expect(updated).toMatchObject({ actorId: agent.bestays.id, changes: { title: { from: 'Audited villa', to: 'Audited villa II' } } });
      expect(deleted).toMatchObject({ actorId: admin.bestays.id, changes: expect.objectContaining({ title: 'Audited villa II' }) });
      for (const entry of log.body.items) {
        expect(entry.requestId).toEqual(expect.any(String));
      }

      // The other product's trail knows nothing of it.
      const elsewhere = await apps.realestate.http
        .get(`/api/v1/admin/audit-log?entityType=Property&entityId=${created.id}`)
        .set(admin.realestate.auth)
        .expect(200);
      expect(elsewhere.body.total).toBe(0);
    });
  });
});
