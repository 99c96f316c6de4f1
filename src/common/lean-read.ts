import {
  type EntityManager,
  type EntityMetadata,
  type EntityName,
  type FilterOptions,
  type FilterQuery,
  type Transaction,
  ReferenceKind,
  Utils,
} from '@mikro-orm/core';
import { type EntityManager as SqlEntityManager, type PostgreSqlDriver, type QueryBuilder } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import { currentProduct } from '../tenancy/tenant-context';
import { type SortOrder } from './pagination';

// Reviewed (eslint.config.mjs): read-only rows whose SQL the QueryBuilder builds, with the same
// filters as em.find through applyFilters() (the tenant filter cannot be switched off) and RLS
// binding the connection. No entity is hydrated and nothing enters the identity map or the unit of
// work: what a hot public read needs and nothing more. Columns come back under their property
// names; a to-one relation is its primary key.
//
// The SQL of each query shape is built once. The CPU profile of the hot reads put per-request query
// building (criteria nodes, knex formatting, every value inlined as a literal) right after the socket
// writes. A shape is the product, the entity, the structure of `where` with its values taken out, the
// order and the filter options; the QueryBuilder builds its SQL with markers where the values go, so
// filters are applied exactly as for a query built per call, and later calls only bind their values.

export interface RowQuery {
  orderBy?: Record<string, SortOrder>;
  /** Turns optional filters on or off (e.g. `{ notDeleted: false }`); the tenant filter stays on regardless. */
  filters?: FilterOptions;
  limit?: number;
  offset?: number;
}

interface CompiledQuery {
  /** `?` placeholders (knex's), filled in by MikroORM's own value quoting at run time. */
  text: string;
  /** The filters' bindings (e.g. the product), with holes where the caller's values go. */
  values: unknown[];
  /** For each of the caller's values (in `where` order), its position in `values`. */
  slots: number[];
}

type Built = { sql: string; bindings: readonly unknown[] };

const SHAPES_PER_ORM = 500;
const MARKER = '\u0001lean-param-';
const shapeCaches = new WeakMap<object, LRUCache<string, CompiledQuery | 'uncacheable'>>();

/** Rows of `entity` matching `where` (with the filters of em.find), as plain objects. */
export async function findRows<R>(em: EntityManager, entity: EntityName<object>, where: FilterQuery<object>, options: RowQuery = {}): Promise<R[]> {
  const meta = em.getMetadata().find(Utils.className(entity)) as EntityMetadata<object>;
  const driver = em.getDriver() as unknown as PostgreSqlDriver;
  const rows = await compiledQuery(
    em,
    `rows|${meta.className}|${JSON.stringify(options.orderBy ?? {})}|${JSON.stringify(options.filters ?? {})}`,
    where,
    // The shape without limit and offset: they are bound as the last two parameters.
    async (shaped) => {
      const { qb } = await selectRows(em, entity, shaped, { ...options, limit: undefined, offset: undefined });
      const { sql, bindings } = qb.getKnexQuery().toSQL();
      return { sql: `${sql} limit ? offset ?`, bindings: [...bindings, LIMIT, OFFSET] };
    },
    async () => (await selectRows(em, entity, where, options)).qb.execute<Array<Record<string, unknown>>>('all', false),
    { [LIMIT]: options.limit ?? null, [OFFSET]: options.offset ?? 0 },
  );
  return rows.map((row) => driver.mapResult(row, meta) as R);
}

const LIMIT = `${MARKER}limit`;
const OFFSET = `${MARKER}offset`;

/**
 * Runs the query `build` makes of `where`, built once per (key, shape of `where`, product) and then
 * bound to the values of each call. `uncached` runs it the ordinary way: inside a transaction (whose
 * connection it must use), and for a `where` whose values are not plain scalars or whose markers do
 * not come out as plain bindings (a type that converts them, a value inlined). `extra` binds named
 * markers that `build` added itself.
 */
export async function compiledQuery<T extends Record<string, unknown>>(
  em: EntityManager,
  key: string,
  where: FilterQuery<object>,
  build: (shapedWhere: FilterQuery<object>) => Promise<Built>,
  uncached: () => Promise<T[]>,
  extra: Record<string, unknown> = {},
): Promise<T[]> {
  const values: unknown[] = [];
  const shape = parameterize(where, values);
  if (shape === undefined || em.getTransactionContext<Transaction<unknown>>() !== undefined) {
    return uncached();
  }
  const cache = shapesOf(em);
  const fullKey = `${currentProduct()}|${key}|${JSON.stringify(shape)}`;
  let query = cache.get(fullKey);
  if (query === undefined) {
    query = compile(await build(shape as FilterQuery<object>), values.length, Object.keys(extra));
    cache.set(fullKey, query);
  }
  if (query === 'uncacheable') {
    return uncached();
  }
  const bound = [...query.values];
  const named = Object.values(extra);
  query.slots.forEach((slot, i) => (bound[slot] = i < values.length ? values[i] : named[i - values.length]));
  return run<T>(em, query.text, bound);
}

