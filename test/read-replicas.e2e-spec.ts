import { randomUUID } from 'node:crypto';
import { Client, type QueryResultRow } from 'pg';
import { clerkUserCreated, PRODUCTS, ProductApp, type ProductName, type TestUser } from './harness/product-app';
import { PgCluster, systemPostgresMissing } from './harness/pg-cluster';

// DATABASE_REPLICA_URLS against a real streaming replica (pg_basebackup -R) of a primary of the
// test's own: reads are served by the replica, writes go to the primary, a request that wrote reads
// its own writes from the primary, and row-level security holds on the replica as on the primary.
const missing = systemPostgresMissing();
if (missing) {
  console.warn(`[read-replicas] skipped: ${missing}`);
}
const describeWithPostgres = missing ? describe.skip : describe;

async function query<R extends QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`gave up waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeWithPostgres('read replicas (DATABASE_REPLICA_URLS)', () => {
  let cluster: PgCluster;
  const apps = {} as Record<ProductName, ProductApp>;
  const admins = {} as Record<ProductName, TestUser>;
  const DB = 'platform';

  const onReplica = <R extends QueryResultRow>(sql: string, params: unknown[] = []) => query<R>(cluster.url('replica', DB), sql, params);
  const onPrimary = <R extends QueryResultRow>(sql: string, params: unknown[] = []) => query<R>(cluster.url('primary', DB), sql, params);
  const pauseReplay = () => query(cluster.url('replica'), 'select pg_wal_replay_pause()');
  const resumeReplay = () => query(cluster.url('replica'), 'select pg_wal_replay_resume()');
  const caughtUp = async () => {
    const [{ lsn }] = await query<{ lsn: string }>(cluster.url('primary'), 'select pg_current_wal_lsn()::text as lsn');
    await eventually(
      async () => (await query<{ ok: boolean }>(cluster.url('replica'), 'select pg_last_wal_replay_lsn() >= $1::pg_lsn as ok', [lsn]))[0].ok,
      'the replica to catch up',
    );
  };

  beforeAll(async () => {
    cluster = await PgCluster.start();
    await query(cluster.url('primary'), `create database ${DB}`);
    // Replica URLs without a user name get the runtime role's credentials.
    const replicaUrl = `postgres://127.0.0.1:${cluster.replicaPort}/${DB}`;
    for (const product of PRODUCTS) {
      apps[product] = await ProductApp.start(product, { DATABASE_REPLICA_URLS: replicaUrl }, cluster.url('primary', DB));
    }
    await caughtUp();
    for (const product of PRODUCTS) {
      admins[product] = await apps[product].user('admin');
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(Object.values(apps).map((app) => app.close()));
    cluster?.stop();
  });

  afterEach(async () => {
    if (cluster) {
      await resumeReplay();
    }
  });

  it('the replica is a hot standby of the primary, and each app keeps a pool on both as its runtime role', async () => {
    expect(await onReplica('select pg_is_in_recovery() as standby')).toEqual([{ standby: true }]);
    expect(await onPrimary('select pg_is_in_recovery() as standby')).toEqual([{ standby: false }]);
    for (const product of PRODUCTS) {
      const role = new URL(apps[product].runtimeDatabaseUrl).username;
      const sessions = await onReplica<{ n: number }>('select count(*)::int as n from pg_stat_activity where usename = $1 and datname = $2', [role, DB]);
      expect(sessions[0].n).toBeGreaterThan(0);
    }
  });

  it('reads are served by the replica: with replay paused, a published property is on the primary but not yet listed', async () => {
    await caughtUp();
    await pauseReplay();
    const title = `Replica lag ${randomUUID()}`;
    const created = await apps.bestays.http
      .post('/api/v1/admin/properties')
      .set(admins.bestays.auth)
      .send({ title, priceMinor: 100_000, currency: 'EUR', bedrooms: 2, bathrooms: 1, address: '1 Lag Lane', published: true })
      .expect(201);
    // The write went to the primary (the replica is read-only and paused).
    expect(await onPrimary('select product, title from properties where id = $1', [created.body.id])).toEqual([{ product: 'bestays', title }]);
    expect(await onReplica('select 1 from properties where id = $1', [created.body.id])).toEqual([]);

    const listed = async () => {
      const response = await apps.bestays.http.get('/api/v1/properties?limit=100').expect(200);
      return (response.body.items as Array<{ id: string }>).some((item) => item.id === created.body.id);
    };
    expect(await listed()).toBe(false);
    await apps.bestays.http.get(`/api/v1/properties/${created.body.id}`).expect(404);

    await resumeReplay();
    await eventually(listed, 'the property to be listed after replay resumed');
    await apps.bestays.http.get(`/api/v1/properties/${created.body.id}`).expect(200);
  });

  it('a request that writes reads its own writes from the primary: first sign-in of a user the replica has not seen yet', async () => {
    await caughtUp();
    await pauseReplay();
    const app = apps.bestays;
    const clerkUserId = `user_${randomUUID().replace(/-/g, '')}`;
    await app.sendWebhook(clerkUserCreated(clerkUserId, { role: 'agent' })).expect(200);
    const [stored] = await onPrimary<{ id: string }>('select id from users where clerk_user_id = $1', [clerkUserId]);
    expect(await onReplica('select 1 from users where clerk_user_id = $1', [clerkUserId])).toEqual([]);

    // The replica misses the user, the just-in-time insert collides on the primary, and the retry
    // reads from the primary: the user the webhook created, with its role, not a second one.
    const token = await app.token({ sub: clerkUserId });
    const me = await app.http.get('/api/v1/users/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(me.body).toMatchObject({ id: stored.id, clerkUserId, role: 'agent' });
    expect(await onPrimary('select count(*)::int as n from users where clerk_user_id = $1', [clerkUserId])).toEqual([{ n: 1 }]);
  });

  it('row-level security holds on the replica: each runtime role sees only its product, the other product\'s rows are there', async () => {
    await caughtUp();
    const everything = await onReplica<{ product: string; n: number }>('select product, count(*)::int as n from users group by product order by product');
    expect(everything.map((row) => row.product)).toEqual(['bestays', 'realestate']);
    for (const product of PRODUCTS) {
      const runtime = new URL(apps[product].runtimeDatabaseUrl);
      runtime.port = String(cluster.replicaPort);
      const seen = await query<{ product: string; me: string }>(
        runtime.toString(),
        'select distinct product, app_current_product() as me from users',
      );
      expect(seen).toEqual([{ product, me: product }]);
      await expect(query(runtime.toString(), 'select set_config($1, $2, false), count(*) from users where product <> $3', ['app.product', 'x', product])).resolves.toEqual([
        { set_config: 'x', count: '0' },
      ]);
      // Through the app (served by the replica): the admin list holds this product's users only.
      const list = await apps[product].http.get('/api/v1/users?limit=100').set(admins[product].auth).expect(200);
      const ids = (list.body.items as Array<{ id: string }>).map((item) => item.id);
      expect(ids).toContain(admins[product].id);
      const other = product === 'bestays' ? 'realestate' : 'bestays';
      expect(ids).not.toContain(admins[other].id);
    }
  });
});
