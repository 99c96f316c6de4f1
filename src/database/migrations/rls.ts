// Row-level security for a tenant-owned table: enabled and forced (so the owner is bound too),
// scoped to the product the connected role is bound to in tenant_roles.
export function tenantTableRls(table: string): string[] {
  return [
    `alter table "${table}" enable row level security`,
    `alter table "${table}" force row level security`,
    `create policy "${table}_product_isolation" on "${table}" using (product = app_current_product()) with check (product = app_current_product())`,
  ];
}

/**
 * The operator's purge (`npm run products -- purge`): the owner, which FORCE binds to the policies
 * like everyone, may read and delete the rows of the one product it names for its transaction
 * (`set_config('app.purge_product', …, true)`), and nothing else; no superuser or BYPASSRLS needed.
 * The policies are the migrating role's (`to current_user`, the owner): a runtime role never sees
 * them, so its queries keep their one policy, and audit_log stays append-only for it.
 */
export function operatorPurgePolicies(table: string): string[] {
  return [
    `create policy "${table}_operator_purge_read" on "${table}" for select to current_user using (product = app_purge_product())`,
    `create policy "${table}_operator_purge" on "${table}" for delete to current_user using (product = app_purge_product())`,
  ];
}
