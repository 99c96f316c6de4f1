import type { ClientBase } from 'pg';

/**
 * Where a schema breaks the tenancy rules of the database: every foreign key from a table with a
 * `product` column to another such table must pair `product` with `product` (else a row could point
 * at another product's row: FK checks bypass RLS), and every index or unique key of such a table
 * must start with `product` (the primary key on a random UUID excepted). Empty when it is clean.
 */
export async function tenantSchemaProblems(client: ClientBase, schema = 'public'): Promise<string[]> {
  const foreignKeys = await client.query<{ table: string; name: string; target: string }>(
    `select c.relname as table, con.conname as name, f.relname as target
       from pg_constraint con
       join pg_class c on c.oid = con.conrelid
       join pg_namespace n on n.oid = c.relnamespace
       join pg_class f on f.oid = con.confrelid
       join pg_attribute a on a.attrelid = c.oid and a.attname = 'product' and not a.attisdropped
       join pg_attribute fa on fa.attrelid = f.oid and fa.attname = 'product' and not fa.attisdropped
      where con.contype = 'f' and n.nspname = $1
        and not exists (select 1 from unnest(con.conkey, con.confkey) as k(col, ref) where k.col = a.attnum and k.ref = fa.attnum)
      order by 1, 2`,
    [schema],
  );
  const indexes = await client.query<{ table: string; name: string; unique: boolean }>(
    `select c.relname as table, i.relname as name, ix.indisunique as unique
       from pg_index ix
       join pg_class i on i.oid = ix.indexrelid
       join pg_class c on c.oid = ix.indrelid
       join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = c.oid and a.attname = 'product' and not a.attisdropped
      where n.nspname = $1 and not ix.indisprimary and ix.indkey[0] <> a.attnum
      order by 1, 2`,
    [schema],
  );
  return [
    ...foreignKeys.rows.map((fk) => `${fk.table}: foreign key ${fk.name} references tenant table ${fk.target} without (product, ...)`),
    ...indexes.rows.map((index) => `${index.table}: ${index.unique ? 'unique key' : 'index'} ${index.name} does not start with product`),
  ];
}
