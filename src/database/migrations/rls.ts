// Row-level security for a tenant-owned table: enabled and forced (so the owner is bound too),
// scoped to the product the connected role is bound to in tenant_roles.
export function tenantTableRls(table: string): string[] {
  return [
    `alter table "${table}" enable row level security`,
    `alter table "${table}" force row level security`,
    `create policy "${table}_product_isolation" on "${table}" using (product = app_current_product()) with check (product = app_current_product())`,
  ];
}
