import { Migration } from '@mikro-orm/migrations';
import { tenantTableRls } from './rls';

export class Migration20261126000000_tenancy_core extends Migration {
  override up(): void {
    // Which product each runtime role may see. Written only by the owner at boot.
    this.addSql(`create table "tenant_roles" (
      "role_name" text primary key,
      "product" varchar(50) not null unique
    )`);
    // Security invoker + current_user: the answer depends on the role that logged in, not on
    // anything a session can SET. Stable, so PostgreSQL evaluates it once per query.
    this.addSql(`create function app_current_product() returns varchar
      language sql stable security invoker
      as $$ select product from public.tenant_roles where role_name = current_user::text $$`);

    this.addSql(`create table "users" (
      "id" uuid primary key,
      "product" varchar(50) not null,
      "clerk_user_id" varchar(255) not null,
      "email" varchar(320) null,
      "first_name" varchar(255) null,
      "last_name" varchar(255) null,
      "role" varchar(20) not null default 'user' check ("role" in ('user', 'agent', 'admin')),
      "deleted_at" timestamptz null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      constraint "users_product_id_unique" unique ("product", "id")
    )`);
    this.addSql(`create unique index "users_product_clerk_user_id_unique" on "users" ("product", "clerk_user_id")`);
    this.addSql(`create index "users_product_role_index" on "users" ("product", "role")`);
    this.addSql(`create index "users_product_email_index" on "users" ("product", "email")`);
    this.addSql(`create index "users_product_created_at_index" on "users" ("product", "created_at" desc)`);

    this.addSql(`create table "audit_log" (
      "id" uuid primary key,
      "product" varchar(50) not null,
      "action" varchar(10) not null check ("action" in ('create', 'update', 'delete')),
      "entity_type" varchar(100) not null,
      "entity_id" varchar(100) not null,
      "actor_id" uuid null,
      "changes" jsonb not null,
      "request_id" varchar(128) null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null
    )`);
    this.addSql(`create index "audit_log_product_entity_index" on "audit_log" ("product", "entity_type", "entity_id")`);
    this.addSql(`create index "audit_log_product_created_at_index" on "audit_log" ("product", "created_at" desc)`);
    this.addSql(`create index "audit_log_product_actor_index" on "audit_log" ("product", "actor_id")`);

    this.addSql(`create table "webhook_events" (
      "id" uuid primary key,
      "product" varchar(50) not null,
      "svix_id" varchar(255) not null,
      "type" varchar(100) null,
      "status" varchar(20) not null check ("status" in ('processed', 'ignored', 'failed')),
      "payload" jsonb not null,
      "error" text null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null
    )`);
    this.addSql(`create unique index "webhook_events_product_svix_id_unique" on "webhook_events" ("product", "svix_id")`);

    for (const table of ['users', 'audit_log', 'webhook_events']) {
      for (const sql of tenantTableRls(table)) {
        this.addSql(sql);
      }
    }
  }
}
