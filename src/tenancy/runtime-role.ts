import { createHash, createHmac } from 'node:crypto';
import type { Client } from 'pg';

// PostgreSQL truncates identifiers to 63 bytes; a longer name would silently collide.
const MAX_IDENTIFIER = 63;

/**
 * The product's runtime role in one database: `<database>_app_<product>`. Roles are cluster-wide,
 * so the database is part of the name: two databases on one server (two deployments, parallel test
 * runs) never share, and so never reset, each other's runtime roles. Names past 63 bytes keep
 * the product and replace the database's tail by a hash of the whole name.
 */
export function runtimeRoleName(database: string, product: string): string {
  const suffix = `_app_${product}`;
  const full = `${database}${suffix}`;
  if (Buffer.byteLength(full) <= MAX_IDENTIFIER) {
    return full;
  }
  const hash = createHash('sha256').update(database).digest('hex').slice(0, 8);
  let head = database.slice(0, Math.max(0, MAX_IDENTIFIER - suffix.length - hash.length - 1));
  while (Buffer.byteLength(`${head}_${hash}${suffix}`) > MAX_IDENTIFIER) {
    head = head.slice(0, -1);
  }
  return `${head}_${hash}${suffix}`;
}

// Without a configured password, replicas of one product must still agree without sharing state:
// it is derived from the owner's credentials, the database and the role (so it is per database).
function derivedPassword(ownerUrl: URL, database: string, role: string): string {
  const secret = decodeURIComponent(ownerUrl.password) || `${ownerUrl.username}@${ownerUrl.host}`;
  return createHmac('sha256', secret).update(`runtime-role:${database}:${role}`).digest('hex');
}

