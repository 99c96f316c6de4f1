import { Client } from 'pg';
import { createScratchDatabase, dropScratchDatabase } from './harness/db';
import { ProductApp, type TestUser } from './harness/product-app';

// A list's capped total is remembered while its table's change counter has not moved
// (src/common/change-counters.ts). Whoever writes, and however (the API on another replica, SQL,
// a transaction still open or rolled back, a bulk load with triggers off), the next list's total
// is the exact count, and never another product's.
describe('remembered list totals stay exact', () => {
  let scratch: { name: string; url: string };
  let replicas: [ProductApp, ProductApp];
  let other: ProductApp;
  let admin: TestUser;
  let otherAdmin: TestUser;

  const connect = async (): Promise<Client> => {
    const client = new Client({ connectionString: scratch.url });
    await client.connect();
    return client;
  };
  const sql = async (text: string, params: unknown[] = []): Promise<void> => {
    const client = await connect();
    try {
      await client.query(text, params);
    } finally {
      await client.end();
    }
  };
  const insertProperties = (product: string, createdBy: string, n: number, published = true) =>
    `insert into properties (id, product, title, description, price_minor, currency, bedrooms, bathrooms, address, published, created_by, created_at, updated_at)
     select gen_random_uuid(), '${product}', 'totals ' || g, '', 100, 'EUR', 1, 1, 'x', ${published}, '${createdBy}', now(), now()
     from generate_series(1, ${n}) g`;

  // `statements` in one transaction on a connection of their own; `whileOpen` runs before it ends.
  const inTransaction = async (statements: string[], end: 'commit' | 'rollback', whileOpen?: () => Promise<void>): Promise<void> => {
    const writer = await connect();
    try {
      await writer.query('begin');
      for (const statement of statements) {
        await writer.query(statement);
      }
      await whileOpen?.();
      await writer.query(end);
    } finally {
      await writer.end();
    }
  };

  // What the database says, as the test's superuser (it sees both products).
  const counted = async (product: string, publishedOnly: boolean): Promise<number> => {
    const client = await connect();
    try {
      const { rows } = await client.query<{ n: number }>(
        `select count(*)::int as n from properties where product = $1 ${publishedOnly ? 'and published' : ''}`,
        [product],
      );
      return rows[0].n;
    } finally {
      await client.end();
    }
  };
  const publicTotal = async (app: ProductApp): Promise<number> => (await app.http.get('/api/v1/properties?limit=1').expect(200)).body.total;
  // Each replica has its own test signing key: the same Clerk user, signed for the replica asked.
  const authOn = async (app: ProductApp, as: TestUser) => ({ Authorization: `Bearer ${await app.token({ sub: as.clerkUserId })}` });
  const adminTotal = async (app: ProductApp, as: TestUser): Promise<number> =>
    (await app.http.get('/api/v1/admin/properties?limit=1').set(await authOn(app, as)).expect(200)).body.total;

  // Each replica answers, twice (the second answer is the remembered one), with the exact count.
  const expectExact = async (): Promise<void> => {
    for (let round = 0; round < 2; round++) {
      for (const app of replicas) {
        expect(await publicTotal(app)).toBe(await counted('bestays', true));
        expect(await adminTotal(app, admin)).toBe(await counted('bestays', false));
      }
      expect(await publicTotal(other)).toBe(await counted('realestate', true));
    }
  };

  beforeAll(async () => {
    scratch = await createScratchDatabase('totals');
    replicas = [await ProductApp.start('bestays', {}, scratch.url), await ProductApp.start('bestays', {}, scratch.url)];
    other = await ProductApp.start('realestate', {}, scratch.url);
    admin = await replicas[0].user('admin');
    otherAdmin = await other.user('admin');
    await sql(insertProperties('bestays', admin.id, 30));
    await sql(insertProperties('realestate', otherAdmin.id, 12));
    await expectExact();
  });

  afterAll(async () => {
    await Promise.all([...(replicas ?? []), other].filter(Boolean).map((app) => app.close()));
    if (scratch) {
      await dropScratchDatabase(scratch.name);
    }
  });

  it('every tenant table has its change counter, advanced by a trigger that fires always', async () => {
    const client = await connect();
    try {
      const { rows } = await client.query<{ table: string }>(
        `select c.relname as table from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attname = 'product'
         where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and c.relname <> 'tenant_roles'
           and not (to_regclass('public.' || quote_ident(c.relname || '__changes')) is not null
                    and exists (select 1 from pg_trigger t where t.tgrelid = c.oid and t.tgname = c.relname || '_changes' and t.tgenabled = 'A'))`,
      );
      expect(rows).toEqual([]);
    } finally {
      await client.end();
    }
  });

  it('a property created through one replica counts at once on the other, not in the other product', async () => {
    const body = { title: 'Totals villa', priceMinor: 100, currency: 'EUR', bedrooms: 1, bathrooms: 1, address: 'x', published: true };
    await replicas[0].http.post('/api/v1/admin/properties').set(admin.auth).send(body).expect(201);
    await expectExact();
    const created = await replicas[1].http.post('/api/v1/admin/properties').set(await authOn(replicas[1], admin)).send({ ...body, published: false }).expect(201);
    await expectExact();
    await replicas[0].http.delete(`/api/v1/admin/properties/${created.body.id}`).set(admin.auth).expect(204);
    await expectExact();
  });

  it('rows inserted, unpublished and deleted by SQL count at once', async () => {
    await sql(insertProperties('bestays', admin.id, 7));
    await expectExact();
    await sql(`update properties set published = false where product = 'bestays' and id in (select id from properties where product = 'bestays' and published limit 3)`);
    await expectExact();
    await sql(`delete from properties where product = 'bestays' and id in (select id from properties where product = 'bestays' limit 2)`);
    await expectExact();
  });

  it("another product's writes never change this product's totals", async () => {
    const before = [await publicTotal(replicas[0]), await publicTotal(replicas[1])];
    await sql(insertProperties('realestate', otherAdmin.id, 9));
    expect([await publicTotal(replicas[0]), await publicTotal(replicas[1])]).toEqual(before);
    await expectExact();
  });

  it('a write in a transaction still open is not counted, and is counted once it commits', async () => {
    // The counter has moved, the rows are not visible yet: the total read meanwhile must not be kept.
    await inTransaction([insertProperties('bestays', admin.id, 5)], 'commit', expectExact);
    await expectExact();
  });

  it('a write that rolls back is never counted', async () => {
    const before = await publicTotal(replicas[0]);
    await inTransaction([insertProperties('bestays', admin.id, 4)], 'rollback', expectExact);
    await expectExact();
    expect(await publicTotal(replicas[0])).toBe(before);
  });

  it('a bulk load with session_replication_role = replica still moves the counter', async () => {
    await inTransaction(['set local session_replication_role = replica', insertProperties('bestays', admin.id, 6)], 'commit');
    await expectExact();
  });

  it('totals past the cap stay capped and inexact, and exact again below it', async () => {
    await sql(insertProperties('bestays', admin.id, 10_050));
    for (const app of replicas) {
      const page = (await app.http.get('/api/v1/properties?limit=1').expect(200)).body;
      expect(page).toMatchObject({ total: 10_000, totalExact: false });
    }
    await sql(`delete from properties where product = 'bestays' and title like 'totals %'`);
    await expectExact();
    const page = (await replicas[1].http.get('/api/v1/properties?limit=1').expect(200)).body;
    expect(page.totalExact).toBe(true);
  });
});
