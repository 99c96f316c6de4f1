import { randomUUID } from 'node:crypto';
import { wrap } from '@mikro-orm/core';
import { AuditLog } from '../src/audit/audit-log.entity';
import { TenantViolationError } from '../src/tenancy/tenant-entity';
import { User } from '../src/users/user.entity';
import { ownerQuery } from './harness/db';
import { useLeakSuite } from './harness/leak-suite';

// Every known way an ORM query can reach past the product filter, tried from bestays against
// realestate's rows. Each must be closed by the filter, the flush guard or RLS.
describe('ORM leak paths, from bestays against realestate rows', () => {
  const { mine, theirs, inBestays, victim, expectVictimUntouched, expectOnlyBestays, newUserData } = useLeakSuite();

  it('the owner connection sees rows of both products (so every "not found" below is real)', async () => {
    const rows = await ownerQuery<{ product: string; count: string }>('select product, count(*) from users group by product order by product');
    expect(rows.map((r) => r.product)).toEqual(['bestays', 'realestate']);
    for (const row of rows) {
      expect(Number(row.count)).toBeGreaterThanOrEqual(2);
    }
    const audit = await ownerQuery<{ product: string }>('select distinct product from audit_log order by product');
    expect(audit.map((r) => r.product)).toEqual(['bestays', 'realestate']);
    await expectVictimUntouched();
  });

  describe('reads through the EntityManager (the tenant filter)', () => {
    it.each([
      ['default filters', undefined],
      ['filters: false', false],
      ['filters: { tenant: false }', { tenant: false }],
      ['filters: { tenant: false, notDeleted: false }', { tenant: false, notDeleted: false }],
    ] as const)('find, findOne, count and findAndCount see only bestays rows with %s', async (_name, filters) => {
      await inBestays(async (em) => {
        const options = filters === undefined ? {} : { filters };
        expectOnlyBestays(await em.find(User, {}, options));
        expect(await em.findOne(User, { id: victim().id }, options)).toBeNull();
        expect(await em.findOne(User, victim().id, options)).toBeNull();
        expect(await em.find(User, { id: { $in: theirs.map((u) => u.id) } }, options)).toEqual([]);
        expect(await em.find(User, { clerkUserId: victim().clerkUserId }, options)).toEqual([]);
        expect(await em.find(User, { product: 'realestate' }, options)).toEqual([]);
        expect(await em.find(User, { $or: [{ product: 'realestate' }, { id: victim().id }] }, options)).toEqual([]);
        expect(await em.count(User, { id: victim().id }, options)).toBe(0);
        expect(await em.count(User, { product: 'realestate' }, options)).toBe(0);
        const [items, total] = await em.findAndCount(User, {}, options);
        expectOnlyBestays(items);
        expect(total).toBe(items.length);
        await expect(em.findOneOrFail(User, { id: victim().id }, options)).rejects.toThrow();
      });
    });

    it('other tenant entities are filtered too (audit_log)', async () => {
      await inBestays(async (em) => {
        for (const filters of [undefined, false, { tenant: false }] as const) {
          const rows = await em.find(AuditLog, {}, filters === undefined ? {} : { filters });
          expect(rows.length).toBeGreaterThan(0);
          expect(rows.every((row) => row.product === 'bestays')).toBe(true);
          expect(await em.count(AuditLog, { entityId: victim().id }, filters === undefined ? {} : { filters })).toBe(0);
        }
      });
    });

    it('findOne by id served from the identity map after a filters: false load still sees only bestays rows', async () => {
      await inBestays(async (em) => {
        const all = await em.find(User, {}, { filters: false });
        expectOnlyBestays(all);
        expect(em.getUnitOfWork().getById(User.name, victim().id)).toBeUndefined();
        expect(await em.findOne(User, victim().id)).toBeNull();
        expect(await em.findOne(User, { id: victim().id }, { filters: false })).toBeNull();
        // Own rows do come from the identity map (the control).
        const own = await em.findOne(User, mine[1].id);
        expect(own).toBe(all.find((u) => u.id === mine[1].id));
      });
    });

    it('a reference to a realestate row in the identity map is never initialized with its data', async () => {
      await inBestays(async (em) => {
        const ref = em.getReference(User, victim().id);
        expect(await em.findOne(User, victim().id)).toBeNull();
        expect(await em.findOne(User, { id: victim().id }, { filters: false })).toBeNull();
        // Initializing goes through the filtered findOne: nothing comes back (null or NotFoundError).
        expect(await wrap(ref).init().catch(() => null)).toBeNull();
        expect(wrap(ref).isInitialized()).toBe(false);
        expect(ref.clerkUserId).toBeUndefined();
        expect(ref.product).toBeUndefined();
      });
    });
  });

  describe('writes through the EntityManager (stamp, guard, scoped upsert)', () => {
    it('upsert of a realestate id without product throws or leaves the realestate row unchanged', async () => {
      // Which way it fails depends on the PostgreSQL version: an RLS error on the conflicting row
      // (15), or a skipped update whose reload RLS hides, which MikroORM reports on the console (17).
      const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        await inBestays(async (em) => {
          const attempt = em.upsert(User, { ...newUserData(), id: victim().id, clerkUserId: victim().clerkUserId, role: 'admin' });
          const outcome = await attempt.then(
            (entity) => entity,
            () => undefined,
          );
          // If MikroORM returns anything, it is not realestate's row.
          expect(outcome?.product).not.toBe('realestate');
          expect(em.getUnitOfWork().getById<User>(User.name, victim().id)?.product).not.toBe('realestate');
        });
      } finally {
        consoleError.mockRestore();
      }
      await expectVictimUntouched();
      // No bestays copy of the row came into being either.
      expect(await ownerQuery('select product from users where clerk_user_id = $1', [victim().clerkUserId])).toEqual([
        { product: 'realestate' },
      ]);
    });

    it('upsert matched on another unique key (product, clerkUserId) cannot reach the realestate row', async () => {
      await inBestays(async (em) => {
        await em
          .upsert(User, { ...newUserData(), clerkUserId: victim().clerkUserId, role: 'admin' }, { onConflictFields: ['product', 'clerkUserId'] })
          .catch(() => undefined);
      });
      await expectVictimUntouched();
      // At most a bestays user with the same Clerk id may exist (a different user, in its own product).
      const rows = await ownerQuery<{ id: string; product: string }>('select id, product from users where clerk_user_id = $1', [
        victim().clerkUserId,
      ]);
      expect(rows.filter((r) => r.product === 'realestate')).toEqual([{ id: victim().id, product: 'realestate' }]);
      await ownerQuery("delete from users where clerk_user_id = $1 and product = 'bestays'", [victim().clerkUserId]);
    });

    it.each(['upsert', 'upsertMany'] as const)('%s with an explicit product "realestate" throws TenantViolationError', async (method) => {
      await inBestays(async (em) => {
        const data = { ...newUserData(), id: victim().id, clerkUserId: victim().clerkUserId, role: 'admin' as const, product: 'realestate' };
        const call = method === 'upsert' ? em.upsert(User, data) : em.upsertMany(User, [data]);
        await expect(call).rejects.toBeInstanceOf(TenantViolationError);
      });
      await expectVictimUntouched();
    });

    it.each(['insert', 'insertMany'] as const)('%s of a row with product "realestate" throws TenantViolationError', async (method) => {
      const data = newUserData({ product: 'realestate' });
      await inBestays(async (em) => {
        const call = method === 'insert' ? em.insert(User, data) : em.insertMany(User, [data]);
        await expect(call).rejects.toBeInstanceOf(TenantViolationError);
      });
      expect(await ownerQuery('select 1 from users where id = $1', [data.id])).toHaveLength(0);
    });

    it('insert of an entity instance with product "realestate" throws TenantViolationError', async () => {
      const user = new User(`user_${randomUUID().replace(/-/g, '')}`);
      user.product = 'realestate';
      await inBestays(async (em) => {
        await expect(em.insert(user)).rejects.toBeInstanceOf(TenantViolationError);
      });
      expect(await ownerQuery('select 1 from users where id = $1', [user.id])).toHaveLength(0);
    });

    it('insert without product is stamped bestays (the control)', async () => {
      const data = newUserData();
      await inBestays((em) => em.insert(User, data));
      expect(await ownerQuery('select product from users where id = $1', [data.id])).toEqual([{ product: 'bestays' }]);
    });

    it('create with product "realestate" + flush throws TenantViolationError and inserts nothing', async () => {
      const data = newUserData({ product: 'realestate' });
      await inBestays(async (em) => {
        em.create(User, data);
        await expect(em.flush()).rejects.toBeInstanceOf(TenantViolationError);
      });
      expect(await ownerQuery('select 1 from users where id = $1', [data.id])).toHaveLength(0);
      expect(await ownerQuery('select 1 from audit_log where entity_id = $1', [data.id])).toHaveLength(0);
    });

    it('getReference to a realestate row + change + flush throws (guard), row unchanged', async () => {
      await inBestays(async (em) => {
        const ref = em.getReference(User, victim().id);
        ref.role = 'admin';
        ref.email = 'pwned@example.test';
        await expect(em.flush()).rejects.toBeInstanceOf(TenantViolationError);
      });
      await expectVictimUntouched();
    });

    it('getReference to a realestate row + remove + flush throws (guard), row unchanged', async () => {
      await inBestays(async (em) => {
        em.remove(em.getReference(User, victim().id));
        await expect(em.flush()).rejects.toBeInstanceOf(TenantViolationError);
      });
      await expectVictimUntouched();
    });

    it('a realestate row merged into the bestays context cannot be written back', async () => {
      await inBestays(async (em) => {
        const forged = em.merge(User, { ...newUserData(), id: victim().id, clerkUserId: victim().clerkUserId, product: 'realestate' });
        forged.role = 'admin';
        await expect(em.flush()).rejects.toBeInstanceOf(TenantViolationError);
      });
      await expectVictimUntouched();
    });

    it('changing product of a loaded bestays row throws, and the row stays in bestays', async () => {
      await inBestays(async (em) => {
        const own = await em.findOneOrFail(User, mine[1].id);
        own.product = 'realestate';
        await expect(em.flush()).rejects.toBeInstanceOf(TenantViolationError);
      });
      expect(await ownerQuery('select product from users where id = $1', [mine[1].id])).toEqual([{ product: 'bestays' }]);
    });

    it('nativeUpdate and nativeDelete of a realestate id affect 0 rows (with and without filters)', async () => {
      await inBestays(async (em) => {
        expect(await em.nativeUpdate(User, { id: victim().id }, { role: 'admin' })).toBe(0);
        expect(await em.nativeUpdate(User, { id: victim().id }, { role: 'admin' }, { filters: false })).toBe(0);
        expect(await em.nativeUpdate(User, { product: 'realestate' }, { role: 'admin' })).toBe(0);
        expect(await em.nativeDelete(User, { id: victim().id })).toBe(0);
        expect(await em.nativeDelete(User, { id: victim().id }, { filters: false })).toBe(0);
        expect(await em.nativeDelete(User, { product: 'realestate' }, { filters: { tenant: false } })).toBe(0);
      });
      await expectVictimUntouched();
    });

    it('nativeUpdate cannot move a bestays row to realestate (the entity manager refuses it)', async () => {
      await inBestays(async (em) => {
        await expect(em.nativeUpdate(User, { id: mine[1].id }, { product: 'realestate' })).rejects.toBeInstanceOf(TenantViolationError);
      });
      expect(await ownerQuery('select product from users where id = $1', [mine[1].id])).toEqual([{ product: 'bestays' }]);
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
