import { type EntityManager, type EntityName, type FilterQuery, ReferenceKind, Utils } from '@mikro-orm/core';
import { type EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';
import { type SortOrder } from './pagination';

// Reviewed (eslint.config.mjs): read-only rows straight from the QueryBuilder, with the same filters
// as em.find through applyFilters() (the tenant filter cannot be switched off) and RLS binding the
// connection. No entity is hydrated and nothing enters the identity map or the unit of work: what a
// hot public read needs and nothing more. Columns come back under their property names; a to-one
// relation is its primary key.

export interface RowQuery {
  orderBy?: Record<string, SortOrder>;
  limit?: number;
  offset?: number;
}

export async function findRows<R>(em: EntityManager, entity: EntityName<object>, where: FilterQuery<object>, options: RowQuery = {}): Promise<R[]> {
  // The columns an entity query would load (lazy ones, such as a tsvector, left out).
  const meta = em.getMetadata().find(Utils.className(entity));
  const fields = (meta?.props ?? [])
    .filter((prop) => !prop.lazy && prop.persist !== false && (prop.kind === ReferenceKind.SCALAR || prop.kind === ReferenceKind.MANY_TO_ONE))
    .map((prop) => prop.name);
  const qb = (em as unknown as SqlEntityManager).createQueryBuilder(entity).select(fields.length > 0 ? fields : '*').where(where);
  if (options.orderBy) {
    qb.orderBy(options.orderBy);
  }
  if (options.limit !== undefined) {
    qb.limit(options.limit);
  }
  if (options.offset) {
    qb.offset(options.offset);
  }
  await qb.applyFilters();
  return qb.execute<R[]>('all', true);
}
