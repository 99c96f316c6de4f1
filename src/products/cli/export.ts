import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Client } from 'pg';
import { deleteOrder, type Operator, OperatorError } from './operator';

const BATCH = 1_000;

interface FileEntry {
  table: string;
  file: string;
  rows: number;
  sha256: string;
  bytes: number;
}

/**
 * One NDJSON file per tenant table plus manifest.json (row counts, sha256). Runs as the product's
 * runtime role, so RLS gives it that product's rows only; a server-side cursor keeps memory flat,
 * and one read-only repeatable-read transaction makes every file the same snapshot.
 */
export async function exportProduct(operator: Operator, product: string, out: string): Promise<FileEntry[]> {
  const dir = resolve(out);
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length > 0) {
    throw new OperatorError(`--out ${out} is not empty; export into a new folder`);
  }
  const tables = await operator.tenantTables();
  const runtime = await operator.runtime(product);
  const files: FileEntry[] = [];
  await runtime.query('begin transaction isolation level repeatable read read only');
  try {
    for (const table of tables) {
      files.push(await exportTable(runtime, table, dir));
    }
    await runtime.query('commit');
  } catch (error) {
    await runtime.query('rollback').catch(() => undefined);
    throw error;
  }
  const manifest = { product, exportedAt: new Date().toISOString(), format: 'ndjson', files };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return files;
}

async function exportTable(runtime: Client, table: string, dir: string): Promise<FileEntry> {
  const file = `${table}.ndjson`;
  const handle = await open(join(dir, file), 'w');
  const hash = createHash('sha256');
  let rows = 0;
  let bytes = 0;
  // One buffer for the whole export, reused batch after batch (each written and hashed before the
  // next): no per-batch string or buffer of a batch's size, which V8 would put in large-object
  // space and free only at a full collection, so RSS grew with the table until the heap limit.
  let buffer = Buffer.allocUnsafe(1 << 20);
  const ident = runtime.escapeIdentifier(table);
  try {
    await runtime.query(`declare export_cursor no scroll cursor for select row_to_json(t)::text as line from ${ident} t order by t.id`);
    try {
      for (;;) {
        const batch = await runtime.query<{ line: string }>(`fetch ${BATCH} from export_cursor`);
        if (batch.rows.length === 0) {
          break;
        }
        const needed = batch.rows.reduce((sum, r) => sum + Buffer.byteLength(r.line) + 1, 0);
        if (needed > buffer.length) {
          buffer = Buffer.allocUnsafe(2 ** Math.ceil(Math.log2(needed)));
        }
        let length = 0;
        for (const { line } of batch.rows) {
          length += buffer.write(line, length, 'utf8');
          buffer[length++] = 0x0a;
        }
        const chunk = buffer.subarray(0, length);
        hash.update(chunk);
        for (let written = 0; written < length; ) {
          written += (await handle.write(chunk, written, length - written)).bytesWritten;
        }
        rows += batch.rows.length;
        bytes += length;
      }
    } finally {
      await runtime.query('close export_cursor');
    }
  } finally {
    await handle.close();
  }
  return { table, file, rows, sha256: hash.digest('hex'), bytes };
}

/**
 * Deletes every row of one product from every tenant table, children before parents, in one
 * transaction, as the owner. The owner needs no superuser or BYPASSRLS: it names the product for
 * this transaction (app.purge_product) and RLS, forced, admits that product's rows and no other
 * (the operator purge policies, see migrations/rls.ts); the explicit condition keeps it so for an
 * owner that bypasses RLS. A table without those policies would silently keep its rows, so the
 * purge refuses to start instead. The registry row and its secrets stay.
 */
export async function purgeProduct(operator: Operator, product: string): Promise<Record<string, number>> {
  const owner = operator.owner;
  const tables = await deleteOrder(owner, await operator.tenantTables());
  await assertPurgePolicies(owner, tables);
  const deleted: Record<string, number> = {};
  await owner.query('begin');
  try {
    await owner.query(`select set_config('app.purge_product', $1, true)`, [product]);
    for (const table of tables) {
      const result = await owner.query(`delete from ${owner.escapeIdentifier(table)} where product = $1`, [product]);
      deleted[table] = result.rowCount ?? 0;
    }
    await owner.query('commit');
  } catch (error) {
    await owner.query('rollback').catch(() => undefined);
    throw error;
  }
  return deleted;
}

// Every tenant table must let this owner read and delete the named product's rows (unless it
// bypasses RLS anyway); otherwise a delete there would find nothing and report success.
async function assertPurgePolicies(owner: Client, tables: string[]): Promise<void> {
  const { rows } = await owner.query<{ bypass: boolean; missing: string[] }>(
    `select (r.rolsuper or r.rolbypassrls) as bypass,
       array(select t from unnest($1::text[]) t
             where (select count(distinct p.cmd) from pg_policies p
                    where p.schemaname = 'public' and p.tablename = t and p.cmd in ('SELECT', 'DELETE')
                      and (current_user = any(p.roles) or 'public' = any(p.roles))
                      and p.qual like '%app_purge_product()%') < 2) as missing
     from pg_roles r where r.rolname = current_user`,
    [tables],
  );
  const me = rows[0];
  if (!me?.bypass && (me?.missing.length ?? 1) > 0) {
    throw new OperatorError(
      `purge: ${me?.missing.join(', ') ?? 'the tenant tables'} lack(s) the operator purge policies for this role (run the migrations as the tables' owner)`,
    );
  }
}
