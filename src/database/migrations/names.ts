/**
 * The names of the migrations of ./index.ts, in order, without their classes: whether the schema is
 * current is asked on every start, and the classes bring in the migrator (~100 ms of loading) that
 * only a start with something to run needs. names.spec.ts keeps this list equal to index.ts's.
 */
export const MIGRATION_NAMES: readonly string[] = [
  'Migration20261126000000_tenancy_core',
  'Migration20261126010000_product_features',
  'Migration20261126020000_users_clerk_updated_at',
  'Migration20261129060000_keyset_paging',
  'Migration20261129090000_product_registry',
  'Migration20261129100000_tenant_roles_per_database',
  'Migration20261129110000_assistant',
  'Migration20261130000000_operator_purge',
  'Migration20261130010000_faq_search_rollups',
  'Migration20261130020000_change_counters',
  'Migration20261130030000_compiled_tenant_roles',
];
