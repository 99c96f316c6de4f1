import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
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
  const stream = createWriteStream(join(dir, file));
  const hash = createHash('sha256');
  let rows = 0;
  let bytes = 0;
  const ident = runtime.escapeIdentifier(table);
  await runtime.query(`declare export_cursor no scroll cursor for select row_to_json(t)::text as line from ${ident} t order by t.id`);
  try {
    for (;;) {
      const batch = await runtime.query<{ line: string }>(`fetch ${BATCH} from export_cursor`);
      if (batch.rows.length === 0) {
        break;
      }
      const chunk = Buffer.from(batch.rows.map((r) => `${r.line}\n`).join(''), 'utf8');
      hash.update(chunk);
      rows += batch.rows.length;
      bytes += chunk.length;
      if (!stream.write(chunk)) {
        await once(stream, 'drain');
      }
    }
  } finally {
    await runtime.query('close export_cursor');
  }
  stream.end();
  await once(stream, 'finish');
  return { table, file, rows, sha256: hash.digest('hex'), bytes };
}

/**
 * Deletes every row of one product from every tenant table, children before parents, in one
 * transaction. The owner runs it with an explicit product condition and row_security off: a
 * connection that cannot bypass RLS fails loudly instead of deleting nothing.
 */
export async function purgeProduct(operator: Operator, product: string): Promise<Record<string, number>> {
  const owner = operator.owner;
  const tables = await deleteOrder(owner, await operator.tenantTables());
  const deleted: Record<string, number> = {};
  await owner.query('begin');
  try {
    await owner.query('set local row_security = off');
    for (const table of tables) {
      const result = await owner.query(`delete from ${owner.escapeIdentifier(table)} where product = $1`, [product]);
      deleted[table] = result.rowCount ?? 0;
    }
    await owner.query('commit');
  } catch (error) {
    await owner.query('rollback').catch(() => undefined);
    if ((error as { code?: string }).code === '42501') {
      throw new OperatorError('purge needs an owner connection that may bypass row-level security (superuser or BYPASSRLS)');
    }
    throw error;
  }
  return deleted;
}
