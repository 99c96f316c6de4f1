import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { BadRequestException } from '@nestjs/common';
import { type EntityManager, type EntityMetadata, type EntityName, type FilterQuery, type FindOptions, Utils } from '@mikro-orm/core';
import { type EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';
import { currentProduct } from '../tenancy/tenant-context';
import { rememberedCount } from './change-counters';
import { compiledQuery, findRows } from './lean-read';
import { type Page, type PageQuery, TOTAL_CAP } from './pagination.dto';

// Reviewed (eslint.config.mjs): the capped count is a QueryBuilder subquery. It gets the same
// filters as em.find through applyFilters(), and RLS binds it like every runtime query.

export type SortOrder = 'asc' | 'desc';

export interface PaginateOptions<T> {
  /** The list's total order; its last key must be unique (e.g. `{ createdAt: 'desc', id: 'desc' }`). */
  orderBy: Partial<Record<keyof T & string, SortOrder>>;
  populate?: FindOptions<T, never>['populate'];
  /** Plain rows instead of entities (no hydration, no identity map); relations come back as ids. */
  rows?: boolean;
}

type CursorValue = string | number | { d: string };

/**
 * One page of `entity` rows matching `where`, by offset or by keyset cursor, with a total capped at
 * TOTAL_CAP. With `rows: true` the items are plain rows (see findRows), for hot read-only lists.
 */
export async function paginate<E extends object, T = E>(
  em: EntityManager,
  entity: EntityName<E>,
  where: FilterQuery<E>,
  query: PageQuery,
  options: PaginateOptions<E>,
): Promise<Page<T>> {
  const order = Object.entries(options.orderBy) as Array<[string, SortOrder]>;
  const name = Utils.className(entity);
  const signer = cursorSigner(em, `${name}|${fingerprint(where)}`, order);
  const after = query.cursor === undefined ? undefined : signer.open(query.cursor);
  const offset = after === undefined ? (query.offset ?? 0) : null;
  const pageWhere = after === undefined ? where : ({ $and: [where, keysetAfter(order, after)] } as FilterQuery<E>);

  const [rows, counted] = await Promise.all([
    options.rows
      ? findRows<T>(em, entity as EntityName<object>, pageWhere as FilterQuery<object>, { orderBy: Object.fromEntries(order), limit: query.limit + 1, offset: offset ?? undefined })
      : em.find(entity, pageWhere, {
          orderBy: options.orderBy as FindOptions<E>['orderBy'],
          limit: query.limit + 1,
          offset: offset ?? undefined,
          populate: options.populate as never,
        }),
    // In parallel (two pool connections), as findAndCount does: the count is bounded, the latency is not doubled.
    cappedCount(em, entity, where),
  ]);
  // Entities when E = T, plain rows when options.rows: the caller chose T accordingly.
  const items = rows.slice(0, query.limit) as T[];
  const more = rows.length > query.limit;
  const total = counted;
  const last = items[items.length - 1];
  return {
    items,
    limit: query.limit,
    offset,
    nextCursor: more && last ? signer.seal(order.map(([key]) => encodeValue((last as Record<string, unknown>)[key]))) : null,
    total: Math.min(total, TOTAL_CAP),
    totalExact: total <= TOTAL_CAP,
  };
}

// count(*) over at most TOTAL_CAP + 1 rows: the count reads ~10,001 index entries at any table size.
// Its SQL is built once per shape of `where` (see compiledQuery), and its result is reused while the
// table has not been written (see change-counters.ts).
async function cappedCount<T extends object>(em: EntityManager, entity: EntityName<T>, where: FilterQuery<T>): Promise<number> {
  const sql = em as unknown as SqlEntityManager;
  const meta = em.getMetadata().find(Utils.className(entity)) as EntityMetadata<object>;
  const countOf = async (shaped: FilterQuery<object>) => {
    const inner = sql.createQueryBuilder(entity as EntityName<object>, 'e').select('e.id').where(shaped).limit(TOTAL_CAP + 1);
    await inner.applyFilters();
    // Boxed: a knex builder is thenable, so an async function returning it would run it.
    return { query: sql.getKnex().count({ n: '*' }).from(inner.getKnexQuery().as('capped')) };
  };
  type Counted = { n: string | number };
  return rememberedCount(em, meta, where, async () => {
    const [row] = await compiledQuery<Counted>(
      em,
      `count|${meta.className}`,
      where,
      async (shaped) => (await countOf(shaped)).query.toSQL(),
      async () => sql.getConnection().execute<Counted[]>((await countOf(where)).query),
    );
    return Number(row?.n ?? 0);
  });
}

// (k1, k2, …) strictly after the cursor in the list's order, spelled so an index on the order serves it:
// a range on the first key (index condition), then the tie-breaks.
function keysetAfter(order: Array<[string, SortOrder]>, values: unknown[]): object {
  const beyond = (dir: SortOrder) => (dir === 'desc' ? '$lt' : '$gt');
  const branches = order.map(([key, dir], i) => {
    const equal = Object.fromEntries(order.slice(0, i).map(([prior], j) => [prior, values[j]]));
    return { ...equal, [key]: { [beyond(dir)]: values[i] } };
  });
  const [firstKey, firstDir] = order[0];
  return { $and: [{ [firstKey]: { [firstDir === 'desc' ? '$lte' : '$gte']: values[0] } }, { $or: branches }] };
}

// A cursor belongs to the list and the filter it came from (e.g. one user's own rows): entities count by id.
function fingerprint(where: unknown): string {
  return JSON.stringify(where, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) && value.constructor !== Object && 'id' in value
      ? (value).id
      : value,
  );
}

