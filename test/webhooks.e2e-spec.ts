import { clerkUserCreated, ProductApp, useBothProducts, type TestUser } from './harness/product-app';
import { contractError, findUserByClerkId, newClerkId, newSvixId, storedDelivery, userRows, WEBHOOK } from './harness/clerk';

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

});