function shapesOf(em: EntityManager): LRUCache<string, CompiledQuery | 'uncacheable'> {
  let cache = shapeCaches.get(em.config);
  if (!cache) {
    cache = new LRUCache({ max: SHAPES_PER_ORM });
    shapeCaches.set(em.config, cache);
  }
  return cache;
}

// `where` with every scalar replaced by a numbered marker (values collected in order); undefined
// when a value is anything but a string, number, boolean, Date or null (entities, raw fragments, …).
function parameterize(where: unknown, values: unknown[]): unknown {
  if (typeof where === 'string' || typeof where === 'number' || typeof where === 'boolean' || where instanceof Date) {
    values.push(where);
    return `${MARKER}${values.length - 1}`;
  }
  if (Array.isArray(where)) {
    const items = where.map((item) => parameterize(item, values));
    return items.includes(undefined) ? undefined : items;
  }
  if (where !== null && typeof where === 'object' && Object.getPrototypeOf(where) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(where)) {
      const shaped = parameterize(value, values);
      if (shaped === undefined) {
        return undefined;
      }
      out[key] = shaped;
    }
    return out;
  }
  return where === null ? null : undefined;
}

// Each marker must come out as exactly one binding, and nowhere in the SQL text.
function compile({ sql, bindings }: Built, count: number, named: string[]): CompiledQuery | 'uncacheable' {
  const values = [...bindings];
  const markers = [...Array.from({ length: count }, (_, i) => `${MARKER}${i}`), ...named];
  const slots: number[] = [];
  for (const marker of markers) {
    const at = values.indexOf(marker);
    if (at < 0 || values.indexOf(marker, at + 1) >= 0) {
      return 'uncacheable';
    }
    slots.push(at);
    values[at] = null;
  }
  if (sql.includes(MARKER) || values.some((value) => typeof value === 'string' && value.includes(MARKER))) {
    return 'uncacheable';
  }
  return { text: sql, values, slots };
}

/** The select an entity query would make (lazy columns, such as a tsvector, left out), with filters applied. */
export async function selectRows(em: EntityManager, entity: EntityName<object>, where: unknown, options: RowQuery): Promise<{ qb: QueryBuilder<object> }> {
  const meta = em.getMetadata().find(Utils.className(entity));
  const fields = (meta?.props ?? [])
    .filter((prop) => !prop.lazy && prop.persist !== false && (prop.kind === ReferenceKind.SCALAR || prop.kind === ReferenceKind.MANY_TO_ONE))
    .map((prop) => prop.name);
  const qb = (em as unknown as SqlEntityManager)
    .createQueryBuilder(entity)
    .select(fields.length > 0 ? fields : '*')
    .where(where as FilterQuery<object>);
  if (options.orderBy) {
    qb.orderBy(options.orderBy);
  }
  if (options.limit !== undefined) {
    qb.limit(options.limit);
  }
  if (options.offset) {
    qb.offset(options.offset);
  }
  await qb.applyFilters(options.filters);
  // A QueryBuilder is thenable: returned from an async function as is, it would run. Hence the box.
  return { qb };
}

interface PooledClient {
  query(text: string): Promise<{ rows: Array<Record<string, unknown>> }>;
}

interface KnexClient {
  acquireConnection(): Promise<PooledClient>;
  releaseConnection(connection: PooledClient): Promise<void>;
}

// Straight to a pooled connection of the pool the ORM reads from (a replica when configured, the
// primary once the request has written). The values are quoted into the text by MikroORM's platform,
// as for every query it runs: one simple-protocol message, which measured ~20% more queries per
// second here than the extended protocol (parse, bind, describe, execute) with parameters.
export async function run<T>(em: EntityManager, sql: string, values: unknown[]): Promise<T[]> {
  const driver = em.getDriver() as unknown as PostgreSqlDriver;
  const text = driver.getPlatform().formatQuery(sql, values);
  const type = em.config.get('preferReadReplicas') ? 'read' : 'write';
  const client = driver.getConnection(type).getKnex().client as unknown as KnexClient;
  let connection: PooledClient;
  try {
    connection = await client.acquireConnection();
  } catch (error) {
    throw driver.convertException(error as Error);
  }
  try {
    return (await connection.query(text)).rows as T[];
  } catch (error) {
    throw driver.convertException(error as Error);
  } finally {
    await client.releaseConnection(connection);
  }
}
