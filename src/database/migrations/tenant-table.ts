import { operatorPurgePolicies, tenantTableRls } from './rls';

export interface TenantReference {
  /** The referencing column, e.g. `category_id`. */
  column: string;
  /** The tenant table it points at (which must have `unique (product, id)`: every tenantTable does). */
  table: string;
  onDelete?: 'cascade' | 'restrict' | 'set null';
}

export interface TenantIndex {
  /** Columns after `product`, as SQL: `"created_at" desc`. */
  columns: string[];
  unique?: boolean;
  /** A partial index's condition, as SQL. */
  where?: string;
  using?: 'btree' | 'gin';
}

export interface TenantTableSpec {
  name: string;
  /** Column definitions besides id, product, created_at and updated_at, as SQL: `"title" varchar(200) not null`. */
  columns: string[];
  references?: TenantReference[];
  indexes?: TenantIndex[];
  /** Extra table constraints, as SQL: `constraint "x_not_self" check (...)`. */
  constraints?: string[];
}

const quoted = (name: string) => `"${name}"`;
const bare = (column: string) => column.replace(/"/g, '').replace(/\s+(asc|desc)$/i, '').trim();

/**
 * The SQL of a tenant-owned table: the `product` column, `unique (product, id)` so other tenant
 * tables can point at it, composite foreign keys `(product, x_id) → (product, id)` (so the database
 * refuses a reference to another product's row), indexes that start with `product`, and row-level
 * security enabled, forced and bound to the connected role's product (plus the owner's purge policies).
 * Feed each statement to addSql.
 */
export function tenantTable(spec: TenantTableSpec): string[] {
  const { name } = spec;
  const foreignKeys = (spec.references ?? []).map(
    ({ column, table, onDelete }) =>
      `constraint ${quoted(`${name}_${column}_fk`)} foreign key ("product", ${quoted(column)}) references ${quoted(table)} ("product", "id")` +
      (onDelete ? ` on delete ${onDelete}` : ''),
  );
  const body = [
    '"id" uuid primary key',
    '"product" varchar(50) not null',
    ...spec.columns,
    '"created_at" timestamptz not null',
    '"updated_at" timestamptz not null',
    `constraint ${quoted(`${name}_product_id_unique`)} unique ("product", "id")`,
    ...foreignKeys,
    ...(spec.constraints ?? []),
  ];
  const indexes = (spec.indexes ?? []).map((index) => {
    const suffix = index.unique ? 'unique' : 'index';
    const indexName = `${name}_product_${index.columns.map(bare).join('_')}_${suffix}`;
    return (
      `create ${index.unique ? 'unique ' : ''}index ${quoted(indexName)} on ${quoted(name)}` +
      (index.using && index.using !== 'btree' ? ` using ${index.using}` : '') +
      ` ("product", ${index.columns.join(', ')})` +
      (index.where ? ` where ${index.where}` : '')
    );
  });
  return [`create table ${quoted(name)} (\n  ${body.join(',\n  ')}\n)`, ...indexes, ...tenantTableRls(name), ...operatorPurgePolicies(name)];
}
