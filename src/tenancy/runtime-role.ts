import { createHmac } from 'node:crypto';
import type { Client } from 'pg';

export function runtimeRoleName(product: string): string {
  return `app_${product}`;
}

// Replicas of one product must agree on the password without sharing state, so it is derived
// from the owner's credentials (which they all have) instead of generated.
function runtimeRolePassword(ownerUrl: URL, role: string): string {
  const secret = decodeURIComponent(ownerUrl.password) || `${ownerUrl.username}@${ownerUrl.host}`;
  return createHmac('sha256', secret).update(`runtime-role:${role}`).digest('hex');
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

export interface TenantTable {
  table: string;
  rls: boolean;
  forced: boolean;
}

/** Every table with a `product` column is tenant-owned, and must have forced RLS. */
export async function tenantTables(client: Client): Promise<TenantTable[]> {
  const { rows } = await client.query<TenantTable>(`
    select c.relname as "table", c.relrowsecurity as rls, c.relforcerowsecurity as forced
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attname = 'product' and not a.attisdropped
    where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname <> 'tenant_roles'
    order by c.relname`);
  return rows;
}

// Tables whose rows are history: the runtime role may add to them, never rewrite them.
const APPEND_ONLY = new Set(['audit_log']);

/**
 * Creates (or re-asserts) the product's runtime role: LOGIN, not superuser, not owner, no BYPASSRLS,
 * bound to exactly one product in tenant_roles, with DML on tenant tables only. Runs as the owner,
 * under the migration lock. Returns the URL the process serves requests with.
 */
export async function provisionRuntimeRole(owner: Client, ownerUrl: URL, product: string): Promise<URL> {
  const role = runtimeRoleName(product);
  const password = runtimeRolePassword(ownerUrl, role);
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
      await alterRole(owner, `alter role ${ident} ${attributes}`);
    }
  } else {
    await alterRole(owner, `alter role ${ident} ${attributes}`);
  }

  const bound = await owner.query<{ product: string }>(
    `insert into tenant_roles (role_name, product) values ($1, $2)
     on conflict (role_name) do update set product = tenant_roles.product
     returning product`,
    [role, product],
  );
  if (bound.rows[0]?.product !== product) {
    throw new Error(`role ${role} is bound to product "${bound.rows[0]?.product}", not "${product}"`);
  }

  const database = owner.escapeIdentifier(decodeURIComponent(ownerUrl.pathname.slice(1)) || 'postgres');
  await owner.query(`grant connect on database ${database} to ${ident}`);
  await owner.query(`grant usage on schema public to ${ident}`);
  await owner.query(`grant select on tenant_roles to ${ident}`);
  // The registry and its sealed secrets: read-only, and RLS shows only this product's rows.
  await owner.query(`grant select on products, product_secrets to ${ident}`);
  await owner.query(`grant execute on function app_erase_user_audit(varchar) to ${ident}`);
  for (const { table, rls, forced } of await tenantTables(owner)) {
    if (!rls || !forced) {
      throw new Error(`table "${table}" has a product column but row-level security is not enabled and forced`);
    }
    const privileges = APPEND_ONLY.has(table) ? 'select, insert' : 'select, insert, update, delete';
    await owner.query(`revoke all on ${owner.escapeIdentifier(table)} from ${ident}`);
    await owner.query(`grant ${privileges} on ${owner.escapeIdentifier(table)} to ${ident}`);
  }

  const runtimeUrl = new URL(ownerUrl.toString());
  runtimeUrl.username = role;
  runtimeUrl.password = password;
  return runtimeUrl;
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
