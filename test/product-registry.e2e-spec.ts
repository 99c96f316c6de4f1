import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createScratchDatabase, dropScratchDatabase } from './harness/db';
import { productsCli } from './harness/operator-cli';
import { ProductApp, type ProductName, type TestUser } from './harness/product-app';

const THREE = 'bestays,realestate,thirdone';

async function query<R extends object>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function eventually(check: () => Promise<void>, timeoutMs = 8_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      await check();
      return Date.now() - started;
    } catch (error) {
      if (Date.now() - started > timeoutMs) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

const property = () => ({
  title: `Villa ${randomUUID().slice(0, 8)}`,
  description: 'By the sea.',
  priceMinor: 10_000,
  currency: 'EUR',
  bedrooms: 2,
  bathrooms: 1,
  address: '1 Test Road',
  published: true,
});

// Its own database: the suite suspends products and registers a third one.
describe('product registry, operator CLI and suspension', () => {
  let scratch: { name: string; url: string };
  const apps: ProductApp[] = [];
  let bestays: ProductApp;
  let replica: ProductApp;
  let realestate: ProductApp;
  const cli = (args: string[], stdin?: string, env?: NodeJS.ProcessEnv) => productsCli(args, { databaseUrl: scratch.url, stdin, env });
  const start = async (product: string, env: NodeJS.ProcessEnv = {}) => {
    const app = await ProductApp.start(product as ProductName, { DATABASE_URL: scratch.url, ALLOWED_PRODUCTS: THREE, ...env });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    scratch = await createScratchDatabase('registry');
    bestays = await start('bestays');
    replica = await start('bestays');
    realestate = await start('realestate');
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close().catch(() => undefined)));
    await dropScratchDatabase(scratch.name);
  });

  it('registers the allowed products at boot, active', async () => {
    const rows = await query<{ name: string; status: string }>(scratch.url, 'select name, status from products order by name');
    expect(rows).toEqual([
      { name: 'bestays', status: 'active' },
      { name: 'realestate', status: 'active' },
      { name: 'thirdone', status: 'active' },
    ]);
  });

  it('lets each runtime role read only its own product row, and write none', async () => {
    for (const app of [bestays, realestate]) {
      const own = await query<{ name: string }>(app.runtimeDatabaseUrl, 'select name from products');
      expect(own).toEqual([{ name: app.product }]);
      await expect(query(app.runtimeDatabaseUrl, `update products set status = 'active'`)).rejects.toThrow(/permission denied/);
      await expect(query(app.runtimeDatabaseUrl, `insert into products (name, display_name) values ('evil', 'x')`)).rejects.toThrow(/permission denied/);
      await expect(query(app.runtimeDatabaseUrl, 'delete from product_secrets')).rejects.toThrow(/permission denied/);
    }
  });

  describe('the CLI', () => {
    it('lists products with status and row counts per tenant table', async () => {
      const result = await cli(['list']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^bestays\s+active\s+\d+/m);
      expect(result.stdout).toMatch(/^realestate\s+active\s+\d+/m);
      expect(result.stdout).toMatch(/users=\d+/);
    });

    it.each([
      [['bogus'], /unknown command/],
      [[], /usage/],
      [['add', 'Bad-Name', '--name', 'x'], /product name/],
      [['add', 'fourth'], /--name/],
      [['add', 'bestays', '--name', 'again'], /already exists/],
      [['suspend', 'nosuch', '--reason', 'x'], /unknown product "nosuch"/],
      [['suspend', 'bestays'], /--reason/],
      [['resume', 'bestays', '--colour', 'red'], /colour/],
      [['set-secret', 'bestays', 'LLM_API_KEY', 'sk-in-argv'], /standard input/],
      [['set-secret', 'bestays', 'NOT_A_SETTING'], /LLM_API_KEY/],
      [['purge', 'bestays', '--confirm', 'realestate'], /--confirm bestays/],
      [['export', 'bestays'], /--out/],
    ])('%j fails with one line and a non-zero exit', async (args, message) => {
      const result = await cli(args);
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\bat .+\.js:\d+/);
    });

    it('refuses set-secret without SECRETS_KEYS and stores nothing', async () => {
      const result = await cli(['set-secret', 'bestays', 'LLM_API_KEY'], 'sk-live-123456789');
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/SECRETS_KEYS/);
      expect(await query(scratch.url, 'select * from product_secrets')).toEqual([]);
    });
  });

  describe('suspension', () => {
    it('answers 503 on every replica within 5 s, health says suspended, the other product is untouched, resume reverses', async () => {
      const user = await bestays.user('admin');
      await bestays.http.get('/api/v1/properties').expect(200);

      const suspended = await cli(['suspend', 'bestays', '--reason', 'Unpaid invoice']);
      expect(suspended.code).toBe(0);
      const waited = await eventually(async () => {
        for (const app of [bestays, replica]) {
          const response = await app.http.get('/api/v1/properties').set('X-Request-Id', 'req-susp');
          expect(response.status).toBe(503);
        }
      });
      expect(waited).toBeLessThan(5_000 + 1_500);

      for (const app of [bestays, replica]) {
        const response = await app.http.get('/api/v1/properties').set('X-Request-Id', 'req-susp').expect(503);
        expect(response.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', requestId: 'req-susp', reason: 'Unpaid invoice' });
        expect(response.body.message).toMatch(/suspended: Unpaid invoice/);
        expect(response.headers['retry-after']).toMatch(/^\d+$/);
        expect(response.headers['x-product']).toBe('bestays');
        await app.http.get('/api/v1/users/me').set(user.auth).expect(503);
        await app.http.post('/api/v1/admin/properties').set(user.auth).send(property()).expect(503);
        // Clerk deliveries wait too: Svix retries a 503 later, so nothing is lost.
        const hook = await app.sendWebhook({ type: 'user.updated', data: {} });
        expect(hook.status).toBe(503);
        const health = await app.http.get('/api/health').expect(200);
        expect(health.body).toEqual({ status: 'suspended', product: 'bestays', database: 'up' });
      }

      // The other product never noticed.
      await realestate.http.get('/api/v1/properties').expect(200);
      expect((await realestate.http.get('/api/health').expect(200)).body.status).toBe('ok');

      // A process that boots while suspended starts, and serves the 503s.
      const late = await start('bestays');
      await late.http.get('/api/v1/faq/categories').expect(503);
      expect((await late.http.get('/api/health').expect(200)).body.status).toBe('suspended');

      // The change is in the product's audit trail, actor operator.
      const audit = await query<{ action: string; actor_id: string | null; changes: Record<string, unknown>; request_id: string }>(
        scratch.url,
        `select action, actor_id, changes, request_id from audit_log where product = 'bestays' and entity_type = 'Product' order by created_at desc limit 1`,
      );
      expect(audit[0]).toMatchObject({ action: 'update', actor_id: null, changes: { actor: 'operator', status: { from: 'active', to: 'suspended' } } });
      expect(audit[0]?.request_id).toMatch(/^operator-/);

      expect((await cli(['resume', 'bestays'])).code).toBe(0);
      await eventually(async () => {
        for (const app of [bestays, replica, late]) {
          await app.http.get('/api/v1/properties').expect(200);
        }
      });
      expect((await bestays.http.get('/api/health').expect(200)).body.status).toBe('ok');
      await bestays.http.get('/api/v1/users/me').set(user.auth).expect(200);
    });
  });

  describe('a third product', () => {
    let third: ProductApp;
    let thirdAdmin: TestUser;
    let bestaysAdmin: TestUser;

    beforeAll(async () => {
      // Onboarding: registry row (one command), then ALLOWED_PRODUCTS and PRODUCT for its process.
      await query(scratch.url, `delete from products where name = 'thirdone'`);
      const added = await cli(['add', 'thirdone', '--name', 'Third One']);
      expect(added.code).toBe(0);
      third = await start('thirdone');
      thirdAdmin = await third.user('admin');
      bestaysAdmin = await bestays.user('admin');
    });

    it('runs as its own runtime role, bound to it, reading only its registry row', async () => {
      expect(new URL(third.runtimeDatabaseUrl).username).toMatch(/_app_thirdone$/);
      expect(await query(third.runtimeDatabaseUrl, 'select name, display_name from products')).toEqual([{ name: 'thirdone', display_name: 'Third One' }]);
      expect((await third.http.get('/api/health').expect(200)).body).toEqual({ status: 'ok', product: 'thirdone', database: 'up' });
    });

    it('keeps its rows from the other products, and theirs from it, in both directions', async () => {
      const mine = await third.http.post('/api/v1/admin/properties').set(thirdAdmin.auth).send(property()).expect(201);
      const theirs = await bestays.http.post('/api/v1/admin/properties').set(bestaysAdmin.auth).send(property()).expect(201);
      await bestays.http.get(`/api/v1/admin/properties/${mine.body.id}`).set(bestaysAdmin.auth).expect(404);
      await bestays.http.get(`/api/v1/properties/${mine.body.id}`).expect(404);
      await third.http.get(`/api/v1/admin/properties/${theirs.body.id}`).set(thirdAdmin.auth).expect(404);
      await third.http.delete(`/api/v1/admin/properties/${theirs.body.id}`).set(thirdAdmin.auth).expect(404);
      await third.http.get(`/api/v1/users/${bestaysAdmin.id}`).set(thirdAdmin.auth).expect(404);
      await realestate.http.get(`/api/v1/properties/${mine.body.id}`).expect(404);
      // A token of another product's Clerk instance is not accepted.
      await third.http.get('/api/v1/users/me').set(bestaysAdmin.auth).expect(401);

      const listed = await third.http.get('/api/v1/admin/properties').set(thirdAdmin.auth).expect(200);
      expect(listed.body.items.map((p: { id: string }) => p.id)).toEqual([mine.body.id]);
      // Raw SQL as its runtime role sees its own rows only.
      const products = await query<{ product: string }>(third.runtimeDatabaseUrl, 'select distinct product from properties union select distinct product from users');
      expect(products).toEqual([{ product: 'thirdone' }]);
      await expect(
        query(third.runtimeDatabaseUrl, `insert into audit_log (id, product, action, entity_type, entity_id, changes, created_at, updated_at) values ($1, 'bestays', 'create', 'X', 'x', '{}', now(), now())`, [randomUUID()]),
      ).rejects.toThrow(/row-level security/);
    });
  });
});
