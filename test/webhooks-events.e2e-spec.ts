import { randomUUID } from 'node:crypto';
import { clerkUserCreated, ProductApp, useBothProducts, type TestUser } from './harness/product-app';
import { contractError, findUserByClerkId, newClerkId, newSvixId, storedDelivery, userRows, WEBHOOK } from './harness/clerk';

describe('Clerk webhooks: other events, updates, deletes and configuration', () => {
  const apps = useBothProducts();
  let bestays: ProductApp;
  let realestate: ProductApp;
  let admin: TestUser;
  let realestateAdmin: TestUser;

  beforeAll(async () => {
    ({ bestays, realestate } = apps);
    admin = await bestays.user('admin');
    realestateAdmin = await realestate.user('admin');
  });

  describe('other and malformed events', () => {
    it('stores an unknown event type as ignored and answers 200', async () => {
      const svixId = newSvixId();
      const event = { type: 'session.created', object: 'event', data: { id: `sess_${randomUUID()}`, user_id: newClerkId() } };
      await bestays.sendWebhook(event, { id: svixId }).expect(200, { received: true, duplicate: false });
      const stored = await storedDelivery(bestays, svixId);
      expect(stored).toMatchObject({ svixId, type: 'session.created', status: 'ignored', product: 'bestays' });
      await bestays.sendWebhook(event, { id: svixId }).expect(200, { received: true, duplicate: true });
    });

    it('stores a signed body that is not JSON as failed, answers 422, and a replay is a duplicate', async () => {
      const svixId = newSvixId();
      const body = '{"type": "user.created", "data": {';
      const headers = bestays.signWebhook(body, { id: svixId });
      const response = await bestays.http.post(WEBHOOK).set(headers).send(body).expect(422);
      expect(response.body).toEqual(contractError(422, 'Unprocessable Entity'));
      expect(await storedDelivery(bestays, svixId)).toMatchObject({ status: 'failed', error: expect.any(String) });

      const replay = await bestays.http.post(WEBHOOK).set(headers).send(body).expect(200);
      expect(replay.body).toEqual({ received: true, duplicate: true });
    });

    it.each([
      ['user.created without data.id', (data: Record<string, unknown>) => delete data.id],
      ['user.created with email_addresses not an array', (data: Record<string, unknown>) => (data.email_addresses = 'a@b.test')],
      ['user.created with an email address without id', (data: Record<string, unknown>) => (data.email_addresses = [{ email_address: 'a@b.test' }])],
      ['user.created with a numeric first_name', (data: Record<string, unknown>) => (data.first_name = 42)],
    ])('stores %s as failed and answers 422; a replay is a duplicate', async (_label, mutate) => {
      const svixId = newSvixId();
      const clerkUserId = newClerkId();
      const event = clerkUserCreated(clerkUserId) as { data: Record<string, unknown> };
      mutate(event.data);
      const response = await bestays.sendWebhook(event, { id: svixId }).expect(422);
      expect(response.body).toEqual(contractError(422, 'Unprocessable Entity'));
      expect(await storedDelivery(bestays, svixId)).toMatchObject({ status: 'failed', type: 'user.created' });
      expect(await userRows(bestays, clerkUserId)).toHaveLength(0);

      await bestays.sendWebhook(event, { id: svixId }).expect(200, { received: true, duplicate: true });
      expect(await userRows(bestays, clerkUserId)).toHaveLength(0);
    });

    it.each([
      ['null', 'null'],
      ['a string', '"user.created"'],
      ['an array', '[]'],
      ['an event without type', JSON.stringify({ data: { id: 'user_x' } })],
      ['an event without data', JSON.stringify({ type: 'user.created' })],
      ['user.deleted without data.id', JSON.stringify({ type: 'user.deleted', data: { deleted: true } })],
    ])('stores signed JSON that is %s as failed and answers 422', async (_label, body) => {
      const svixId = newSvixId();
      const headers = bestays.signWebhook(body, { id: svixId });
      const response = await bestays.http.post(WEBHOOK).set(headers).send(body).expect(422);
      expect(response.body).toEqual(contractError(422, 'Unprocessable Entity'));
      expect(await storedDelivery(bestays, svixId)).toMatchObject({ status: 'failed' });
      await bestays.http.post(WEBHOOK).set(headers).send(body).expect(200, { received: true, duplicate: true });
    });
  });

  describe('user.updated and user.deleted', () => {
    it("never lets an older profile (Clerk's updated_at) undo a newer one, whatever the arrival order", async () => {
      const clerkUserId = newClerkId();
      const profile = (role: string, updatedAt: number, type = 'user.updated') => {
        const event = clerkUserCreated(clerkUserId, { type, role, email: `${role}@bestays.test` }) as { data: Record<string, unknown> };
        event.data.updated_at = updatedAt;
        return event;
      };
      const t0 = Date.now() - 60_000;
      await bestays.sendWebhook(profile('user', t0, 'user.created')).expect(200);
      const newer = newSvixId();
      await bestays.sendWebhook(profile('admin', t0 + 2_000), { id: newer }).expect(200, { received: true, duplicate: false });
      // The older update arrives last (a retry, or a slow delivery): stored, marked ignored, not applied.
      const older = newSvixId();
      await bestays.sendWebhook(profile('agent', t0 + 1_000), { id: older }).expect(200, { received: true, duplicate: false });
      expect(await findUserByClerkId(bestays, admin, clerkUserId)).toMatchObject({ role: 'admin', email: 'admin@bestays.test' });
      expect((await storedDelivery(bestays, newer))?.status).toBe('processed');
      expect((await storedDelivery(bestays, older))?.status).toBe('ignored');
      // A later profile still applies.
      await bestays.sendWebhook(profile('agent', t0 + 3_000)).expect(200);
      expect(await findUserByClerkId(bestays, admin, clerkUserId)).toMatchObject({ role: 'agent' });
      // updated_at must be a timestamp when present.
      await bestays.sendWebhook(profile('agent', -5)).expect(422);
    });

    it('updates names, email and role', async () => {
      const clerkUserId = newClerkId();
      await bestays.sendWebhook(clerkUserCreated(clerkUserId, { firstName: 'Old', lastName: 'Name', email: 'old@bestays.test' })).expect(200);
      const before = await findUserByClerkId(bestays, admin, clerkUserId);
      expect(before).toMatchObject({ role: 'user', email: 'old@bestays.test' });

      const updated = clerkUserCreated(clerkUserId, {
        type: 'user.updated',
        firstName: 'New',
        lastName: 'Surname',
        email: 'new@bestays.test',
        role: 'admin',
      });
      await bestays.sendWebhook(updated).expect(200, { received: true, duplicate: false });
      const after = await bestays.http.get(`/api/v1/users/${String(before?.id)}`).set(admin.auth).expect(200);
      expect(after.body).toMatchObject({
        id: before?.id,
        clerkUserId,
        firstName: 'New',
        lastName: 'Surname',
        email: 'new@bestays.test',
        role: 'admin',
      });

      // A role removed in Clerk falls back to user.
      await bestays.sendWebhook(clerkUserCreated(clerkUserId, { type: 'user.updated' })).expect(200);
      const demoted = await bestays.http.get(`/api/v1/users/${String(before?.id)}`).set(admin.auth).expect(200);
      expect(demoted.body.role).toBe('user');
    });

    it('creates the user on a user.updated it has not seen created', async () => {
      const clerkUserId = newClerkId();
      await bestays.sendWebhook(clerkUserCreated(clerkUserId, { type: 'user.updated', role: 'agent' })).expect(200);
      expect(await findUserByClerkId(bestays, admin, clerkUserId)).toMatchObject({ role: 'agent' });
    });

    it('soft-deletes on user.deleted: gone from every route, audit trail kept', async () => {
      const victim = await bestays.user('agent');
      await bestays.http.get('/api/v1/users/me').set(victim.auth).expect(200);

      const svixId = newSvixId();
      const deleted = { type: 'user.deleted', object: 'event', data: { id: victim.clerkUserId, object: 'user', deleted: true } };
      await bestays.sendWebhook(deleted, { id: svixId }).expect(200, { received: true, duplicate: false });

      const me = await bestays.http.get('/api/v1/users/me').set(victim.auth).expect(401);
      expect(me.body).toEqual(contractError(401, 'Unauthorized'));
      // A fresh token of the deleted user is no way back in (no just-in-time re-creation).
      const fresh = await bestays.token({ sub: victim.clerkUserId });
      await bestays.http.get('/api/v1/users/me').set('Authorization', `Bearer ${fresh}`).expect(401);

      expect(await findUserByClerkId(bestays, admin, victim.clerkUserId)).toBeUndefined();
      const one = await bestays.http.get(`/api/v1/users/${victim.id}`).set(admin.auth).expect(404);
      expect(one.body).toEqual(contractError(404, 'Not Found'));
      await bestays.http.patch(`/api/v1/users/${victim.id}/role`).set(admin.auth).send({ role: 'admin' }).expect(404);

      // Later events about the deleted user neither resurrect nor change it.
      await bestays.sendWebhook(clerkUserCreated(victim.clerkUserId, { type: 'user.updated', role: 'admin' })).expect(200);
      await bestays.http.get('/api/v1/users/me').set(victim.auth).expect(401);
      await bestays.http.get(`/api/v1/users/${victim.id}`).set(admin.auth).expect(404);
      const rows = await userRows(bestays, victim.clerkUserId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ role: 'agent', deletedAt: expect.any(Date) });

      // The replay is a duplicate, and deleting again is harmless.
      await bestays.sendWebhook(deleted, { id: svixId }).expect(200, { received: true, duplicate: true });
      await bestays.sendWebhook(deleted).expect(200, { received: true, duplicate: false });

      const audit = await bestays.http.get(`/api/v1/admin/audit-log?entityId=${victim.id}`).set(admin.auth).expect(200);
      const entries = audit.body.items as Array<{ action: string; entityType: string; entityId: string; actorId: string | null }>;
      expect(entries.map((entry) => entry.action)).toEqual(['delete', 'create']);
      for (const entry of entries) {
        expect(entry).toMatchObject({ entityType: 'User', entityId: victim.id, actorId: null });
      }
    });

    it('ignores a user.deleted for a user it never knew, and the user stays unknown to the other product', async () => {
      const clerkUserId = newClerkId();
      await bestays.sendWebhook({ type: 'user.deleted', data: { id: clerkUserId, deleted: true } }).expect(200);
      expect(await userRows(bestays, clerkUserId)).toHaveLength(0);
    });

    it('deletes only in the product that got the event', async () => {
      const clerkUserId = newClerkId();
      await bestays.sendWebhook(clerkUserCreated(clerkUserId)).expect(200);
      await realestate.sendWebhook(clerkUserCreated(clerkUserId)).expect(200);
      await bestays.sendWebhook({ type: 'user.deleted', data: { id: clerkUserId, deleted: true } }).expect(200);
      expect(await findUserByClerkId(bestays, admin, clerkUserId)).toBeUndefined();
      expect(await findUserByClerkId(realestate, realestateAdmin, clerkUserId)).toBeDefined();
    });
  });

  describe('configuration', () => {
    let unconfigured: ProductApp;

    beforeAll(async () => {
      unconfigured = await ProductApp.start('bestays', { CLERK_WEBHOOK_SECRET: '' });
    });
    afterAll(async () => {
      await unconfigured.close();
    });

    it('answers 503 when the product has no CLERK_WEBHOOK_SECRET, and processes nothing', async () => {
      expect(unconfigured.config.clerk.webhookSecret).toBeUndefined();
      const clerkUserId = newClerkId();
      const svixId = newSvixId();
      const response = await unconfigured.sendWebhook(clerkUserCreated(clerkUserId), { id: svixId }).expect(503);
      expect(response.body).toEqual(contractError(503, 'Service Unavailable'));
      expect(response.headers['x-product']).toBe('bestays');
      await unconfigured.http.post(WEBHOOK).send('{}').expect(503);
      expect(await storedDelivery(unconfigured, svixId)).toBeNull();
      expect(await userRows(unconfigured, clerkUserId)).toHaveLength(0);
    });
  });
});
