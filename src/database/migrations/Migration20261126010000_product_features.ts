import { Migration } from '@mikro-orm/migrations';
import { tenantTableRls } from './rls';

// References between tenant tables are composite foreign keys on (product, id): the database
// itself refuses a row that points at another product's row (FK checks bypass RLS, so RLS alone would not).
export class Migration20261126010000_product_features extends Migration {
  override up(): void {
    // btree_gin lets the full-text index start with `product` like every other tenant index.
    this.addSql('create extension if not exists btree_gin');

    this.addSql(`create table "properties" (
      "id" uuid primary key,
      "product" varchar(50) not null,
      "title" varchar(200) not null,
      "description" text not null default '',
      "price_minor" bigint not null check ("price_minor" >= 0),
      "currency" char(3) not null,
      "bedrooms" integer not null check ("bedrooms" >= 0),
      "bathrooms" integer not null check ("bathrooms" >= 0),
      "address" varchar(500) not null,
      "published" boolean not null default false,
      "created_by" uuid not null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      constraint "properties_created_by_fk" foreign key ("product", "created_by") references "users" ("product", "id")
    )`);
    this.addSql(`create index "properties_product_published_created_at_index" on "properties" ("product", "published", "created_at" desc)`);
    this.addSql(`create index "properties_product_created_at_index" on "properties" ("product", "created_at" desc)`);
    this.addSql(`create index "properties_product_created_by_index" on "properties" ("product", "created_by")`);

    this.addSql(`create table "faq_categories" (
      "id" uuid primary key,
      "product" varchar(50) not null,
      "name" varchar(200) not null,
      "slug" varchar(100) not null,
      "position" integer not null default 0,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      constraint "faq_categories_product_id_unique" unique ("product", "id")
    )`);
    this.addSql(`create unique index "faq_categories_product_slug_unique" on "faq_categories" ("product", "slug")`);
    this.addSql(`create index "faq_categories_product_position_index" on "faq_categories" ("product", "position")`);

    // array_to_string is only stable; tags are plain text, so wrapping it as immutable is sound.
    this.addSql(`create function faq_tags_text(tags text[]) returns text language sql immutable as $$ select array_to_string(tags, ' ') $$`);
    this.addSql(`create table "faq_documents" (
      "id" uuid primary key,
      "product" varchar(50) not null,
      "category_id" uuid not null,
      "question" text not null,
      "answer" text not null,
      "status" varchar(20) not null default 'draft' check ("status" in ('draft', 'published', 'archived')),
      "tags" text[] not null default '{}',
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      "search_vector" tsvector generated always as (
        setweight(to_tsvector('english', "question"), 'A') ||
        setweight(to_tsvector('english', faq_tags_text("tags")), 'B') ||
        setweight(to_tsvector('english', "answer"), 'C')
      ) stored,
      constraint "faq_documents_product_id_unique" unique ("product", "id"),
      constraint "faq_documents_category_fk" foreign key ("product", "category_id") references "faq_categories" ("product", "id")
    )`);
    this.addSql(`create index "faq_documents_product_status_created_at_index" on "faq_documents" ("product", "status", "created_at" desc)`);
    this.addSql(`create index "faq_documents_product_category_index" on "faq_documents" ("product", "category_id")`);
    this.addSql(`create index "faq_documents_product_search_index" on "faq_documents" using gin ("product", "search_vector")`);

    this.addSql(`create table "faq_related" (
      "id" uuid primary key,
      "product" varchar(50) not null,
      "document_id" uuid not null,
      "related_id" uuid not null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      constraint "faq_related_not_self" check ("document_id" <> "related_id"),
      constraint "faq_related_document_fk" foreign key ("product", "document_id") references "faq_documents" ("product", "id") on delete cascade,
      constraint "faq_related_related_fk" foreign key ("product", "related_id") references "faq_documents" ("product", "id") on delete cascade
    )`);
    this.addSql(`create unique index "faq_related_product_document_related_unique" on "faq_related" ("product", "document_id", "related_id")`);

    this.addSql(`create table "faq_embeddings" (
      "id" uuid primary key,
      "product" varchar(50) not null,
      "document_id" uuid not null,
      "model" varchar(100) not null,
      "vector" real[] not null,
      "content_hash" char(64) not null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      constraint "faq_embeddings_document_fk" foreign key ("product", "document_id") references "faq_documents" ("product", "id") on delete cascade
    )`);
    this.addSql(`create unique index "faq_embeddings_product_document_unique" on "faq_embeddings" ("product", "document_id")`);

    this.addSql(`create table "faq_analytics" (
      "id" uuid primary key,
      "product" varchar(50) not null,
      "kind" varchar(20) not null check ("kind" in ('view', 'feedback', 'search')),
      "document_id" uuid null,
      "helpful" boolean null,
      "query" varchar(500) null,
      "hit_count" integer null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      constraint "faq_analytics_document_fk" foreign key ("product", "document_id") references "faq_documents" ("product", "id") on delete cascade
    )`);
    this.addSql(`create index "faq_analytics_product_kind_document_index" on "faq_analytics" ("product", "kind", "document_id")`);
    this.addSql(`create index "faq_analytics_product_kind_query_index" on "faq_analytics" ("product", "kind", "query")`);

    this.addSql(`create table "chat_prompts" (
      "id" uuid primary key,
      "product" varchar(50) not null,
      "name" varchar(100) not null,
      "content" text not null,
      "version" integer not null check ("version" >= 1),
      "active" boolean not null default false,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null
    )`);
    this.addSql(`create unique index "chat_prompts_product_name_version_unique" on "chat_prompts" ("product", "name", "version")`);
    // At most one active prompt per name, whatever the code does.
    this.addSql(`create unique index "chat_prompts_product_name_active_unique" on "chat_prompts" ("product", "name") where "active"`);

    this.addSql(`create table "chat_tools" (
      "id" uuid primary key,
      "product" varchar(50) not null,
      "name" varchar(64) not null,
      "description" text not null,
      "parameters" jsonb not null,
      "enabled" boolean not null default true,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null
    )`);
    this.addSql(`create unique index "chat_tools_product_name_unique" on "chat_tools" ("product", "name")`);

    this.addSql(`create table "conversations" (
      "id" uuid primary key,
      "product" varchar(50) not null,
      "user_id" uuid not null,
      "title" varchar(200) not null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      constraint "conversations_product_id_unique" unique ("product", "id"),
      constraint "conversations_user_fk" foreign key ("product", "user_id") references "users" ("product", "id")
    )`);
    this.addSql(`create index "conversations_product_user_index" on "conversations" ("product", "user_id", "created_at" desc)`);

    this.addSql(`create table "chat_messages" (
      "id" uuid primary key,
      "product" varchar(50) not null,
      "conversation_id" uuid not null,
      "role" varchar(20) not null check ("role" in ('user', 'assistant')),
      "content" text not null,
      "sources" uuid[] not null default '{}',
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      constraint "chat_messages_conversation_fk" foreign key ("product", "conversation_id") references "conversations" ("product", "id") on delete cascade
    )`);
    this.addSql(`create index "chat_messages_product_conversation_index" on "chat_messages" ("product", "conversation_id", "created_at")`);

    for (const table of [
      'properties',
      'faq_categories',
      'faq_documents',
      'faq_related',
      'faq_embeddings',
      'faq_analytics',
      'chat_prompts',
      'chat_tools',
      'conversations',
      'chat_messages',
    ]) {
      for (const sql of tenantTableRls(table)) {
        this.addSql(sql);
      }
    }
  }
}
