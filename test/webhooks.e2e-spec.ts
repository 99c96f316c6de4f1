import { randomUUID } from 'node:crypto';
import { User } from '../src/users/user.entity';
import { WebhookEvent } from '../src/webhooks/webhook-event.entity';
import { clerkUserCreated, ProductApp, useBothProducts, type TestUser } from './harness/product-app';

const WEBHOOK = '/api/v1/webhooks/clerk';

const contractError = (statusCode: number, error: string) => ({
  statusCode,
  error,
  message: expect.any(String),
  requestId: expect.any(String),
});

function newClerkId(): string {
  return `user_${randomUUID().replace(/-/g, '')}`;
}

function newSvixId(): string {
  return `msg_${randomUUID()}`;
}

/** The stored delivery, read as the product itself would (tenant context, runtime role). */
function storedDelivery(app: ProductApp, svixId: string): Promise<WebhookEvent | null> {
  return app.inTenant(() => app.em().findOne(WebhookEvent, { svixId }));
}

/** Every row of this Clerk user, soft-deleted ones included. */
function userRows(app: ProductApp, clerkUserId: string): Promise<User[]> {
  return app.inTenant(() => app.em().find(User, { clerkUserId }, { filters: { notDeleted: false } }));
}

async function findUserByClerkId(app: ProductApp, admin: TestUser, clerkUserId: string): Promise<Record<string, unknown> | undefined> {
  const list = await app.http.get('/api/v1/users?limit=100').set(admin.auth).expect(200);
  return (list.body.items as Array<Record<string, unknown>>).find((item) => item.clerkUserId === clerkUserId);
}

