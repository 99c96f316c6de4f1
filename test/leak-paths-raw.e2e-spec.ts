import { randomUUID } from 'node:crypto';
import { type QueryResult } from '@mikro-orm/core';
import { type EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { AuditLog } from '../src/audit/audit-log.entity';
import { findRows } from '../src/common/lean-read';
import { paginate } from '../src/common/pagination';
import { ormOptions } from '../src/database/orm-options';
import { TenantViolationError } from '../src/tenancy/tenant-entity';
import { User } from '../src/users/user.entity';
import { WebhookEvent } from '../src/webhooks/webhook-event.entity';
import { ownerQuery, testDatabaseName } from './harness/db';
import { useLeakSuite } from './harness/leak-suite';
import { runtimeRoleName } from '../src/tenancy/runtime-role';

// Runtime roles are named after their database: <database>_app_<product>.
const BESTAYS_ROLE = runtimeRoleName(testDatabaseName(), 'bestays');
const REALESTATE_ROLE = runtimeRoleName(testDatabaseName(), 'realestate');

// Every known way an ORM query can reach past the product filter, tried from bestays against
// realestate's rows. Each must be closed by the filter, the flush guard or RLS.
describe('raw SQL and QueryBuilder leak paths, from bestays against realestate rows', () => {
  const { apps, mine, theirs, inBestays, victim, expectVictimUntouched, expectOnlyBestays, newUserData } = useLeakSuite();

  describe('the QueryBuilder without applyFilters (RLS)', () => {
    it('select * sees only bestays rows', async () => {
      await inBestays(async (em) => {
        expectOnlyBestays(await em.createQueryBuilder(User).select('*').getResultList());
        expectOnlyBestays(await em.createQueryBuilder(User).select('*').execute('all', false));
        expect(await em.createQueryBuilder(User).select('*').where({ id: victim().id }).execute('all')).toEqual([]);
        expect(await em.createQueryBuilder(User).select('*').where({ product: 'realestate' }).getResultList()).toEqual([]);
        const [{ count }] = await em.createQueryBuilder(User).count().where({ product: 'realestate' }).execute('all', false);
        expect(Number(count)).toBe(0);
      });
    });

    it('update and delete of a realestate id affect 0 rows', async () => {
      await inBestays(async (em) => {
        const updated = await em.createQueryBuilder(User).update({ role: 'admin' }).where({ id: victim().id }).execute('run');
        expect(updated.affectedRows).toBe(0);
        const updatedAll = await em.createQueryBuilder(User).update({ email: 'x@example.test' }).where({ product: 'realestate' }).execute('run');
        expect(updatedAll.affectedRows).toBe(0);
        const deleted = await em.createQueryBuilder(User).delete().where({ id: victim().id }).execute('run');
        expect(deleted.affectedRows).toBe(0);
      });
      await expectVictimUntouched();
    });

    it('update cannot move a bestays row to realestate (RLS with check)', async () => {
      await inBestays(async (em) => {
        await expect(
          em.createQueryBuilder(User).update({ product: 'realestate' }).where({ id: mine[1].id }).execute('run'),
        ).rejects.toThrow(/row-level security/);
      });
      expect(await ownerQuery('select product from users where id = $1', [mine[1].id])).toEqual([{ product: 'bestays' }]);
    });

    it('insert of a row with product "realestate" is rejected by RLS', async () => {
      const data = newUserData({ product: 'realestate' });
      await inBestays(async (em) => {
        await expect(em.createQueryBuilder(User).insert(data).execute('run')).rejects.toThrow(/row-level security/);
      });
      expect(await ownerQuery('select 1 from users where id = $1', [data.id])).toHaveLength(0);
    });
  });

  describe('raw SQL on the runtime connection (RLS and the role)', () => {
    const sql = <T = Record<string, unknown>>(em: EntityManager, query: string, params: unknown[] = []) =>
      em.getConnection().execute<T[]>(query, params);

    it('select sees only bestays rows', async () => {
      await inBestays(async (em) => {
        expectOnlyBestays(await sql<{ id: string; product: string }>(em, 'select * from users'));
        expect(await sql(em, 'select * from users where id = ?', [victim().id])).toEqual([]);
        const [{ count }] = await sql<{ count: string }>(em, "select count(*) from users where product = 'realestate'");
        expect(Number(count)).toBe(0);
        const audit = await sql<{ product: string }>(em, 'select product from audit_log');
        expect(audit.length).toBeGreaterThan(0);
        expect(new Set(audit.map((r) => r.product))).toEqual(new Set(['bestays']));
        expect(await sql(em, "select * from webhook_events where product <> 'bestays'")).toEqual([]);
      });
    });

    it('update and delete of realestate rows affect 0 rows', async () => {
      await inBestays(async (em) => {
        const updated = await em.getConnection().execute<QueryResult>("update users set role = 'admin' where product = 'realestate'", [], 'run');
        expect(updated.affectedRows).toBe(0);
        const byId = await em.getConnection().execute<QueryResult>("update users set role = 'admin' where id = ?", [victim().id], 'run');
        expect(byId.affectedRows).toBe(0);
        const deleted = await em.getConnection().execute<QueryResult>("delete from users where product = 'realestate'", [], 'run');
        expect(deleted.affectedRows).toBe(0);
      });
      await expectVictimUntouched();
    });

    it('insert of a realestate row is an RLS error', async () => {
      const id = randomUUID();
      await inBestays(async (em) => {
        await expect(
          sql(
            em,
            `insert into users (id, product, clerk_user_id, role, created_at, updated_at) values (?, 'realestate', ?, 'admin', now(), now())`,
            [id, `user_${randomUUID().replace(/-/g, '')}`],
          ),
        ).rejects.toThrow(/row-level security/);
        await expect(
          sql(
            em,
            `insert into audit_log (id, product, action, entity_type, entity_id, changes, created_at, updated_at)
             values (?, 'realestate', 'create', 'User', ?, '{}', now(), now())`,
            [id, victim().id],
          ),
        ).rejects.toThrow(/row-level security/);
      });
      expect(await ownerQuery('select 1 from users where id = $1 union all select 1 from audit_log where id = $1', [id])).toHaveLength(0);
    });

    it.each(['set role postgres', `set role ${REALESTATE_ROLE}`, 'set session authorization postgres', `set session authorization ${REALESTATE_ROLE}`])(
      '%s is refused',
      async (statement) => {
        await inBestays(async (em) => {
          await expect(sql(em, statement)).rejects.toThrow(/permission denied|must be superuser|not permitted/i);
        });
      },
    );

    it('a session variable or reset role changes nothing: still only bestays rows', async () => {
      await inBestays(async (em) => {
        // One connection for the whole sequence, so the settings really apply to the selects.
        await em.transactional(async (tx) => {
          const run = <T>(query: string) => tx.getConnection().execute<T[]>(query, [], 'all', tx.getTransactionContext());
          await run("select set_config('app.product', 'realestate', false)");
          await run("select set_config('app.current_product', 'realestate', false)");
          expectOnlyBestays(await run<{ id: string; product: string }>('select * from users'));
          await run('reset role');
          await run('reset session authorization');
          expectOnlyBestays(await run<{ id: string; product: string }>('select * from users'));
          const [me] = await run<{ user: string; product: string }>('select current_user as "user", app_current_product() as product');
          expect(me).toEqual({ user: BESTAYS_ROLE, product: 'bestays' });
        });
      });
    });

    it('row_security = off is an error for the runtime role, not a bypass', async () => {
      let failure: unknown;
      await inBestays(async (em) => {
        await em.transactional(async (tx) => {
          const run = <T>(query: string) => tx.getConnection().execute<T[]>(query, [], 'all', tx.getTransactionContext());
          await run('set local row_security = off');
          failure = await run('select * from users').then(
            () => undefined,
            (error: unknown) => error,
          );
        }).catch(() => undefined); // the transaction is aborted by the error above
      });
      expect(String(failure)).toMatch(/row-level security/);
    });

    it('the runtime role cannot rebind itself in tenant_roles or replace app_current_product()', async () => {
      await inBestays(async (em) => {
        await expect(sql(em, "update tenant_roles set product = 'realestate' where role_name = current_user")).rejects.toThrow(
          /permission denied/,
        );
        await expect(sql(em, "insert into tenant_roles (role_name, product) values ('x', 'realestate')")).rejects.toThrow(/permission denied/);
        await expect(
          sql(em, `create or replace function app_current_product() returns varchar language sql as $$ select 'realestate'::varchar $$`),
        ).rejects.toThrow(/permission denied|must be owner/);
        await expect(sql(em, 'alter table users disable row level security')).rejects.toThrow(/must be owner/);
        await expect(sql(em, 'drop policy users_product_isolation on users')).rejects.toThrow(/must be owner/);
      });
    });

    it('the runtime role is <database>_app_bestays: no superuser, no BYPASSRLS, owns no tables', async () => {
      await inBestays(async (em) => {
        const [role] = await sql<{ current_user: string; rolsuper: boolean; rolbypassrls: boolean }>(
          em,
          'select current_user, rolsuper, rolbypassrls from pg_roles where rolname = current_user',
        );
        expect(role).toEqual({ current_user: BESTAYS_ROLE, rolsuper: false, rolbypassrls: false });
        const owned = await sql(
          em,
          `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and pg_get_userbyid(c.relowner) = current_user`,
        );
        expect(owned).toEqual([]);
        const memberOf = await sql(em, 'select 1 from pg_auth_members m join pg_roles r on r.oid = m.member where r.rolname = current_user');
        expect(memberOf).toEqual([]);
      });
    });

    it('audit_log is append-only for the runtime role', async () => {
      await inBestays(async (em) => {
        await expect(sql(em, "update audit_log set action = 'delete'")).rejects.toThrow(/permission denied/);
        await expect(sql(em, 'delete from audit_log')).rejects.toThrow(/permission denied/);
        await expect(sql(em, 'truncate audit_log')).rejects.toThrow(/permission denied/);
        const [{ count }] = await sql<{ count: string }>(em, 'select count(*) from audit_log');
        expect(Number(count)).toBeGreaterThan(0);
      });
      await inBestays(async (em) => {
        const entry = (await em.find(AuditLog, {}, { limit: 1 }))[0];
        // Always a real change (an entry that already says 'delete' would flush nothing).
        entry.action = entry.action === 'delete' ? 'create' : 'delete';
        await expect(em.flush()).rejects.toThrow(/permission denied/);
      });
    });
  });

  // Defence in depth: the same ORM configuration on the owner connection (a superuser, so RLS is
  // not in play) must still keep to bestays rows. This proves the filter and the guard on their own.
  describe('the ORM layer alone, with RLS out of play (owner connection)', () => {
    let ownerOrm: MikroORM;

    beforeAll(async () => {
      ownerOrm = await MikroORM.init({
        ...ormOptions(process.env.TEST_DATABASE_URL as string),
        entities: [User, AuditLog, WebhookEvent],
        pool: { min: 0, max: 2 },
      });
    });
    afterAll(async () => {
      await ownerOrm?.close(true);
    });

    const inBestaysAsOwner = <T>(work: (em: EntityManager) => Promise<T>): Promise<T> =>
      apps.bestays.inTenant(() => work(ownerOrm.em.fork()));

    it('raw SQL on it sees both products (the control)', async () => {
      await inBestaysAsOwner(async (em) => {
        const rows = await em.getConnection().execute<Array<{ product: string }>>('select distinct product from users order by product');
        expect(rows.map((r) => r.product)).toEqual(['bestays', 'realestate']);
      });
    });

    it.each([undefined, false, { tenant: false }] as const)('find/findOne/count with filters %p see only bestays rows', async (filters) => {
      await inBestaysAsOwner(async (em) => {
        const options = filters === undefined ? {} : { filters };
        expectOnlyBestays(await em.find(User, {}, options));
        expect(await em.findOne(User, { id: victim().id }, options)).toBeNull();
        expect(await em.count(User, { product: 'realestate' }, options)).toBe(0);
        const audit = await em.find(AuditLog, {}, options);
        expect(audit.every((row) => row.product === 'bestays')).toBe(true);
      });
    });

    it.each(['upsert', 'upsertMany'] as const)(
      '%s of a realestate id throws TenantViolationError and never hands out the realestate row',
      async (method) => {
        await inBestaysAsOwner(async (em) => {
          const data = { ...newUserData(), id: victim().id, clerkUserId: 'user_forged', role: 'admin' as const };
          const call = method === 'upsert' ? em.upsert(User, data) : em.upsertMany(User, [data]);
          await expect(call).rejects.toBeInstanceOf(TenantViolationError);
          expect(em.getUnitOfWork().getById(User.name, victim().id)).toBeUndefined();
          expect(await em.findOne(User, victim().id)).toBeNull();
        });
        await expectVictimUntouched();
      },
    );

    it('upsert of a new bestays row still works (the control)', async () => {
      const data = newUserData();
      const user = await inBestaysAsOwner((em) => em.upsert(User, data));
      expect(user).toMatchObject({ id: data.id, product: 'bestays' });
      expect(await ownerQuery('select product from users where id = $1', [data.id])).toEqual([{ product: 'bestays' }]);
    });

    // The lean read path builds each query shape's SQL once and reruns it with new values, straight on
    // a pooled connection: the product must be part of what is cached, and the filter must be in the SQL.
    it.each<Record<string, boolean> | undefined>([undefined, { tenant: false }, { notDeleted: false }])(
      'findRows (SQL built once per shape) with filters %p sees only the current product, whichever product built the shape first',
      async (filters) => {
        const options = { orderBy: { id: 'asc' as const }, limit: 50, ...(filters ? { filters } : {}) };
        const everyone = (em: EntityManager) => findRows<{ id: string; product: string }>(em, User, {}, options);
        const byId = (em: EntityManager, id: string) => findRows<{ id: string; product: string }>(em, User, { id }, { ...options, limit: 1 });
        // Built in realestate's context first, then run in bestays' on the same ORM (one shape cache).
        const theirRows = await apps.realestate.inTenant(() => everyone(ownerOrm.em.fork()));
        expect(theirRows.length).toBeGreaterThan(0);
        expect(theirRows.every((row) => row.product === 'realestate')).toBe(true);
        expect(await apps.realestate.inTenant(() => byId(ownerOrm.em.fork(), victim().id))).toHaveLength(1);
        await inBestaysAsOwner(async (em) => {
          expectOnlyBestays((await everyone(em)));
          expect(await byId(em, victim().id)).toEqual([]);
          expect(await byId(em, mine[0].id)).toHaveLength(1);
        });
      },
    );

    it('paginate (rows and the capped total, both built once per shape) counts and lists only the current product', async () => {
      const bestaysUsers = await ownerQuery<{ n: number }>("select count(*)::int as n from users where product = 'bestays' and deleted_at is null");
      const realestateUsers = await ownerQuery<{ n: number }>("select count(*)::int as n from users where product = 'realestate' and deleted_at is null");
      for (let round = 0; round < 2; round++) {
        const theirPage = await apps.realestate.inTenant(() =>
          paginate<User, User>(ownerOrm.em.fork(), User, {}, { limit: 100 }, { orderBy: { createdAt: 'desc', id: 'asc' }, rows: true }),
        );
        expect(theirPage.total).toBe(realestateUsers[0].n);
        await inBestaysAsOwner(async (em) => {
          const page = await paginate<User, User>(em, User, {}, { limit: 100 }, { orderBy: { createdAt: 'desc', id: 'asc' }, rows: true });
          expect(page.total).toBe(bestaysUsers[0].n);
          expectOnlyBestays(page.items);
        });
      }
    });

    it('nativeUpdate/nativeDelete of a realestate id affect 0 rows; guarded writes throw', async () => {
      await inBestaysAsOwner(async (em) => {
        expect(await em.nativeUpdate(User, { id: victim().id }, { role: 'admin' }, { filters: false })).toBe(0);
        expect(await em.nativeDelete(User, { id: victim().id }, { filters: { tenant: false } })).toBe(0);
        await expect(em.insert(User, newUserData({ product: 'realestate' }))).rejects.toBeInstanceOf(TenantViolationError);
        await expect(em.nativeUpdate(User, { id: mine[1].id }, { product: 'realestate' })).rejects.toBeInstanceOf(TenantViolationError);
        em.getReference(User, victim().id).role = 'admin';
        await expect(em.flush()).rejects.toBeInstanceOf(TenantViolationError);
      });
      await expectVictimUntouched();
    });
  });

  it('after all of the above, realestate rows are still there and unchanged', async () => {
    await expectVictimUntouched();
    const rows = await ownerQuery<{ id: string; product: string }>("select id, product from users where product = 'realestate'");
    for (const user of theirs) {
      expect(rows.map((r) => r.id)).toContain(user.id);
    }
  });
});