// Roles are cluster-wide: processes booting at once against other databases of the same server
// may alter the same role at the same moment ("tuple concurrently updated"); the next try wins.
async function alterRole(owner: Client, sql: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await owner.query(sql);
      return;
    } catch (error) {
      if (attempt >= 5 || !/tuple concurrently updated/.test((error as Error).message)) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

// What `alter role` must change to reach the runtime attributes. Only what differs is named: an
// owner that is not a superuser may not name SUPERUSER or BYPASSRLS at all (nor CREATEDB without
// having it), even to switch them off, so re-asserting an already plain role must leave them out.
async function alteredAttributes(owner: Client, role: string, password: string): Promise<string> {
  const { rows } = await owner.query<Record<'rolsuper' | 'rolbypassrls' | 'rolcreatedb' | 'rolcreaterole' | 'rolinherit' | 'rolcanlogin', boolean>>(
    'select rolsuper, rolbypassrls, rolcreatedb, rolcreaterole, rolinherit, rolcanlogin from pg_roles where rolname = $1',
    [role],
  );
  const current = rows[0];
  const wrong: Array<[boolean | undefined, string]> = [
    [current?.rolsuper, 'nosuperuser'],
    [current?.rolbypassrls, 'nobypassrls'],
    [current?.rolcreatedb, 'nocreatedb'],
    [current?.rolcreaterole, 'nocreaterole'],
    [current?.rolinherit, 'noinherit'],
    [current ? !current.rolcanlogin : undefined, 'login'],
  ];
  const changes = wrong.filter(([isWrong]) => isWrong !== false).map(([, attribute]) => attribute);
  return [...changes, `password ${owner.escapeLiteral(password)}`].join(' ');
}

export interface TenantTable {
  table: string;
  rls: boolean;
  forced: boolean;
  /** Has its change counter (see Migration20261130020000_change_counters). */
  tracked: boolean;
}

/** Every table with a `product` column is tenant-owned, and must have forced RLS. */
export async function tenantTables(client: Client): Promise<TenantTable[]> {
  const { rows } = await client.query<TenantTable>(`
    select c.relname as "table", c.relrowsecurity as rls, c.relforcerowsecurity as forced,
      exists (select 1 from pg_trigger t where t.tgrelid = c.oid and t.tgname = c.relname || '_changes' and t.tgenabled = 'A')
        and to_regclass('public.' || quote_ident(c.relname || '__changes')) is not null as tracked
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attname = 'product' and not a.attisdropped
    where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname <> 'tenant_roles'
    order by c.relname`);
  return rows;
}

// Tables whose rows are history: the runtime role may add to them, never rewrite them.
const APPEND_ONLY = new Set(['audit_log']);

export interface ProvisionedRole {
  role: string;
  password: string;
}

/**
 * Creates (or re-asserts) the product's runtime role: LOGIN, not superuser, not owner, no BYPASSRLS,
 * bound to exactly one product in tenant_roles, with DML on tenant tables only. Runs as the owner,
 * under the migration lock. The password is the configured one, else derived (see above).
 */
export async function provisionRuntimeRole(
  owner: Client,
  ownerUrl: URL,
  product: string,
  configuredPassword?: string,
): Promise<ProvisionedRole> {
  const { rows: current } = await owner.query<{ database: string }>('select current_database() as database');
  const database = current[0].database;
  const role = runtimeRoleName(database, product);
  const password = configuredPassword ?? derivedPassword(ownerUrl, database, role);
  const ident = owner.escapeIdentifier(role);
  const attributes = `login nosuperuser nobypassrls nocreatedb nocreaterole noinherit password ${owner.escapeLiteral(password)}`;

  const exists = await owner.query('select 1 from pg_roles where rolname = $1', [role]);
  if (exists.rowCount === 0) {
    try {
      await owner.query(`create role ${ident} ${attributes}`);
    } catch (error) {
      // Roles are cluster-wide: another database's boot may have created it a moment ago.
      if ((error as { code?: string }).code !== '42710') {
        throw error;
      }
      await alterRole(owner, `alter role ${ident} ${await alteredAttributes(owner, role, password)}`);
    }
  } else {
    await alterRole(owner, `alter role ${ident} ${await alteredAttributes(owner, role, password)}`);
  }

  // A binding whose role no longer exists (dropped, or carried in by a restored dump) would bind
  // whoever creates a role of that name later: remove it.
  await owner.query('delete from tenant_roles t where not exists (select 1 from pg_roles r where r.rolname = t.role_name)');
  const bound = await owner.query<{ product: string }>(
    `insert into tenant_roles (role_name, product) values ($1, $2)
     on conflict (role_name) do update set product = tenant_roles.product
     returning product`,
    [role, product],
  );
  if (bound.rows[0]?.product !== product) {
    throw new Error(`role ${role} is bound to product "${bound.rows[0]?.product}", not "${product}"`);
  }

  // Sent as one multi-statement round trip (this runs on every start, ~45 statements).
  const statements: string[] = [
    `grant connect on database ${owner.escapeIdentifier(database)} to ${ident}`,
    `grant usage on schema public to ${ident}`,
    `grant select on tenant_roles to ${ident}`,
    // The registry and its sealed secrets: read-only, and RLS shows only this product's rows.
    `grant select on products, product_secrets to ${ident}`,
    `grant execute on function app_erase_user_audit(varchar) to ${ident}`,
  ];
  const counters: string[] = [];
  for (const { table, rls, forced, tracked } of await tenantTables(owner)) {
    if (!rls || !forced) {
      throw new Error(`table "${table}" has a product column but row-level security is not enabled and forced`);
    }
    const privileges = APPEND_ONLY.has(table) ? 'select, insert' : 'select, insert, update, delete';
    statements.push(`revoke all on ${owner.escapeIdentifier(table)} from ${ident}`);
    statements.push(`grant ${privileges} on ${owner.escapeIdentifier(table)} to ${ident}`);
    // A tenant table added after the change-counter migration gets its counter here, once.
    if (!tracked) {
      statements.push(`select app_track_changes(${owner.escapeLiteral(owner.escapeIdentifier(table))}::regclass)`);
    }
    counters.push(owner.escapeIdentifier(`${table}__changes`));
  }
  // Reading a counter tells how many write statements a table has seen, nothing of its rows.
  if (counters.length > 0) {
    statements.push(`grant select on sequence ${counters.join(', ')} to ${ident}`);
  }
  await owner.query(statements.join(';\n'));

  return { role, password };
}

/** Refuses to serve on a connection that could see more than its own product. */
export async function assertRuntimeRole(runtime: Client, product: string): Promise<void> {
  const { rows } = await runtime.query<{ role: string; super: boolean; bypass: boolean; bound: string | null }>(`
    select current_user as role, r.rolsuper as super, r.rolbypassrls as bypass, app_current_product() as bound
    from pg_roles r where r.rolname = current_user`);
  const me = rows[0];
  if (!me || me.super || me.bypass || me.bound !== product) {
    throw new Error(
      `runtime connection role ${me?.role ?? '?'} is not a plain role bound to "${product}" (superuser=${me?.super}, bypassrls=${me?.bypass}, bound=${me?.bound})`,
    );
  }
  const owned = await runtime.query(
    `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and pg_get_userbyid(c.relowner) = current_user limit 1`,
  );
  if ((owned.rowCount ?? 0) > 0) {
    throw new Error(`runtime role ${me.role} owns tables; it must not (owners can be exempt from RLS)`);
  }
}
