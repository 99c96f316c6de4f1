import { type EntityManager } from '@mikro-orm/core';
import { type EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';
import { currentProduct } from '../tenancy/tenant-context';

// Namespace of background-job locks (two-key advisory locks never collide with the one-key migration lock).
const JOB_LOCK_CLASS = 7301;

/**
 * Runs `work` on one replica at a time: inside a transaction holding a transaction-scoped advisory
 * lock on (job, product), so it also works through PgBouncer in transaction pooling mode (a session
 * lock would be taken and released on different server connections). Returns null without running
 * `work` when another replica holds the lock. The work runs in the transaction (its EntityManager
 * calls join it): keep it bounded.
 */
export async function withJobLock<T>(em: EntityManager, job: string, work: () => Promise<T>): Promise<T | null> {
  return em.transactional(async (tx) => {
    const sql = tx as unknown as SqlEntityManager;
    const [row] = await sql
      .getConnection()
      .execute<Array<{ locked: boolean }>>('select pg_try_advisory_xact_lock(?, hashtext(?)) as locked', [JOB_LOCK_CLASS, `${job}:${currentProduct()}`], 'all', sql.getTransactionContext());
    return row?.locked ? work() : null;
  });
}
