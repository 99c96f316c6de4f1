import { randomUUID } from 'node:crypto';
import { ownerQuery } from './harness/db';
import { clerkUserCreated, type ProductName, useBothProducts, type TestUser, DIRECTIONS, otherProduct } from './harness/product-app';

// Every route that exists, tried across the product boundary in both directions.
describe('product isolation over HTTP', () => {
  const apps = useBothProducts();
  const admins = {} as Record<ProductName, TestUser>;
  const users = {} as Record<ProductName, TestUser[]>;

  const other = otherProduct;
  const directions = DIRECTIONS;

  beforeAll(async () => {
    for (const product of ['bestays', 'realestate'] as const) {
      admins[product] = await apps[product].user('admin');
      users[product] = [await apps[product].user('user'), await apps[product].user('agent'), await apps[product].user('user')];
    }
  });

  const allIds = (product: ProductName) => [admins[product].id, ...users[product].map((u) => u.id)];

  describe('GET /api/health', () => {
    it.each(['bestays', 'realestate'] as const)('%s names only itself', async (product) => {
      const response = await apps[product].http.get('/api/health').expect(200);
      expect(response.body.product).toBe(product);
      expect(response.headers['x-product']).toBe(product);
    });
  });

  describe('GET /api/v1/users/me', () => {
    it.each(directions)('%s answers its own user, with its own X-Product', async (mine) => {
      const me = users[mine][0];
      const response = await apps[mine].http.get('/api/v1/users/me').set(me.auth).expect(200);
      expect(response.body.id).toBe(me.id);
      expect(response.headers['x-product']).toBe(mine);
    });

    it.each(directions)('%s rejects a token of %s (another Clerk instance) with 401 and creates nobody', async (mine, theirs) => {
      const stranger = users[theirs][0];
      const response = await apps[mine].http.get('/api/v1/users/me').set(stranger.auth).expect(401);
      expect(response.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      expect(response.headers['x-product']).toBe(mine);
      const rows = await ownerQuery('select product from users where clerk_user_id = $1', [stranger.clerkUserId]);
      expect(rows).toEqual([{ product: theirs }]);
    });

    it.each(directions)('%s rejects a %s-signed token for a brand-new sub with 401, even for admin routes', async (mine, theirs) => {
      const sub = `user_${randomUUID().replace(/-/g, '')}`;
      const token = await apps[theirs].token({ sub });
      for (const path of ['/api/v1/users/me', '/api/v1/users', `/api/v1/users/${admins[mine].id}`, '/api/v1/admin/audit-log']) {
        await apps[mine].http.get(path).set('Authorization', `Bearer ${token}`).expect(401);
      }
      await apps[mine].http
        .patch(`/api/v1/users/${users[mine][0].id}/role`)
        .set('Authorization', `Bearer ${token}`)
        .send({ role: 'admin' })
        .expect(401);
      expect(await ownerQuery('select 1 from users where clerk_user_id = $1', [sub])).toHaveLength(0);
    });
  });

  describe('GET /api/v1/users', () => {
    it.each(directions)('%s lists all of its users and none of %s', async (mine, theirs) => {
      const response = await apps[mine].http.get('/api/v1/users?limit=100').set(admins[mine].auth).expect(200);
      const ids: string[] = response.body.items.map((item: { id: string }) => item.id);
      expect(ids).toEqual(expect.arrayContaining(allIds(mine)));
      for (const id of allIds(theirs)) {
        expect(ids).not.toContain(id);
      }
      // Nothing but this product's users (the owner connection sees every product).
      const products = await ownerQuery<{ product: string }>('select distinct product from users where id = any($1)', [ids]);
      expect(products).toEqual([{ product: mine }]);
      expect(response.body).toMatchObject({ items: expect.any(Array), total: expect.any(Number), limit: 100, offset: 0, totalExact: true });
      expect(ids).toHaveLength(Math.min(response.body.total, 100));
    });

    // Unknown query parameters are ignored on every GET (the contract's rule): a `product` one too,
    // and ignoring it must never mean honouring it.
    it.each(directions)('%s ignores a product (or any unknown) query parameter: still only its own users', async (mine, theirs) => {
      for (const query of [`product=${theirs}`, 'foo=bar', '_=123']) {
        const response = await apps[mine].http.get(`/api/v1/users?limit=100&${query}`).set(admins[mine].auth).expect(200);
        const ids: string[] = response.body.items.map((item: { id: string }) => item.id);
        expect(ids).toEqual(expect.arrayContaining(allIds(mine)));
        expect(await ownerQuery('select distinct product from users where id = any($1)', [ids])).toEqual([{ product: mine }]);
      }
    });
  });

  describe('GET /api/v1/users/:id', () => {
    it.each(directions)('%s answers 404 for a user of %s, exactly as for a user that does not exist', async (mine, theirs) => {
      const foreign = await apps[mine].http
        .get(`/api/v1/users/${users[theirs][0].id}`)
        .set(admins[mine].auth)
        .set('X-Request-Id', 'iso-foreign')
        .expect(404);
      const missing = await apps[mine].http
        .get(`/api/v1/users/${randomUUID()}`)
        .set(admins[mine].auth)
        .set('X-Request-Id', 'iso-missing')
        .expect(404);
      expect(foreign.body).toEqual({ ...missing.body, requestId: 'iso-foreign' });
      expect(foreign.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String), requestId: 'iso-foreign' });
      expect(JSON.stringify(foreign.body)).not.toContain(theirs);
    });

    it.each(directions)('%s finds its own user (the control)', async (mine) => {
      const response = await apps[mine].http.get(`/api/v1/users/${users[mine][1].id}`).set(admins[mine].auth).expect(200);
      expect(response.body).toMatchObject({ id: users[mine][1].id, role: 'agent', clerkUserId: users[mine][1].clerkUserId });
    });

    it.each(['not-a-uuid', '1', "1' or '1'='1", '00000000-0000-0000-0000-00000000000g'])('malformed id %p is 400, never 500', async (id) => {
      const response = await apps.bestays.http.get(`/api/v1/users/${encodeURIComponent(id)}`).set(admins.bestays.auth).expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });
  });

  describe('PATCH /api/v1/users/:id/role', () => {
    it.each(directions)('%s answers 404 for a user of %s and leaves it unchanged', async (mine, theirs) => {
      const victim = users[theirs][0];
      const response = await apps[mine].http
        .patch(`/api/v1/users/${victim.id}/role`)
        .set(admins[mine].auth)
        .send({ role: 'admin' })
        .expect(404);
      expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
      const seen = await apps[theirs].http.get(`/api/v1/users/${victim.id}`).set(admins[theirs].auth).expect(200);
      expect(seen.body.role).toBe('user');
      expect(await ownerQuery('select product, role from users where id = $1', [victim.id])).toEqual([{ product: theirs, role: 'user' }]);
    });

    it.each(directions)('%s rejects a body with a product field (%s) with 400 and changes nothing', async (mine, theirs) => {
      const target = users[mine][2];
      const response = await apps[mine].http
        .patch(`/api/v1/users/${target.id}/role`)
        .set(admins[mine].auth)
        .send({ role: 'agent', product: theirs })
        .expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(await ownerQuery('select product, role from users where id = $1', [target.id])).toEqual([{ product: mine, role: 'user' }]);
    });

    it('rejects unknown fields, a bad role, a malformed body and a malformed id with 400', async () => {
      const target = users.bestays[2];
      const patch = (id: string) => apps.bestays.http.patch(`/api/v1/users/${id}/role`).set(admins.bestays.auth);
      await patch(target.id).send({ role: 'agent', foo: 1 }).expect(400);
      await patch(target.id).send({ role: 'superuser' }).expect(400);
      await patch(target.id).send({}).expect(400);
      await patch(target.id).set('Content-Type', 'application/json').send('{"role":').expect(400);
      await patch('not-a-uuid').send({ role: 'agent' }).expect(400);
      await patch(`${target.id}x`).send({ role: 'agent' }).expect(400);
      expect(await ownerQuery('select role from users where id = $1', [target.id])).toEqual([{ role: 'user' }]);
    });

    it('a non-admin gets 403, an admin of the same product changes the role (the control)', async () => {
      const target = users.realestate[2];
      await apps.realestate.http.patch(`/api/v1/users/${target.id}/role`).set(users.realestate[1].auth).send({ role: 'agent' }).expect(403);
      const changed = await apps.realestate.http
        .patch(`/api/v1/users/${target.id}/role`)
        .set(admins.realestate.auth)
        .send({ role: 'agent' })
        .expect(200);
      expect(changed.body).toMatchObject({ id: target.id, role: 'agent' });
      await apps.realestate.http.patch(`/api/v1/users/${target.id}/role`).set(admins.realestate.auth).send({ role: 'user' }).expect(200);
    });
  });

  describe('GET /api/v1/admin/audit-log', () => {
    it.each(directions)('%s shows nothing for entityId or actorId of %s', async (mine, theirs) => {
      const log = (query: string) => apps[mine].http.get(`/api/v1/admin/audit-log?${query}`).set(admins[mine].auth).expect(200);
      for (const query of [
        `entityId=${users[theirs][0].id}`,
        `entityId=${admins[theirs].id}`,
        `actorId=${admins[theirs].id}`,
        `actorId=${users[theirs][0].id}`,
        `entityType=User&entityId=${users[theirs][0].id}`,
      ]) {
        const response = await log(query);
        expect(response.body).toEqual({ items: [], total: 0, limit: 20, offset: 0, nextCursor: null, totalExact: true });
      }
      // The other product does have those rows (the control).
      const theirsLog = await apps[theirs].http
        .get(`/api/v1/admin/audit-log?entityId=${users[theirs][0].id}`)
        .set(admins[theirs].auth)
        .expect(200);
      expect(theirsLog.body.total).toBeGreaterThan(0);
    });

    it.each(directions)('%s never lists an audit row about a user of %s', async (mine, theirs) => {
      const foreign = new Set(allIds(theirs));
      const seen: string[] = [];
      let offset = 0;
      for (;;) {
        const response = await apps[mine].http
          .get(`/api/v1/admin/audit-log?limit=100&offset=${offset}`)
          .set(admins[mine].auth)
          .expect(200);
        for (const item of response.body.items as Array<{ id: string; entityId: string; actorId: string | null }>) {
          expect(foreign.has(item.entityId)).toBe(false);
          expect(item.actorId === null || !foreign.has(item.actorId)).toBe(true);
          seen.push(item.id);
        }
        offset += 100;
        if (offset >= response.body.total) {
          break;
        }
      }
      expect(seen.length).toBeGreaterThan(0);
      // Every listed row is this product's, by the owner connection's account.
      expect(await ownerQuery('select distinct product from audit_log where id = any($1)', [seen])).toEqual([{ product: mine }]);
    });

    it('rejects a malformed actorId with 400, and ignores a product parameter and unknown parameters', async () => {
      const log = (query: string) => apps.bestays.http.get(`/api/v1/admin/audit-log?limit=100&${query}`).set(admins.bestays.auth);
      await log('actorId=not-a-uuid').expect(400);
      for (const query of ['product=realestate', 'foo=bar']) {
        const ids = ((await log(query).expect(200)).body.items as Array<{ id: string }>).map((item) => item.id);
        expect(ids.length).toBeGreaterThan(0);
        expect(await ownerQuery('select distinct product from audit_log where id = any($1)', [ids])).toEqual([{ product: 'bestays' }]);
      }
    });
  });

  describe('POST /api/v1/webhooks/clerk', () => {
    it.each(directions)('%s rejects a delivery signed with the secret of %s: 401, nothing processed', async (mine, theirs) => {
      const clerkUserId = `user_${randomUUID().replace(/-/g, '')}`;
      const id = `msg_${randomUUID()}`;
      const response = await apps[mine]
        .sendWebhook(clerkUserCreated(clerkUserId, { role: 'admin' }), { id, secret: apps[theirs].webhookSecret })
        .expect(401);
      expect(response.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      expect(response.headers['x-product']).toBe(mine);
      expect(await ownerQuery('select 1 from users where clerk_user_id = $1', [clerkUserId])).toHaveLength(0);
      expect(await ownerQuery('select 1 from webhook_events where svix_id = $1', [id])).toHaveLength(0);
    });

    it('the same svix-id is a separate delivery per product', async () => {
      const id = `msg_${randomUUID()}`;
      const clerkUserId = `user_${randomUUID().replace(/-/g, '')}`;
      const event = clerkUserCreated(clerkUserId, { role: 'agent' });
      const first = await apps.bestays.sendWebhook(event, { id }).expect(200);
      const second = await apps.realestate.sendWebhook(event, { id }).expect(200);
      expect(first.body).toEqual({ received: true, duplicate: false });
      expect(second.body).toEqual({ received: true, duplicate: false });
      expect(await ownerQuery('select product from webhook_events where svix_id = $1 order by product', [id])).toEqual([
        { product: 'bestays' },
        { product: 'realestate' },
      ]);
    });

    it("a product field inside a signed Clerk payload is ignored: the user lands in the receiving product", async () => {
      // The webhook body is Clerk's, not a client's: extra fields are kept in the payload, never read.
      const clerkUserId = `user_${randomUUID().replace(/-/g, '')}`;
      const event = { ...clerkUserCreated(clerkUserId), product: 'realestate' };
      await apps.bestays.sendWebhook(event).expect(200);
      expect(await ownerQuery('select product from users where clerk_user_id = $1', [clerkUserId])).toEqual([{ product: 'bestays' }]);
    });
  });

  describe('one Clerk user id in both products', () => {
    it('is two separate users with different ids and independent roles', async () => {
      const sub = `user_${randomUUID().replace(/-/g, '')}`;
      // Known to realestate through its webhook (as an agent), to bestays only by a first sign-in.
      await apps.realestate.sendWebhook(clerkUserCreated(sub, { role: 'agent' })).expect(200);
      const bestaysToken = await apps.bestays.token({ sub });
      const realestateToken = await apps.realestate.token({ sub });

      const inBestays = await apps.bestays.http.get('/api/v1/users/me').set('Authorization', `Bearer ${bestaysToken}`).expect(200);
      const inRealestate = await apps.realestate.http.get('/api/v1/users/me').set('Authorization', `Bearer ${realestateToken}`).expect(200);
      expect(inBestays.body.clerkUserId).toBe(sub);
      expect(inRealestate.body.clerkUserId).toBe(sub);
      expect(inBestays.body.id).not.toBe(inRealestate.body.id);
      expect(inBestays.body.role).toBe('user');
      expect(inRealestate.body.role).toBe('agent');

      // A role change in one product leaves the other alone.
      await apps.bestays.http
        .patch(`/api/v1/users/${inBestays.body.id}/role`)
        .set(admins.bestays.auth)
        .send({ role: 'admin' })
        .expect(200);
      const bestaysAgain = await apps.bestays.http.get('/api/v1/users/me').set('Authorization', `Bearer ${bestaysToken}`).expect(200);
      const realestateAgain = await apps.realestate.http
        .get('/api/v1/users/me')
        .set('Authorization', `Bearer ${realestateToken}`)
        .expect(200);
      expect(bestaysAgain.body.role).toBe('admin');
      expect(realestateAgain.body.role).toBe('agent');

      // Each admin sees exactly its own one of the two.
      await apps.bestays.http.get(`/api/v1/users/${inRealestate.body.id}`).set(admins.bestays.auth).expect(404);
      await apps.realestate.http.get(`/api/v1/users/${inBestays.body.id}`).set(admins.realestate.auth).expect(404);

      // A delete in one product does not reach the other.
      await apps.realestate.sendWebhook({ type: 'user.deleted', object: 'event', data: { id: sub, deleted: true } }).expect(200);
      await apps.realestate.http.get('/api/v1/users/me').set('Authorization', `Bearer ${realestateToken}`).expect(401);
      await apps.bestays.http.get('/api/v1/users/me').set('Authorization', `Bearer ${bestaysToken}`).expect(200);

      expect(await ownerQuery('select id, product, role from users where clerk_user_id = $1 order by product', [sub])).toEqual([
        { id: inBestays.body.id, product: 'bestays', role: 'admin' },
        { id: inRealestate.body.id, product: 'realestate', role: 'agent' },
      ]);
    });
  });

  it('every admin route of one product answers for its own product only (X-Product)', async () => {
    for (const product of ['bestays', 'realestate'] as const) {
      for (const path of ['/api/v1/users', `/api/v1/users/${admins[product].id}`, '/api/v1/admin/audit-log', '/api/v1/users/me']) {
        const response = await apps[product].http.get(path).set(admins[product].auth).expect(200);
        expect(response.headers['x-product']).toBe(product);
        expect(JSON.stringify(response.body)).not.toContain(admins[other(product)].id);
      }
    }
  });
});
