import { Migration } from '@mikro-orm/migrations';
import { tenantTableRls } from './rls';

// The product registry and its encrypted secrets are the owner's: runtime roles only read their own
// product's rows (RLS enabled, not forced, so the owner connection manages every product). Their
// key column is `name`/`product_name`, not `product`: they are not tenant tables the runtime writes.
export class Migration20261129090000_product_registry extends Migration {
  override up(): void {
    this.addSql(`create table "products" (
      "name" varchar(50) primary key check ("name" ~ '^[a-z][a-z0-9_]{0,49}$'),
      "display_name" varchar(200) not null,
      "status" varchar(20) not null default 'active' check ("status" in ('active', 'suspended')),
      "suspended_reason" text null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now()
    )`);
    this.addSql(`alter table "products" enable row level security`);
    this.addSql(`create policy "products_own_row" on "products" for select using ("name" = app_current_product())`);

    // Ciphertext (AES-256-GCM, tag appended), the id of the key that sealed it and the nonce: never plaintext.
    this.addSql(`create table "product_secrets" (
      "product_name" varchar(50) not null references "products" ("name") on delete cascade,
      "name" varchar(64) not null,
      "key_id" varchar(64) not null,
      "nonce" bytea not null,
      "ciphertext" bytea not null,
      "updated_at" timestamptz not null default now(),
      primary key ("product_name", "name")
    )`);
    this.addSql(`alter table "product_secrets" enable row level security`);
    this.addSql(
      `create policy "product_secrets_own_rows" on "product_secrets" for select using ("product_name" = app_current_product())`,
    );

    this.addSql(`create table "user_settings" (
      "id" uuid primary key,
      "product" varchar(50) not null,
      "user_id" uuid not null,
      "llm_api_key_key_id" varchar(64) null,
      "llm_api_key_nonce" bytea null,
      "llm_api_key_ciphertext" bytea null,
      "preferred_language" varchar(35) null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      constraint "user_settings_user_fk" foreign key ("product", "user_id") references "users" ("product", "id") on delete cascade
    )`);
    this.addSql(`create unique index "user_settings_product_user_unique" on "user_settings" ("product", "user_id")`);
    for (const sql of tenantTableRls('user_settings')) {
      this.addSql(sql);
    }

    // Erasure rewrites audit `changes`, which the runtime role may only append to. This function
    // (owner's, security definer) is the one way: it touches only the rows of the product bound to
    // the role that logged in (session_user), only a User's personal fields (and their conversations' titles), and keeps every id.
    this.addSql(`create function app_session_product() returns varchar
      language sql stable security invoker
      as $$ select product from public.tenant_roles where role_name = session_user::text $$`);
    this.addSql(`create policy "audit_log_erasure_read" on "audit_log" for select using (product = app_session_product())`);
    this.addSql(
      `create policy "audit_log_erasure_update" on "audit_log" for update using (product = app_session_product()) with check (product = app_session_product())`,
    );
    this.addSql(`create function app_erase_user_audit(p_user_id varchar) returns integer
      language plpgsql security definer set search_path = public
      as $$
      declare erased integer;
      begin
        update audit_log a set changes = (
          select coalesce(jsonb_object_agg(e.key, case when e.key in ('email', 'firstName', 'lastName', 'title') then to_jsonb('[erased]'::text) else e.value end), '{}'::jsonb)
          from jsonb_each(a.changes) e
        )
        where a.product = app_session_product()
          and ((a.entity_type = 'User' and a.entity_id = p_user_id) or (a.entity_type = 'Conversation' and a.changes->>'user' = p_user_id));
        get diagnostics erased = row_count;
        return erased;
      end $$`);
    this.addSql(`revoke all on function app_erase_user_audit(varchar) from public`);
  }
}