describe('Clerk webhooks (POST /api/v1/webhooks/clerk)', () => {
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

  describe('user.created', () => {
    it('creates the user with the primary email address and answers received, not duplicate', async () => {
      const clerkUserId = newClerkId();
      const event = clerkUserCreated(clerkUserId, { email: 'primary@bestays.test', role: 'agent', firstName: 'Ana', lastName: 'Silva' });
      const response = await bestays.sendWebhook(event).expect(200);
      expect(response.body).toEqual({ received: true, duplicate: false });
      expect(response.headers['x-product']).toBe('bestays');

      const user = await findUserByClerkId(bestays, admin, clerkUserId);
      expect(user).toMatchObject({ clerkUserId, email: 'primary@bestays.test', firstName: 'Ana', lastName: 'Silva', role: 'agent' });
      // The secondary address comes first in the list; the primary id decides.
      expect(user?.email).not.toContain('secondary-');
      // The other product never heard of this user.
      expect(await findUserByClerkId(realestate, realestateAdmin, clerkUserId)).toBeUndefined();
    });

    it.each([
      ['admin', 'admin'],
      ['agent', 'agent'],
      ['user', 'user'],
      ['superuser', 'user'],
      ['ADMIN', 'user'],
      [undefined, 'user'],
    ])('public_metadata.role %p gives role %p', async (given, expected) => {
      const clerkUserId = newClerkId();
      await bestays.sendWebhook(clerkUserCreated(clerkUserId, { role: given })).expect(200);
      const user = await findUserByClerkId(bestays, admin, clerkUserId);
      expect(user?.role).toBe(expected);
    });

    it('gives role user for a non-string role and for public_metadata that is missing', async () => {
      const numeric = newClerkId();
      const event = clerkUserCreated(numeric) as { data: Record<string, unknown> };
      event.data.public_metadata = { role: ['admin'] };
      await bestays.sendWebhook(event).expect(200);
      expect((await findUserByClerkId(bestays, admin, numeric))?.role).toBe('user');

      const bare = newClerkId();
      const withoutMetadata = clerkUserCreated(bare) as { data: Record<string, unknown> };
      delete withoutMetadata.data.public_metadata;
      await bestays.sendWebhook(withoutMetadata).expect(200);
      expect((await findUserByClerkId(bestays, admin, bare))?.role).toBe('user');
    });
  });

  describe('idempotency', () => {
    it('answers a replay (same svix-id, same body) as a duplicate and processes it no second time', async () => {
      const clerkUserId = newClerkId();
      const created = clerkUserCreated(clerkUserId, { firstName: 'First' });
      const createdId = newSvixId();
      await bestays.sendWebhook(created, { id: createdId }).expect(200, { received: true, duplicate: false });
      const user = await findUserByClerkId(bestays, admin, clerkUserId);
      expect(user).toBeDefined();

      const renameId = newSvixId();
      const rename = clerkUserCreated(clerkUserId, { type: 'user.updated', firstName: 'Renamed', email: 'renamed@bestays.test' });
      await bestays.sendWebhook(rename, { id: renameId }).expect(200, { received: true, duplicate: false });

      const later = clerkUserCreated(clerkUserId, { type: 'user.updated', firstName: 'Latest', role: 'agent', email: 'latest@bestays.test' });
      await bestays.sendWebhook(later).expect(200, { received: true, duplicate: false });

      // Replays of the older deliveries must not revert the latest state.
      await bestays.sendWebhook(rename, { id: renameId }).expect(200, { received: true, duplicate: true });
      await bestays.sendWebhook(created, { id: createdId }).expect(200, { received: true, duplicate: true });

      const current = await bestays.http.get(`/api/v1/users/${String(user?.id)}`).set(admin.auth).expect(200);
      expect(current.body).toMatchObject({ firstName: 'Latest', role: 'agent', email: 'latest@bestays.test' });
      expect(await userRows(bestays, clerkUserId)).toHaveLength(1);
      // One create and two updates in the trail: the replays wrote nothing.
      const audit = await bestays.http.get(`/api/v1/admin/audit-log?entityId=${String(user?.id)}`).set(admin.auth).expect(200);
      expect((audit.body.items as Array<{ action: string }>).map((entry) => entry.action)).toEqual(['update', 'update', 'create']);
    });

    it('treats the same svix-id at the other product as a separate delivery, stored once per product', async () => {
      const svixId = newSvixId();
      const clerkUserId = newClerkId();
      const event = clerkUserCreated(clerkUserId, { role: 'agent' });

      await bestays.sendWebhook(event, { id: svixId }).expect(200, { received: true, duplicate: false });
      await realestate.sendWebhook(event, { id: svixId }).expect(200, { received: true, duplicate: false });
      await bestays.sendWebhook(event, { id: svixId }).expect(200, { received: true, duplicate: true });
      await realestate.sendWebhook(event, { id: svixId }).expect(200, { received: true, duplicate: true });

      expect(await findUserByClerkId(bestays, admin, clerkUserId)).toMatchObject({ role: 'agent' });
      expect(await findUserByClerkId(realestate, realestateAdmin, clerkUserId)).toMatchObject({ role: 'agent' });
      expect((await storedDelivery(bestays, svixId))?.status).toBe('processed');
      expect((await storedDelivery(realestate, svixId))?.status).toBe('processed');
    });

    it('still needs the other product’s own secret for the same svix-id', async () => {
      const svixId = newSvixId();
      const clerkUserId = newClerkId();
      const event = clerkUserCreated(clerkUserId);
      await bestays.sendWebhook(event, { id: svixId }).expect(200);
      // Exactly the bytes and headers bestays accepted, replayed at realestate.
      const response = await realestate.sendWebhook(event, { id: svixId, secret: bestays.webhookSecret }).expect(401);
      expect(response.body).toEqual(contractError(401, 'Unauthorized'));
      expect(await storedDelivery(realestate, svixId)).toBeNull();
      expect(await userRows(realestate, clerkUserId)).toHaveLength(0);
    });

    it('processes 10 concurrent identical deliveries exactly once', async () => {
      const svixId = newSvixId();
      const clerkUserId = newClerkId();
      const body = JSON.stringify(clerkUserCreated(clerkUserId, { role: 'agent' }));
      const headers = bestays.signWebhook(body, { id: svixId });
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => bestays.http.post(WEBHOOK).set(headers).send(body)),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
      expect(responses.filter((response) => response.body.duplicate === false)).toHaveLength(1);
      expect(responses.filter((response) => response.body.duplicate === true)).toHaveLength(9);
      expect(await userRows(bestays, clerkUserId)).toHaveLength(1);
      const user = await findUserByClerkId(bestays, admin, clerkUserId);
      const audit = await bestays.http.get(`/api/v1/admin/audit-log?entityId=${String(user?.id)}`).set(admin.auth).expect(200);
      expect(audit.body.total).toBe(1);
    });
  });

  describe('rejected deliveries: 401, nothing processed', () => {
    async function expectNothingProcessed(app: ProductApp, svixId: string, clerkUserId: string): Promise<void> {
      expect(await storedDelivery(app, svixId)).toBeNull();
      expect(await userRows(app, clerkUserId)).toHaveLength(0);
    }

    it('rejects a body that is not the one signed', async () => {
      const clerkUserId = newClerkId();
      const svixId = newSvixId();
      const signedBody = JSON.stringify(clerkUserCreated(clerkUserId, { role: 'user' }));
      const tampered = signedBody.replace('"role":"user"', '"role":"admin"');
      expect(tampered).not.toBe(signedBody);
      const response = await bestays.http
        .post(WEBHOOK)
        .set(bestays.signWebhook(signedBody, { id: svixId }))
        .set('X-Request-Id', 'tampered-1')
        .send(tampered)
        .expect(401);
      expect(response.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String), requestId: 'tampered-1' });
      expect(response.headers['x-product']).toBe('bestays');
      await expectNothingProcessed(bestays, svixId, clerkUserId);
    });

    it('rejects a signature for another svix-id', async () => {
      const clerkUserId = newClerkId();
      const body = JSON.stringify(clerkUserCreated(clerkUserId));
      const headers = bestays.signWebhook(body, { id: newSvixId() });
      const svixId = newSvixId();
      await bestays.http.post(WEBHOOK).set(headers).set('svix-id', svixId).send(body).expect(401);
      await expectNothingProcessed(bestays, svixId, clerkUserId);
    });

    it.each([
      ['more than 5 minutes old', -6 * 60_000],
      ['more than 5 minutes ahead', 6 * 60_000],
    ])('rejects a timestamp %s', async (_label, offset) => {
      const clerkUserId = newClerkId();
      const svixId = newSvixId();
      const response = await bestays
        .sendWebhook(clerkUserCreated(clerkUserId), { id: svixId, at: new Date(Date.now() + offset) })
        .expect(401);
      expect(response.body).toEqual(contractError(401, 'Unauthorized'));
      await expectNothingProcessed(bestays, svixId, clerkUserId);
    });

    it('accepts a timestamp within 5 minutes either way', async () => {
      await bestays.sendWebhook(clerkUserCreated(newClerkId()), { at: new Date(Date.now() - 4 * 60_000) }).expect(200);
      await bestays.sendWebhook(clerkUserCreated(newClerkId()), { at: new Date(Date.now() + 4 * 60_000) }).expect(200);
    });

    it.each(['svix-id', 'svix-timestamp', 'svix-signature'])('rejects a delivery without the %s header', async (header) => {
      const clerkUserId = newClerkId();
      const svixId = newSvixId();
      const body = JSON.stringify(clerkUserCreated(clerkUserId));
      const headers = bestays.signWebhook(body, { id: svixId });
      delete headers[header];
      const response = await bestays.http.post(WEBHOOK).set(headers).send(body).expect(401);
      expect(response.body).toEqual(contractError(401, 'Unauthorized'));
      await expectNothingProcessed(bestays, svixId, clerkUserId);
    });

    it('rejects a delivery with no svix headers at all, and an empty signature', async () => {
      const clerkUserId = newClerkId();
      const body = JSON.stringify(clerkUserCreated(clerkUserId));
      await bestays.http.post(WEBHOOK).set('content-type', 'application/json').send(body).expect(401);
      const svixId = newSvixId();
      await bestays.http.post(WEBHOOK).set(bestays.signWebhook(body, { id: svixId })).set('svix-signature', '').send(body).expect(401);
      await bestays.http.post(WEBHOOK).set(bestays.signWebhook(body, { id: svixId })).set('svix-signature', 'v1,AAAA').send(body).expect(401);
      await expectNothingProcessed(bestays, svixId, clerkUserId);
    });

    it('rejects a delivery signed with the other product’s secret', async () => {
      const clerkUserId = newClerkId();
      const svixId = newSvixId();
      const response = await bestays
        .sendWebhook(clerkUserCreated(clerkUserId, { role: 'admin' }), { id: svixId, secret: realestate.webhookSecret })
        .expect(401);
      expect(response.body).toEqual(contractError(401, 'Unauthorized'));
      await expectNothingProcessed(bestays, svixId, clerkUserId);
      await expectNothingProcessed(realestate, svixId, clerkUserId);
    });
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
