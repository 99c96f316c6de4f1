import { type EntityManager } from '@mikro-orm/core';
import { type EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';
import { currentProduct } from './tenant-context';

/**
 * Serializes work on one key of this product (e.g. a Clerk user id) until the surrounding
 * transaction ends: a transaction-scoped PostgreSQL advisory lock on a hash of (product, key).
 * Outside a transaction it would be released at once, so it refuses to run there.
 */
export async function lockInTransaction(em: EntityManager, key: string): Promise<void> {
  if (!em.isInTransaction()) {
    throw new Error('lockInTransaction needs a transaction');
  }
  await (em as SqlEntityManager).execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`${currentProduct()}\u001f${key}`]);
}
