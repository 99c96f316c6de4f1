import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261126000000_tenancy_core } from './Migration20261126000000_tenancy_core';
import { Migration20261126010000_product_features } from './Migration20261126010000_product_features';
import { Migration20261126020000_users_clerk_updated_at } from './Migration20261126020000_users_clerk_updated_at';
import { Migration20261129060000_keyset_paging } from './Migration20261129060000_keyset_paging';
import { Migration20261129090000_product_registry } from './Migration20261129090000_product_registry';
import { Migration20261129100000_tenant_roles_per_database } from './Migration20261129100000_tenant_roles_per_database';
import { Migration20261129110000_assistant } from './Migration20261129110000_assistant';
import { Migration20261130000000_operator_purge } from './Migration20261130000000_operator_purge';
import { Migration20261130010000_faq_search_rollups } from './Migration20261130010000_faq_search_rollups';
import { Migration20261130020000_change_counters } from './Migration20261130020000_change_counters';
import { Migration20261130030000_compiled_tenant_roles } from './Migration20261130030000_compiled_tenant_roles';

// Listed explicitly (not globbed from disk) so the same list runs from dist/ and under Jest.
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261126000000_tenancy_core', class: Migration20261126000000_tenancy_core },
  { name: 'Migration20261126010000_product_features', class: Migration20261126010000_product_features },
  { name: 'Migration20261126020000_users_clerk_updated_at', class: Migration20261126020000_users_clerk_updated_at },
  { name: 'Migration20261129060000_keyset_paging', class: Migration20261129060000_keyset_paging },
  { name: 'Migration20261129090000_product_registry', class: Migration20261129090000_product_registry },
  { name: 'Migration20261129100000_tenant_roles_per_database', class: Migration20261129100000_tenant_roles_per_database },
  { name: 'Migration20261129110000_assistant', class: Migration20261129110000_assistant },
  { name: 'Migration20261130000000_operator_purge', class: Migration20261130000000_operator_purge },
  { name: 'Migration20261130010000_faq_search_rollups', class: Migration20261130010000_faq_search_rollups },
  { name: 'Migration20261130020000_change_counters', class: Migration20261130020000_change_counters },
  { name: 'Migration20261130030000_compiled_tenant_roles', class: Migration20261130030000_compiled_tenant_roles },
];
