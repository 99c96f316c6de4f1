import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { FaqAnalyticsQueue } from '../src/faq/faq-analytics.queue';
import { seedFaq } from '../src/faq/faq.seed';
import { RetentionService } from '../src/products/retention.service';
import { createScratchDatabase, dropScratchDatabase, type ScratchDatabase } from './harness/db';
import { productsCli } from './harness/operator-cli';
import { ProductApp, type TestUser } from './harness/product-app';
import { loadSeedData } from '../src/seed/seed-data';

async function q<R extends object = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const TABLES_SQL = `select c.relname as t from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attname = 'product'
  where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and c.relname <> 'tenant_roles' order by 1`;

/** Every row of every table, as text, that contains `needle` (the owner sees all products). */
async function rowsContaining(url: string, needle: string): Promise<string[]> {
  const tables = (await q<{ t: string }>(url, `select tablename as t from pg_tables where schemaname = 'public'`)).map((r) => r.t);
  const found: string[] = [];
  for (const table of tables) {
    const rows = await q<{ row: string }>(url, `select row_to_json(x)::text as row from "${table}" x where row_to_json(x)::text ilike $1`, [`%${needle}%`]);
    found.push(...rows.map((r) => `${table}: ${r.row}`));
  }
  return found;
}

// The database is owned by a plain role (LOGIN CREATEROLE; no superuser, no BYPASSRLS), as in
// production: the apps migrate through it and the operator CLI runs as it. `scratch.url` is the test
// server's superuser, used only to check what is really stored.
describe('data lifecycle: export, erasure, retention, purge, profiles', () => {
  let scratch: ScratchDatabase;
  const apps: ProductApp[] = [];
  let bestays: ProductApp;
  let realestate: ProductApp;
  let people: { bestays: TestUser[]; realestate: TestUser[] };
  const cli = (args: string[]) => productsCli(args, { databaseUrl: scratch.ownerUrl });
  const start = async (product: 'bestays' | 'realestate', env: NodeJS.ProcessEnv = {}) => {
    const app = await ProductApp.start(product, { DATABASE_URL: scratch.ownerUrl, ...env });
    apps.push(app);
    return app;
  };
  const activity = async (app: ProductApp, user: TestUser) => {
    await app.http.get('/api/v1/faq/search?q=cancel my booking').expect(200);
    await app.http.post('/api/v1/llm/chat').set(user.auth).send({ message: 'How do I cancel?' }).expect(200);
  };

  beforeAll(async () => {
    scratch = await createScratchDatabase('lifecycle', { plainOwner: true });
    bestays = await start('bestays');
    realestate = await start('realestate');
    for (const app of [bestays, realestate]) {
      await app.inTenant(() => seedFaq(app.app, loadSeedData(app.product).faq));
    }
    people = { bestays: [await bestays.user('admin'), await bestays.user()], realestate: [await realestate.user('admin'), await realestate.user()] };
    for (const app of [bestays, realestate]) {
      for (const user of people[app.product]) {
        await activity(app, user);
      }
      // Search events are written in batches (every 250 ms): all of them are in before any export.
      await app.app.get(FaqAnalyticsQueue).flush();
    }
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close().catch(() => undefined)));
    await dropScratchDatabase(scratch.name);
  });

  it('exports one NDJSON file per tenant table with a manifest; counts match; no other product id appears', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'export-')), 'bestays');
    try {
      const result = await cli(['export', 'bestays', '--out', out]);
      expect(result.code).toBe(0);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
        product: string;
        files: Array<{ table: string; file: string; rows: number; sha256: string }>;
      };
      expect(manifest.product).toBe('bestays');
      const tables = (await q<{ t: string }>(scratch.url, TABLES_SQL)).map((r) => r.t);
      expect(manifest.files.map((f) => f.table).sort()).toEqual(tables);

      const otherIds = new Set<string>();
      for (const table of tables) {
        for (const row of await q<{ id: string }>(scratch.url, `select id::text from "${table}" where product <> 'bestays'`)) {
          otherIds.add(row.id);
        }
      }
      expect(otherIds.size).toBeGreaterThan(10);

      let total = 0;
      for (const file of manifest.files) {
        const content = readFileSync(join(out, file.file));
        expect(createHash('sha256').update(content).digest('hex')).toBe(file.sha256);
        const lines = content.toString('utf8').split('\n').filter(Boolean);
        const [{ n }] = await q<{ n: number }>(scratch.url, `select count(*)::int as n from "${file.table}" where product = 'bestays'`);
        expect([file.table, lines.length, file.rows]).toEqual([file.table, n, n]);
        for (const line of lines) {
          expect((JSON.parse(line) as { product: string }).product).toBe('bestays');
        }
        for (const id of otherIds) {
          expect(content.includes(id)).toBe(false);
        }
        total += n;
      }
      expect(total).toBeGreaterThan(20);
      // An existing export is never overwritten.
      const again = await cli(['export', 'bestays', '--out', out]);
      expect(again.code).not.toBe(0);
    } finally {
      rmSync(join(out, '..'), { recursive: true, force: true });
    }
  });

  it('erases a deleted user (Clerk user.deleted) from every table in the same transaction; ids stay', async () => {
    const email = `erase-me-${randomUUID().slice(0, 8)}@bestays.test`;
    const victim = await bestays.user('user', { email, firstName: 'Zebulonius' });
    await activity(bestays, victim);
    await bestays.http.patch('/api/v1/users/me/settings').set(victim.auth).send({ preferredLanguage: 'fr' }).expect(200);
    expect((await rowsContaining(scratch.url, email)).length).toBeGreaterThan(2);
    const auditBefore = await q<{ n: number }>(scratch.url, `select count(*)::int as n from audit_log where entity_id = $1`, [victim.id]);

    await bestays.sendWebhook({ type: 'user.deleted', object: 'event', data: { id: victim.clerkUserId, deleted: true, object: 'user' } }).expect(200);

    expect(await rowsContaining(scratch.url, email)).toEqual([]);
    expect(await rowsContaining(scratch.url, 'Zebulonius')).toEqual([]);
    expect(await q(scratch.url, `select id from conversations where user_id = $1`, [victim.id])).toEqual([]);
    expect(await q(scratch.url, `select id from user_settings where user_id = $1`, [victim.id])).toEqual([]);
    // The trail stays, by id.
    const auditAfter = await q<{ n: number }>(scratch.url, `select count(*)::int as n from audit_log where entity_id = $1`, [victim.id]);
    expect(auditAfter[0].n).toBeGreaterThan(auditBefore[0].n);
    expect(await q(scratch.url, `select id from users where id = $1 and deleted_at is not null`, [victim.id])).toHaveLength(1);
    await bestays.http.get('/api/v1/users/me').set(victim.auth).expect(401);
    // Everyone else is intact.
    for (const user of [...people.bestays, ...people.realestate]) {
      expect(await q(scratch.url, `select id from conversations where user_id = $1`, [user.id])).not.toEqual([]);
    }
  });

  describe('retention', () => {
    const counts = async (product: string) =>
      (
        await q<{ queries: number; payloads: number; conversations: number; rollups: number; deliveries: number }>(
          scratch.url,
          `select
            (select count(*)::int from faq_analytics where product = $1 and kind = 'search' and query is not null) as queries,
            (select count(*)::int from faq_search_rollups where product = $1) as rollups,
            (select count(*)::int from webhook_events where product = $1 and payload <> '{"expired": true}'::jsonb) as payloads,
            (select count(*)::int from webhook_events where product = $1) as deliveries,
            (select count(*)::int from conversations where product = $1) as conversations`,
          [product],
        )
      )[0];
    const day = 24 * 60 * 60 * 1000;
    type Report = { topSearches: unknown[]; noResultSearches: unknown[]; lowScoreSearches: unknown[] };
    const searchReports = async (app: ProductApp, admin: TestUser) => {
      const { topSearches, noResultSearches, lowScoreSearches } = (await app.http.get('/api/v1/admin/faq-analytics').set(admin.auth).expect(200)).body as Report;
      return { topSearches, noResultSearches, lowScoreSearches };
    };
    // Raw search events at fixed past times (the superuser writes them with their product).
    const searchedAt = async (product: string, query: string, at: Date, hitCount: number, bestScore: number | null, times = 1) =>
      q(
        scratch.url,
        `insert into faq_analytics (id, product, kind, query, hit_count, best_score, created_at, updated_at)
         select gen_random_uuid(), $1, 'search', $2, $3, $4, $5::timestamptz, $5::timestamptz from generate_series(1, $6)`,
        [product, query, hitCount, bestScore, at, times],
      );
    const rawSearches = (product: string) =>
      q<{ row: string }>(scratch.url, `select row_to_json(a)::text as row from faq_analytics a where product = $1 and kind = 'search' order by id`, [product]);

    it('folds expired search events into per-query aggregates: the reports do not change, the raw texts go, twice is once', async () => {
      const retention = bestays.app.get(RetentionService);
      const admin = people.bestays[0];
      // Day 0 is a UTC midnight 200 days ago; `at(d, h)` is hour h of day d.
      const day0 = Math.floor((Date.now() - 200 * day) / day) * day;
      const at = (d: number, h: number) => new Date(day0 + d * day + h * 3_600_000);
      const dayText = (d: number) => at(d, 0).toISOString().slice(0, 10);
      for (const product of ['bestays', 'realestate']) {
        await searchedAt(product, 'old booking question', at(0, 8), 2, 0.8, 3);
        await searchedAt(product, 'old booking question', at(0, 20), 0, null);
        await searchedAt(product, 'old refund rules', at(0, 9), 1, 0.2, 2);
        await searchedAt(product, 'old refund rules', at(0, 9.5), 3, 0.25);
        await searchedAt(product, 'old nothing found', at(1, 10), 0, null, 2);
        await searchedAt(product, 'old booking question', at(3, 10), 5, 0.9);
      }
      const before = await searchReports(bestays, admin);
      // Every kind of row is in the reports: counts, averages, no-result and low-score searches.
      expect(before.topSearches).toEqual(
        expect.arrayContaining([
          { query: 'old booking question', count: 5, averageHits: 2.2 },
          { query: 'old refund rules', count: 3, averageHits: 1.67 },
          { query: 'old nothing found', count: 2, averageHits: 0 },
        ]),
      );
      expect(before.noResultSearches).toEqual(expect.arrayContaining([{ query: 'old booking question', count: 1 }, { query: 'old nothing found', count: 2 }]));
      expect(before.lowScoreSearches).toEqual(expect.arrayContaining([{ query: 'old refund rules', count: 3, bestScore: 0.25 }]));
      const otherRaw = await rawSearches('realestate');
      const otherReports = await searchReports(realestate, people.realestate[0]);

      // 90 days after noon of day 0: the morning's events are folded, the evening's stay raw.
      const firstCutoff = at(0, 12);
      expect(await retention.run(new Date(firstCutoff.getTime() + 90 * day))).toMatchObject({ ran: true, searchQueriesCleared: 6 });
      expect(await searchReports(bestays, admin)).toEqual(before);
      // The same day again, later: the evening's event is added to that day's aggregates (one row per query, day, outcome, score).
      const cutoff = at(2, 0);
      expect(await retention.run(new Date(cutoff.getTime() + 90 * day))).toMatchObject({ ran: true, searchQueriesCleared: 3 });
      expect(await searchReports(bestays, admin)).toEqual(before);
      const rollups = await q(
        scratch.url,
        `select query, day::text, found, best_score as "bestScore", searches, no_result_searches as "noResult", hits_sum::int as hits
         from faq_search_rollups where product = 'bestays' order by query, day, found, best_score`,
      );
      expect(rollups).toEqual([
        { query: 'old booking question', day: dayText(0), found: false, bestScore: null, searches: 1, noResult: 1, hits: 0 },
        { query: 'old booking question', day: dayText(0), found: true, bestScore: 0.8, searches: 3, noResult: 0, hits: 6 },
        { query: 'old nothing found', day: dayText(1), found: false, bestScore: null, searches: 2, noResult: 2, hits: 0 },
        { query: 'old refund rules', day: dayText(0), found: true, bestScore: 0.2, searches: 2, noResult: 0, hits: 2 },
        { query: 'old refund rules', day: dayText(0), found: true, bestScore: 0.25, searches: 1, noResult: 0, hits: 3 },
      ]);

      // Running again folds nothing and counts nothing twice.
      expect(await retention.run(new Date(cutoff.getTime() + 90 * day))).toMatchObject({ ran: true, searchQueriesCleared: 0 });
      expect(await searchReports(bestays, admin)).toEqual(before);
      expect(await q(scratch.url, `select count(*)::int as n from faq_search_rollups where product = 'bestays'`)).toEqual([{ n: rollups.length }]);

      // No raw search older than the cutoff is left; the texts live on only as aggregates.
      expect(await q(scratch.url, `select id from faq_analytics where product = 'bestays' and kind = 'search' and created_at < $1`, [cutoff])).toEqual([]);
      for (const text of ['old refund rules', 'old nothing found']) {
        const found = (await rowsContaining(scratch.url, text)).filter((row) => row.includes('"product":"bestays"'));
        expect(found.every((row) => row.startsWith('faq_search_rollups: '))).toBe(true);
      }
      // The event after the cutoff is still raw, until the real clock's run folds it (and nothing recent).
      expect(await q(scratch.url, `select hit_count from faq_analytics where product = 'bestays' and query = 'old booking question'`)).toEqual([{ hit_count: 5 }]);
      expect(await retention.run()).toMatchObject({ ran: true, searchQueriesCleared: 1 });
      expect(await searchReports(bestays, admin)).toEqual(before);

      // The other product: every raw event as it was, no aggregates, the same reports.
      expect(await rawSearches('realestate')).toEqual(otherRaw);
      expect((await counts('realestate')).rollups).toBe(0);
      expect(await searchReports(realestate, people.realestate[0])).toEqual(otherReports);
    });

    it('removes each kind of data after its own period (fixed clock), for its product only', async () => {
      const retention = bestays.app.get(RetentionService);
      const admin = people.bestays[0];
      const before = await counts('bestays');
      const other = await counts('realestate');
      const reports = await searchReports(bestays, admin);
      expect(before.queries).toBeGreaterThan(0);

      // 10 days on: nothing is old enough.
      expect(await retention.run(new Date(Date.now() + 10 * day))).toMatchObject({ ran: true, searchQueriesCleared: 0, webhookPayloadsCleared: 0, conversationsDeleted: 0 });
      expect(await counts('bestays')).toEqual(before);

      // 31 days on: webhook payloads go, the delivery ids stay (a retried delivery is still a duplicate).
      await retention.run(new Date(Date.now() + 31 * day));
      let now = await counts('bestays');
      expect(now).toMatchObject({ payloads: 0, deliveries: before.deliveries, queries: before.queries, conversations: before.conversations });

      // 91 days on: raw search queries go; their aggregates stay, so the reports read the same.
      await retention.run(new Date(Date.now() + 91 * day));
      now = await counts('bestays');
      expect(now).toMatchObject({ queries: 0, conversations: before.conversations });
      expect(now.rollups).toBeGreaterThan(before.rollups);
      expect(await searchReports(bestays, admin)).toEqual(reports);

      // 366 days on: conversations go, with their messages.
      await retention.run(new Date(Date.now() + 366 * day));
      expect((await counts('bestays')).conversations).toBe(0);
      expect(await q(scratch.url, `select id from chat_messages where product = 'bestays'`)).toEqual([]);

      // The other product was not touched.
      expect(await counts('realestate')).toEqual(other);
    });

    it('runs on one replica at a time (advisory lock)', async () => {
      const holder = new Client({ connectionString: bestays.runtimeDatabaseUrl });
      await holder.connect();
      try {
        await holder.query('begin');
        await holder.query(`select pg_advisory_xact_lock(7301964, hashtext('bestays'))`);
        expect((await bestays.app.get(RetentionService).run()).ran).toBe(false);
        // The other product's job has its own lock.
        expect((await realestate.app.get(RetentionService).run()).ran).toBe(true);
      } finally {
        await holder.query('rollback');
        await holder.end();
      }
    });
  });

  describe('just-in-time profiles', () => {
    let clerk: Server;
    let calls: Array<{ url?: string; authorization?: string }>;
    let fail = false;

    beforeAll(async () => {
      calls = [];
      clerk = createServer((request, response) => {
        calls.push({ url: request.url, authorization: request.headers.authorization });
        const id = decodeURIComponent(request.url?.split('/').pop() ?? '');
        if (fail) {
          response.writeHead(500).end('{}');
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({ id, primary_email_address_id: 'e2', email_addresses: [{ id: 'e1', email_address: 'old@x.test' }, { id: 'e2', email_address: `${id}@from-api.test` }], first_name: 'Api', last_name: 'Person' }),
        );
      });
      await new Promise<void>((resolve) => clerk.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      clerk.closeAllConnections();
      await new Promise((resolve) => clerk.close(resolve));
    });

    it('takes the profile from the token claims, else once from the Clerk Backend API; sign-in never fails for it', async () => {
      const app = await start('realestate', { CLERK_SECRET_KEY: 'sk_test_fake', CLERK_API_URL: `http://127.0.0.1:${(clerk.address() as AddressInfo).port}` });
      const me = async (claims: Record<string, unknown>) => {
        const token = await app.token({ sub: `user_${randomUUID().replace(/-/g, '')}`, ...claims });
        return (await app.http.get('/api/v1/users/me').set('Authorization', `Bearer ${token}`).expect(200)).body as Record<string, unknown>;
      };

      const fromClaims = await me({ email: 'claims@x.test', first_name: 'Claire', last_name: 'Ims' });
      expect(fromClaims).toMatchObject({ email: 'claims@x.test', firstName: 'Claire', lastName: 'Ims' });
      expect(calls).toHaveLength(0);

      const sub = `user_${randomUUID().replace(/-/g, '')}`;
      const token = await app.token({ sub });
      const fetched = (await app.http.get('/api/v1/users/me').set('Authorization', `Bearer ${token}`).expect(200)).body;
      expect(fetched).toMatchObject({ email: `${sub}@from-api.test`, firstName: 'Api', lastName: 'Person' });
      expect(calls).toEqual([{ url: `/v1/users/${sub}`, authorization: 'Bearer sk_test_fake' }]);
      await app.http.get('/api/v1/users/me').set('Authorization', `Bearer ${token}`).expect(200);
      expect(calls).toHaveLength(1);

      fail = true;
      const unlucky = await me({});
      expect(unlucky).toMatchObject({ email: null, firstName: null, lastName: null, role: 'user' });
    });
  });

  it('purges one product only: every row of it, children first; the other product is intact', async () => {
    const tables = (await q<{ t: string }>(scratch.url, TABLES_SQL)).map((r) => r.t);
    const snapshot = async (product: string) => {
      const result: Record<string, number> = {};
      for (const table of tables) {
        result[table] = (await q<{ n: number }>(scratch.url, `select count(*)::int as n from "${table}" where product = $1`, [product]))[0].n;
      }
      return result;
    };
    const realestateBefore = await snapshot('realestate');
    const bestaysBefore = await snapshot('bestays');
    // A table the owner could not purge through RLS would keep its rows silently: the purge refuses instead.
    const ownerRole = new URL(scratch.ownerUrl).username;
    await q(scratch.url, `drop policy "faq_synonyms_operator_purge" on faq_synonyms`);
    const refused = await cli(['purge', 'bestays', '--confirm', 'bestays']);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringMatching(/^products: purge: faq_synonyms lack\(s\) the operator purge policies[^\n]*\n$/) });
    expect(await snapshot('bestays')).toEqual(bestaysBefore);
    await q(scratch.url, `create policy "faq_synonyms_operator_purge" on faq_synonyms for delete to "${ownerRole}" using (product = app_purge_product())`);

    // The owner is a plain role (no superuser, no BYPASSRLS).
    expect(await q(scratch.url, `select rolsuper, rolbypassrls from pg_roles where rolname = $1`, [ownerRole])).toEqual([{ rolsuper: false, rolbypassrls: false }]);
    const result = await cli(['purge', 'bestays', '--confirm', 'bestays']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const after = await snapshot('bestays');
    // Only the purge's own audit entry is left, written as the operator's.
    expect(after).toEqual({ ...Object.fromEntries(tables.map((t) => [t, 0])), audit_log: 1 });
    expect(await q(scratch.url, `select action, entity_type as "entityType", actor_id as "actorId", changes from audit_log where product = 'bestays'`)).toEqual([
      { action: 'delete', entityType: 'Product', actorId: null, changes: { purgedRows: Object.values(bestaysBefore).reduce((a, b) => a + b, 0), actor: 'operator' } },
    ]);
    expect(await snapshot('realestate')).toEqual(realestateBefore);
    await realestate.http.get(`/api/v1/users/${people.realestate[1].id}`).set(people.realestate[0].auth).expect(200);
  });
});
