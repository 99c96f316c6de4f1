import { randomUUID } from 'node:crypto';
import { ownerQuery } from './harness/db';
import { clerkUserCreated, type ProductApp, useBothProducts, type TestUser } from './harness/product-app';

interface AuditItem {
  id: string;
  action: 'create' | 'update' | 'delete';
  entityType: string;
  entityId: string;
  actorId: string | null;
  changes: Record<string, unknown>;
  requestId: string | null;
  createdAt: string;
}

// The audit trail as an admin reads it, written by what happens over HTTP.
describe('audit log through HTTP', () => {
  const apps = useBothProducts();
  let admin: TestUser;
  let otherAdmin: TestUser;

  beforeAll(async () => {
    admin = await apps.bestays.user('admin');
    otherAdmin = await apps.realestate.user('admin');
  });

  const newSub = () => `user_${randomUUID().replace(/-/g, '')}`;

  async function auditLog(query: string, as: TestUser = admin, app: ProductApp = apps.bestays) {
    const response = await app.http.get(`/api/v1/admin/audit-log${query ? `?${query}` : ''}`).set(as.auth).expect(200);
    return response.body as { items: AuditItem[]; total: number; limit: number; offset: number | null; nextCursor: string | null; totalExact: boolean };
  }

  async function changeRole(target: TestUser | string, role: string, requestId = `req-${randomUUID()}`) {
    const id = typeof target === 'string' ? target : target.id;
    await apps.bestays.http.patch(`/api/v1/users/${id}/role`).set(admin.auth).set('X-Request-Id', requestId).send({ role }).expect(200);
    return requestId;
  }

  it('a role change by an admin writes an update with the actor, the client\'s request id and from/to', async () => {
    const target = await apps.bestays.user('user');
    const requestId = `audit-role-${randomUUID()}`;
    await changeRole(target, 'agent', requestId);

    const { items, total } = await auditLog(`entityType=User&entityId=${target.id}`);
    expect(total).toBe(2); // created by webhook, then the role change
    expect(items[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      action: 'update',
      entityType: 'User',
      entityId: target.id,
      actorId: admin.id,
      changes: { role: { from: 'user', to: 'agent' } },
      requestId,
      createdAt: expect.any(String),
    });
    expect(new Date(items[0].createdAt).toISOString()).toBe(items[0].createdAt);
    expect(items[1]).toMatchObject({ action: 'create', entityId: target.id });
  });

  it('setting the same role again writes nothing', async () => {
    const target = await apps.bestays.user('agent');
    const before = await auditLog(`entityId=${target.id}`);
    await changeRole(target, 'agent');
    const after = await auditLog(`entityId=${target.id}`);
    expect(after.total).toBe(before.total);
  });

  it('user creation by webhook writes a create with actorId null and the delivery\'s request id', async () => {
    const sub = newSub();
    const requestId = `audit-webhook-${randomUUID()}`;
    await apps.bestays
      .sendWebhook(clerkUserCreated(sub, { role: 'agent', email: `${sub}@example.test`, firstName: 'Ada', lastName: 'Lovelace' }))
      .set('X-Request-Id', requestId)
      .expect(200);
    const [{ id }] = await ownerQuery<{ id: string }>("select id from users where clerk_user_id = $1 and product = 'bestays'", [sub]);

    const { items, total } = await auditLog(`entityId=${id}`);
    expect(total).toBe(1);
    expect(items[0]).toMatchObject({
      action: 'create',
      entityType: 'User',
      entityId: id,
      actorId: null,
      requestId,
      changes: { clerkUserId: sub, email: `${sub}@example.test`, firstName: 'Ada', lastName: 'Lovelace', role: 'agent' },
    });
    // Internals stay out of the trail.
    expect(Object.keys(items[0].changes)).not.toEqual(expect.arrayContaining(['product']));
    expect(items[0].changes).not.toHaveProperty('id');
  });

  it('a just-in-time creation by first sign-in writes a create, with the new user as its actor', async () => {
    const sub = newSub();
    const token = await apps.bestays.token({ sub });
    const requestId = `audit-jit-${randomUUID()}`;
    const me = await apps.bestays.http
      .get('/api/v1/users/me')
      .set('Authorization', `Bearer ${token}`)
      .set('X-Request-Id', requestId)
      .expect(200);

    const { items, total } = await auditLog(`entityType=User&entityId=${me.body.id}`);
    expect(total).toBe(1);
    expect(items[0]).toMatchObject({
      action: 'create',
      entityType: 'User',
      entityId: me.body.id,
      actorId: me.body.id,
      requestId,
      changes: { clerkUserId: sub, role: 'user' },
    });

    // Signing in again writes nothing.
    await apps.bestays.http.get('/api/v1/users/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect((await auditLog(`entityId=${me.body.id}`)).total).toBe(1);
  });

  it('a delete by webhook writes a delete (actorId null); the trail stays readable', async () => {
    const target = await apps.bestays.user('user');
    await apps.bestays.sendWebhook({ type: 'user.deleted', object: 'event', data: { id: target.clerkUserId, deleted: true } }).expect(200);
    const { items, total } = await auditLog(`entityId=${target.id}`);
    expect(total).toBe(2);
    expect(items[0]).toMatchObject({ action: 'delete', entityType: 'User', entityId: target.id, actorId: null });
    expect(items[0].changes).toMatchObject({ deletedAt: { from: null, to: expect.any(String) } });
    expect(items[1]).toMatchObject({ action: 'create', entityId: target.id });
  });

  describe('filters, order and pagination', () => {
    let target: TestUser;
    const requestIds: string[] = [];

    beforeAll(async () => {
      target = await apps.bestays.user('user');
      for (const role of ['agent', 'admin', 'user', 'agent']) {
        requestIds.push(await changeRole(target, role));
      }
    });

    it('entityId gives that entity\'s trail, newest first', async () => {
      const { items, total } = await auditLog(`entityId=${target.id}`);
      expect(total).toBe(5);
      expect(items.map((item) => item.action)).toEqual(['update', 'update', 'update', 'update', 'create']);
      expect(items.slice(0, 4).map((item) => item.changes.role)).toEqual([
        { from: 'user', to: 'agent' },
        { from: 'admin', to: 'user' },
        { from: 'agent', to: 'admin' },
        { from: 'user', to: 'agent' },
      ]);
      expect(items.slice(0, 4).map((item) => item.requestId)).toEqual([...requestIds].reverse());
      for (let i = 1; i < items.length; i++) {
        expect(Date.parse(items[i - 1].createdAt)).toBeGreaterThanOrEqual(Date.parse(items[i].createdAt));
      }
    });

    it('the unfiltered list is newest first too', async () => {
      const { items } = await auditLog('limit=100');
      expect(items.length).toBeGreaterThan(5);
      for (let i = 1; i < items.length; i++) {
        expect(Date.parse(items[i - 1].createdAt)).toBeGreaterThanOrEqual(Date.parse(items[i].createdAt));
      }
      // This suite's changes appear latest first.
      const positions = requestIds.map((requestId) => items.findIndex((item) => item.requestId === requestId));
      expect(positions.every((position) => position >= 0)).toBe(true);
      expect([...positions].sort((a, b) => b - a)).toEqual(positions);
    });

    it('actorId gives what that actor did, and only that', async () => {
      const { items, total } = await auditLog(`actorId=${admin.id}&limit=100`);
      expect(total).toBeGreaterThanOrEqual(4);
      expect(items.every((item) => item.actorId === admin.id)).toBe(true);
      expect(items.filter((item) => item.entityId === target.id)).toHaveLength(4);
      const byTarget = await auditLog(`actorId=${target.id}`);
      expect(byTarget).toEqual({ items: [], total: 0, limit: 20, offset: 0, nextCursor: null, totalExact: true });
    });

    it('entityType filters by type; filters combine', async () => {
      const users = await auditLog('entityType=User&limit=100');
      expect(users.total).toBeGreaterThan(0);
      expect(users.items.every((item) => item.entityType === 'User')).toBe(true);
      expect(await auditLog('entityType=NoSuchThing')).toEqual({ items: [], total: 0, limit: 20, offset: 0, nextCursor: null, totalExact: true });
      const combined = await auditLog(`entityType=User&entityId=${target.id}&actorId=${admin.id}`);
      expect(combined.total).toBe(4);
      expect(await auditLog(`entityType=NoSuchThing&entityId=${target.id}`)).toMatchObject({ total: 0, items: [] });
    });

    it('limit and offset page through the trail with the {items,limit,offset,nextCursor,total,totalExact} shape', async () => {
      const all = await auditLog(`entityId=${target.id}`);
      expect(all).toEqual({ items: expect.any(Array), total: 5, limit: 20, offset: 0, nextCursor: null, totalExact: true });

      const first = await auditLog(`entityId=${target.id}&limit=2`);
      const second = await auditLog(`entityId=${target.id}&limit=2&offset=2`);
      const third = await auditLog(`entityId=${target.id}&limit=2&offset=4`);
      const beyond = await auditLog(`entityId=${target.id}&limit=2&offset=10`);
      expect(first).toMatchObject({ total: 5, limit: 2, offset: 0 });
      expect(second).toMatchObject({ total: 5, limit: 2, offset: 2 });
      expect(third).toMatchObject({ total: 5, limit: 2, offset: 4 });
      expect(beyond).toEqual({ items: [], total: 5, limit: 2, offset: 10, nextCursor: null, totalExact: true });
      expect([...first.items, ...second.items, ...third.items].map((item) => item.id)).toEqual(all.items.map((item) => item.id));
      expect(third.items).toHaveLength(1);

      const max = await auditLog('limit=100');
      expect(max.limit).toBe(100);
      expect(max.items.length).toBeLessThanOrEqual(100);
      const one = await auditLog('limit=1');
      expect(one.items).toHaveLength(1);
    });

    it.each(['limit=0', 'limit=101', 'limit=-1', 'limit=abc', 'limit=1.5', 'offset=-1', 'offset=abc', 'offset=0.5'])(
      '%s is 400',
      async (query) => {
        const response = await apps.bestays.http.get(`/api/v1/admin/audit-log?${query}`).set(admin.auth).expect(400);
        expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', requestId: expect.any(String) });
      },
    );

    it('the other product never sees these rows, by any filter', async () => {
      const mine = await auditLog('limit=100');
      const myIds = new Set(mine.items.map((item) => item.id));
      for (const query of [`entityId=${target.id}`, `actorId=${admin.id}`, `entityType=User&entityId=${admin.id}`]) {
        expect(await auditLog(query, otherAdmin, apps.realestate)).toEqual({ items: [], total: 0, limit: 20, offset: 0, nextCursor: null, totalExact: true });
      }
      const theirs = await auditLog('limit=100', otherAdmin, apps.realestate);
      expect(theirs.total).toBeGreaterThan(0); // realestate's own admin creation, at least
      expect(theirs.items.some((item) => myIds.has(item.id))).toBe(false);
      expect(await ownerQuery('select distinct product from audit_log where entity_id = $1', [target.id])).toEqual([{ product: 'bestays' }]);
    });
  });

  it('is for admins only', async () => {
    const agent = await apps.bestays.user('agent');
    await apps.bestays.http.get('/api/v1/admin/audit-log').set(agent.auth).expect(403);
    await apps.bestays.http.get('/api/v1/admin/audit-log').expect(401);
  });
});
