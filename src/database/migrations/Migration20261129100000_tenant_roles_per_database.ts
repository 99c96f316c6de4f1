import { Migration } from '@mikro-orm/migrations';

// Runtime roles are named after their database (<database>_app_<product>), so a product can have
// more than one bound role: the previous `app_<product>` while an upgrade rolls out, or the roles a
// restored dump carries. Each role is still bound to exactly one product (the primary key).
export class Migration20261129100000_tenant_roles_per_database extends Migration {
  override up(): void {
    this.addSql(`alter table "tenant_roles" drop constraint if exists "tenant_roles_product_key"`);
  }
}
