import { Migration } from '@mikro-orm/migrations';

// Clerk's own `updated_at` of the last profile applied: a delivery older than it is stale.
export class Migration20261126020000_users_clerk_updated_at extends Migration {
  override up(): void {
    this.addSql(`alter table "users" add column "clerk_updated_at" timestamptz null`);
  }
}
