import { randomUUID } from 'node:crypto';
import { type EntityManager } from '@mikro-orm/postgresql';
import { User } from '../../src/users/user.entity';
import { ownerQuery } from './db';
import { type TestUser, useBothProducts } from './product-app';

type VictimRow = { product: string; role: string; email: string | null; deleted_at: Date | null };

/**
 * The leak-path specs: both products, two users in each; every attempt runs from bestays against
 * realestate's rows (the "victim" is realestate's first user) and must leave them untouched.
 */
export function useLeakSuite() {
  const apps = useBothProducts();
  const mine: TestUser[] = [];
  const theirs: TestUser[] = [];
  const theirsIds = new Set<string>();

  beforeAll(async () => {
    mine.push(await apps.bestays.user('admin'), await apps.bestays.user('user'));
    theirs.push(await apps.realestate.user('user'), await apps.realestate.user('agent'));
    theirs.forEach((user) => theirsIds.add(user.id));
  });

  // Each attempt runs in bestays' tenant context with a fresh EntityManager.
  const inBestays = <T>(work: (em: EntityManager) => Promise<T>): Promise<T> => apps.bestays.inTenant(() => work(apps.bestays.em()));
  const victim = (): TestUser => theirs[0];

  /** realestate's view of the victim row, through the owner connection (sees every product). */
  async function victimRow(): Promise<VictimRow> {
    const rows = await ownerQuery<VictimRow>('select product, role, email, deleted_at from users where id = $1', [victim().id]);
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  async function expectVictimUntouched(): Promise<void> {
    expect(await victimRow()).toEqual({ product: 'realestate', role: 'user', email: `${victim().clerkUserId}@realestate.test`, deleted_at: null });
    // And realestate itself still sees it as it was.
    const seen = await apps.realestate.inTenant(() => apps.realestate.em().findOneOrFail(User, { id: victim().id }));
    expect(seen).toMatchObject({ product: 'realestate', role: 'user' });
  }

  function expectOnlyBestays(rows: Array<{ id: string; product: string }>): void {
    expect(rows.length).toBeGreaterThanOrEqual(mine.length);
    for (const row of rows) {
      expect(row.product).toBe('bestays');
      expect(theirsIds.has(row.id)).toBe(false);
    }
  }

  const newUserData = (extra: Record<string, unknown> = {}) => ({
    id: randomUUID(),
    clerkUserId: `user_${randomUUID().replace(/-/g, '')}`,
    role: 'user' as const,
    createdAt: new Date(),
    updatedAt: new Date(),
    ...extra,
  });

  return { apps, mine, theirs, theirsIds, inBestays, victim, victimRow, expectVictimUntouched, expectOnlyBestays, newUserData };
}
