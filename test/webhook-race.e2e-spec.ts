import { randomUUID } from 'node:crypto';
import { ownerQuery } from './harness/db';
import { clerkUserCreated, PRODUCTS, type ProductApp, type ProductName, startBothProducts } from './harness/product-app';

const PAIRS = 50;

// Hostile-testing reproducer: user.created and user.updated of one new user, sent at the same time.
// Before: about half were answered 404 and never stored, and most users kept the older profile.
describe('concurrent deliveries for one new user', () => {
  let apps: Record<ProductName, ProductApp>;

  beforeAll(async () => {
    apps = await startBothProducts();
  });

  afterAll(async () => {
    await Promise.all(PRODUCTS.map((product) => apps?.[product]?.close()));
  });

  it.each(PRODUCTS)(`%s: ${PAIRS} created/updated pairs at once are all answered 200, stored, and leave the newest profile`, async (product) => {
    const app = apps[product];
    const base = Date.now() - 60_000;
    const pairs = Array.from({ length: PAIRS }, (_, i) => {
      const clerkUserId = `user_race_${randomUUID().replace(/-/g, '')}`;
      const created = clerkUserCreated(clerkUserId, { firstName: 'Old', role: 'user' }) as { data: Record<string, unknown> };
      created.data.updated_at = base + i;
      const updated = clerkUserCreated(clerkUserId, { firstName: 'New', role: 'agent', type: 'user.updated' }) as { data: Record<string, unknown> };
      updated.data.updated_at = base + i + 1_000;
      return { clerkUserId, created, updated, ids: [`msg_${randomUUID()}`, `msg_${randomUUID()}`] };
    });

    // Half the pairs send the newer profile first: the order of arrival must not matter.
    const responses = await Promise.all(
      pairs.flatMap(({ created, updated, ids }, i) => {
        const order = i % 2 === 0 ? [created, updated] : [updated, created];
        return order.map((event, k) => app.sendWebhook(event, { id: ids[k] }));
      }),
    );
    expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200));
    expect(responses.every((response) => (response.body as { duplicate?: boolean }).duplicate === false)).toBe(true);

    const stored = await ownerQuery<{ svix_id: string; status: string }>(
      'select svix_id, status from webhook_events where product = $1 and svix_id = any($2)',
      [product, pairs.flatMap(({ ids }) => ids)],
    );
    expect(stored).toHaveLength(PAIRS * 2);
    // Exactly one delivery per user was applied last... the older one is stored as ignored when it came second.
    expect(stored.every((row) => row.status === 'processed' || row.status === 'ignored')).toBe(true);

    const users = await ownerQuery<{ clerk_user_id: string; first_name: string; role: string }>(
      'select clerk_user_id, first_name, role from users where product = $1 and clerk_user_id = any($2)',
      [product, pairs.map(({ clerkUserId }) => clerkUserId)],
    );
    expect(users).toHaveLength(PAIRS);
    expect(users.filter((user) => user.first_name !== 'New' || user.role !== 'agent')).toEqual([]);

    // The other product saw none of it.
    const other = await ownerQuery('select 1 from users where product <> $1 and clerk_user_id = any($2)', [product, pairs.map(({ clerkUserId }) => clerkUserId)]);
    expect(other).toHaveLength(0);
  });

  it('a first sign-in racing the user.created delivery creates one user and keeps the profile', async () => {
    const app = apps.bestays;
    const clerkUserId = `user_jit_${randomUUID().replace(/-/g, '')}`;
    const token = await app.token({ sub: clerkUserId });
    const event = clerkUserCreated(clerkUserId, { firstName: 'Webhook', role: 'agent' }) as { data: Record<string, unknown> };
    event.data.updated_at = Date.now();
    const [me, delivered] = await Promise.all([
      app.http.get('/api/v1/users/me').set('Authorization', `Bearer ${token}`),
      app.sendWebhook(event),
    ]);
    expect(me.status).toBe(200);
    expect(delivered.status).toBe(200);
    const users = await ownerQuery<{ first_name: string; role: string }>('select first_name, role from users where product = $1 and clerk_user_id = $2', ['bestays', clerkUserId]);
    expect(users).toEqual([{ first_name: 'Webhook', role: 'agent' }]);
  });
});
