import { randomUUID } from 'node:crypto';
import type { Response, Test } from 'supertest';
import { ownerQuery } from './harness/db';
import { type ProductName, PRODUCTS, useBothProducts, type TestUser, otherProduct } from './harness/product-app';

// Many requests of both products in flight at once, in one process: the tenant context (and the
// signed-in user) of one request must never bleed into another.
describe('interleaved requests of both products', () => {
  const TOTAL = 300;
  const REQUEST_TIMEOUT_MS = 20_000;
  const apps = useBothProducts();
  const admins = {} as Record<ProductName, TestUser>;
  const people = {} as Record<ProductName, TestUser[]>;
  const known = {} as Record<ProductName, Set<string>>;

  const other = otherProduct;

  beforeAll(async () => {
    for (const product of PRODUCTS) {
      admins[product] = await apps[product].user('admin');
      people[product] = [];
      for (const role of ['user', 'agent', 'user', 'admin', 'user'] as const) {
        people[product].push(await apps[product].user(role));
      }
      known[product] = new Set([admins[product].id, ...people[product].map((u) => u.id)]);
    }
  });
  // Seeded, so a failing order can be replayed.
  function shuffled<T>(items: T[], seed: number): T[] {
    const result = [...items];
    let state = seed;
    const next = () => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state / 2 ** 31;
    };
    for (let i = result.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [result[i], result[j]] = [result[j], result[i]];
    }
    return result;
  }

  interface Call {
    product: ProductName;
    requestId: string;
    send: () => Promise<Response>;
    check: (response: Response) => void;
  }

  it(`${TOTAL} concurrent requests each answer for their own product and caller only`, async () => {
    const listedIds = { bestays: new Set<string>(), realestate: new Set<string>() } as Record<ProductName, Set<string>>;
    const calls: Call[] = [];

    for (let i = 0; i < TOTAL; i++) {
      const product = PRODUCTS[i % 2];
      const app = apps[product];
      const requestId = `conc-${i}-${randomUUID()}`;
      const kind = Math.floor(i / 2) % 6;
      const withId = (req: Test) => req.set('X-Request-Id', requestId).timeout(REQUEST_TIMEOUT_MS);

      if (kind === 0 || kind === 1) {
        // GET /me as one of several users.
        const me = people[product][(i >> 2) % people[product].length];
        calls.push({
          product,
          requestId,
          send: () => withId(app.http.get('/api/v1/users/me').set(me.auth)),
          check: (response) => {
            expect(response.status).toBe(200);
            expect(response.body).toMatchObject({ id: me.id, clerkUserId: me.clerkUserId, role: me.role });
          },
        });
      } else if (kind === 2) {
        // The admin's list.
        const admin = i % 4 === 0 ? admins[product] : people[product][3];
        calls.push({
          product,
          requestId,
          send: () => withId(app.http.get('/api/v1/users?limit=100').set(admin.auth)),
          check: (response) => {
            expect(response.status).toBe(200);
            const ids: string[] = response.body.items.map((item: { id: string }) => item.id);
            ids.forEach((id) => listedIds[product].add(id));
            expect(ids).toEqual(expect.arrayContaining([...known[product]]));
            for (const id of ids) {
              expect(known[other(product)].has(id)).toBe(false);
            }
          },
        });
      } else if (kind === 3) {
        calls.push({
          product,
          requestId,
          send: () => withId(app.http.get('/api/health')),
          check: (response) => {
            expect(response.status).toBe(200);
            expect(response.body).toEqual({ status: 'ok', product, database: 'up' });
          },
        });
      } else if (kind === 4) {
        // One user's own record through the admin route, and the other product's id: 404.
        const target = people[product][(i >> 2) % people[product].length];
        const foreign = people[other(product)][(i >> 2) % people[other(product)].length];
        const lookForeign = i % 4 === 0;
        calls.push({
          product,
          requestId,
          send: () => withId(app.http.get(`/api/v1/users/${lookForeign ? foreign.id : target.id}`).set(admins[product].auth)),
          check: (response) => {
            if (lookForeign) {
              expect(response.status).toBe(404);
            } else {
              expect(response.status).toBe(200);
              expect(response.body.id).toBe(target.id);
            }
          },
        });
      } else {
        // The audit log, and a token of the other product (401), and a non-admin (403).
        const variant = (i >> 1) % 3;
        const stranger = people[other(product)][0];
        const nonAdmin = people[product][0];
        calls.push({
          product,
          requestId,
          send: () =>
            withId(
              app.http
                .get(variant === 0 ? '/api/v1/admin/audit-log?limit=100' : '/api/v1/users/me')
                .set(variant === 0 ? admins[product].auth : variant === 1 ? stranger.auth : nonAdmin.auth),
            ),
          check: (response) => {
            if (variant === 0) {
              expect(response.status).toBe(200);
              for (const item of response.body.items as Array<{ entityId: string; actorId: string | null }>) {
                expect(known[other(product)].has(item.entityId)).toBe(false);
                expect(item.actorId === null || !known[other(product)].has(item.actorId)).toBe(true);
              }
            } else if (variant === 1) {
              expect(response.status).toBe(401);
            } else {
              expect(response.status).toBe(200);
              expect(response.body.id).toBe(nonAdmin.id);
            }
          },
        });
      }
    }

    const seed = Date.now() % 100_000;
    const order = shuffled(calls, seed);
    // A request that never answers (a lost callback, a pool deadlock) fails as such, not as a test timeout.
    const responses = await Promise.all(
      order.map((call) =>
        call.send().then(
          (response) => response,
          (error: unknown) => {
            throw new Error(`${call.product} ${call.requestId}: ${String(error)}`);
          },
        ),
      ),
    );

    let checked = 0;
    order.forEach((call, index) => {
      const response = responses[index];
      try {
        expect(response.headers['x-product']).toBe(call.product);
        expect(response.headers['x-request-id']).toBe(call.requestId);
        call.check(response);
        checked++;
      } catch (error) {
        throw new Error(
          `call #${index} (seed ${seed}, ${call.product}, ${call.requestId}) failed: ${(error as Error).message}\nbody: ${JSON.stringify(response.body)}`,
        );
      }
    });
    expect(checked).toBe(TOTAL);

    // Every id any list showed belongs to that list's product, by the owner connection's account.
    for (const product of PRODUCTS) {
      const ids = [...listedIds[product]];
      expect(ids.length).toBeGreaterThan(0);
      expect(await ownerQuery('select distinct product from users where id = any($1)', [ids])).toEqual([{ product }]);
    }
  });

  it('concurrent first sign-ins of new users in both products each create exactly one user in their own product', async () => {
    const subs = Array.from({ length: 20 }, () => `user_${randomUUID().replace(/-/g, '')}`);
    // Each sub signs in twice at once in each product: 80 requests.
    const tasks = shuffled(
      subs.flatMap((sub) =>
        PRODUCTS.flatMap((product) =>
          [0, 1].map(() => async () => {
            const token = await apps[product].token({ sub });
            const response = await apps[product].http
              .get('/api/v1/users/me')
              .set('Authorization', `Bearer ${token}`)
              .timeout(REQUEST_TIMEOUT_MS);
            return { sub, product, response };
          }),
        ),
      ),
      42,
    );
    const results = await Promise.all(tasks.map((task) => task()));

    const idsBy = new Map<string, Set<string>>();
    for (const { sub, product, response } of results) {
      expect(response.status).toBe(200);
      expect(response.headers['x-product']).toBe(product);
      expect(response.body).toMatchObject({ clerkUserId: sub, role: 'user' });
      const key = `${product}:${sub}`;
      idsBy.set(key, (idsBy.get(key) ?? new Set()).add(response.body.id));
    }
    // Both racing sign-ins of one sub in one product got the same user; the products got different ones.
    for (const sub of subs) {
      expect(idsBy.get(`bestays:${sub}`)?.size).toBe(1);
      expect(idsBy.get(`realestate:${sub}`)?.size).toBe(1);
      expect([...(idsBy.get(`bestays:${sub}`) ?? [])][0]).not.toBe([...(idsBy.get(`realestate:${sub}`) ?? [])][0]);
    }
    const rows = await ownerQuery<{ product: string; count: string }>(
      'select product, count(*) from users where clerk_user_id = any($1) group by product order by product',
      [subs],
    );
    expect(rows).toEqual([
      { product: 'bestays', count: String(subs.length) },
      { product: 'realestate', count: String(subs.length) },
    ]);
  });
});
