import type { MikroORM } from '@mikro-orm/core';
import type { PoolStats } from '../observability/metrics';

interface TarnPool {
  numUsed(): number;
  numPendingAcquires(): number;
}

// The runtime pool behind MikroORM's knex (tarn): its counters only, no SQL. Undefined before
// connect or after close.
export function poolStatsOf(orm: MikroORM): PoolStats | undefined {
  try {
    const connection = orm.em.getConnection() as unknown as { getKnex(): { client: { pool?: TarnPool } } };
    const pool = connection.getKnex().client.pool;
    return pool ? { inUse: pool.numUsed(), waiting: pool.numPendingAcquires() } : undefined;
  } catch {
    return undefined;
  }
}
