import { type EntityManager, type EntityMetadata, type Transaction, Utils } from '@mikro-orm/core';
import { LRUCache } from 'lru-cache';
import { currentProduct } from '../tenancy/tenant-context';
import { run } from './lean-read';

// Remembered list totals. Every tenant table has a change counter: a sequence that each statement
// writing the table advances (Migration20261130020000_change_counters). A capped count is remembered
// with the counter's value read before it, and reused while the counter still reads the same.
//
// Why that is exact, with writers committing at any moment. A writer's trigger takes a shared
// transaction-level advisory lock on the counter (held until the writer commits or rolls back), then
// advances the counter. A reader reads the counter (v); on a miss, it then tries to take that lock
// exclusively, and only then counts, on a snapshot taken after the try. When the try succeeds, every
// writer that had advanced the counter up to v held the lock from before its advance until its end,
// so it had finished before the count's snapshot, which sees all it committed: (v, count) is
// remembered. When the try fails, the count is used once and not remembered. A writer the count does
// not see advances the counter after v was read, so the next request reads another value and counts
// again. A rolled-back writer leaves the counter advanced: one needless recount.
//
// Never inside a transaction (its own uncommitted writes would be remembered), nor with read replicas
// (a standby's sequence moves in jumps of 32, and its snapshots lag the primary's).

/** The first key of the counters' advisory locks (Migration20261130020000_change_counters). */
const CHANGES_LOCK_SPACE = 1_146_048_839;

interface Remembered {
  version: string;
  total: number;
}

interface Memo {
  counted: LRUCache<string, Remembered>;
  /** Table → its counter (`public.x__changes`), for the counters this role may read and whose trigger fires always; read once. */
  tracked?: Promise<Map<string, string>>;
}

const TOTALS_PER_ORM = 2000;
const memos = new WeakMap<object, Memo>();

const TRACKED_SQL = `select c.relname as "table", 'public.' || quote_ident(c.relname || '__changes') as counter from pg_class c
  join pg_trigger t on t.tgrelid = c.oid and t.tgname = c.relname || '_changes' and t.tgenabled = 'A'
  where c.relnamespace = 'public'::regnamespace
    and case when to_regclass('public.' || quote_ident(c.relname || '__changes')) is null then false
        else has_sequence_privilege(to_regclass('public.' || quote_ident(c.relname || '__changes')), 'SELECT') end`;

/**
 * `count()` for `where` on `entity`, reused while the table's change counter has not moved (see
 * above). Falls back to counting every time where remembering would not be exact.
 */
export async function rememberedCount(
  em: EntityManager,
  meta: EntityMetadata<object>,
  where: unknown,
  count: () => Promise<number>,
): Promise<number> {
  const key = memoKey(where);
  if (key === undefined || em.getTransactionContext<Transaction<unknown>>() !== undefined || (em.config.get('replicas') ?? []).length > 0) {
    return count();
  }
  const memo = memoOf(em);
  memo.tracked ??= run<{ table: string; counter: string }>(em, TRACKED_SQL, []).then(
    (rows) => new Map(rows.map((row) => [row.table, row.counter])),
    () => {
      memo.tracked = undefined; // try again on the next list
      return new Map<string, string>();
    },
  );
  const counter = (await memo.tracked).get(meta.tableName);
  if (counter === undefined) {
    return count();
  }
  // One sequence page, no table: a fraction of what the count costs.
  const [{ v: version }] = await run<{ v: string }>(em, `select (last_value + is_called::int)::text as v from ${counter}`, []);
  const full = `${currentProduct()}|${meta.className}|${key}`;
  const known = memo.counted.get(full);
  if (known?.version === version) {
    return known.total;
  }
  // After v was read, before the count's snapshot: a separate statement (see above).
  const [{ free }] = await run<{ free: boolean }>(em, 'select pg_try_advisory_xact_lock(?, hashtext(?)) as free', [CHANGES_LOCK_SPACE, counter]);
  const total = await count();
  if (free) {
    memo.counted.set(full, { version, total });
  }
  return total;
}

function memoOf(em: EntityManager): Memo {
  let memo = memos.get(em.config);
  if (!memo) {
    memo = { counted: new LRUCache({ max: TOTALS_PER_ORM }) };
    memos.set(em.config, memo);
  }
  return memo;
}

// `where` as text, or undefined when it holds anything but plain values and entity references.
function memoKey(where: unknown): string | undefined {
  let plain = true;
  const text = JSON.stringify(where, function (this: unknown, _key, value: unknown) {
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || Array.isArray(value)) {
      return value;
    }
    if (typeof value === 'object') {
      if (Object.getPrototypeOf(value) === Object.prototype) {
        return value;
      }
      const id = (value as { id?: unknown }).id;
      if (typeof id === 'string' || typeof id === 'number') {
        return { '@ref': `${Utils.className(value.constructor as never)}:${id}` };
      }
    }
    plain = false;
    return null;
  });
  return plain ? text : undefined;
}