function encodeValue(value: unknown): CursorValue {
  if (value instanceof Date) {
    return { d: value.toISOString() };
  }
  if (typeof value === 'string' || typeof value === 'number') {
    return value;
  }
  // A reference as an order key: its primary key.
  const id = (value as { id?: unknown } | null)?.id;
  if (typeof id === 'string' || typeof id === 'number') {
    return id;
  }
  throw new Error('paginate: order keys must be strings, numbers, dates or references');
}

function decodeValue(value: unknown): unknown {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) {
    return value;
  }
  const date = (value as { d?: unknown } | null)?.d;
  if (typeof date === 'string' && !Number.isNaN(Date.parse(date))) {
    return new Date(date);
  }
  throw invalidCursor();
}

function invalidCursor(): BadRequestException {
  return new BadRequestException('cursor is invalid: pass a nextCursor of this list exactly as received');
}

// Cursors are signed so a client cannot forge a position, and bound to the product and the list.
// The key is derived from the runtime role's connection (its password is derived from the owner's
// credentials), so every replica of one product agrees and no two products share a key.
const keys = new WeakMap<object, KeyObject>();

function cursorKey(em: EntityManager): KeyObject {
  const config = em.config;
  let key = keys.get(config);
  if (!key) {
    const url = new URL(String(config.get('clientUrl') ?? ''));
    const secret = `${decodeURIComponent(url.password)}|${url.username}@${url.host}${url.pathname}`;
    // A KeyObject, made once: createHmac with a Buffer key imports the key again on every call.
    key = createSecretKey(createHmac('sha256', secret).update('page-cursor-v1').digest());
    keys.set(config, key);
  }
  return key;
}

function cursorSigner(em: EntityManager, list: string, order: Array<[string, SortOrder]>) {
  const key = cursorKey(em);
  const scope = `${currentProduct()}|${list}|${order.map(([k, d]) => `${k}:${d}`).join(',')}|`;
  const mac = (payload: string) => createHmac('sha256', key).update(scope).update(payload).digest().subarray(0, 16).toString('base64url');
  return {
    seal(values: CursorValue[]): string {
      const payload = Buffer.from(JSON.stringify(values)).toString('base64url');
      return `${payload}.${mac(payload)}`;
    },
    open(cursor: string): unknown[] {
      const [payload, signature] = cursor.split('.');
      // Compared as text: base64url's spare bits would let a changed last character decode to the same bytes.
      const given = Buffer.from(signature ?? '');
      const expected = Buffer.from(mac(payload ?? ''));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw invalidCursor();
      }
      let values: unknown;
      try {
        values = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw invalidCursor();
      }
      if (!Array.isArray(values) || values.length !== order.length) {
        throw invalidCursor();
      }
      return values.map(decodeValue);
    },
  };
}
