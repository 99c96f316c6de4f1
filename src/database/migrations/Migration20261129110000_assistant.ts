import { Migration } from '@mikro-orm/migrations';
import { tenantTableRls } from './rls';

// Issue 11: tool messages in conversations, token usage per model call, FAQ synonyms, best search score.
export class Migration20261129110000_assistant extends Migration {
  override up(): void {
    // Tool calls and their results are stored in the conversation (role `tool`, name, arguments).
    this.addSql(`alter table "chat_messages" drop constraint "chat_messages_role_check"`);
    this.addSql(`alter table "chat_messages" add constraint "chat_messages_role_check" check ("role" in ('user', 'assistant', 'tool'))`);
    this.addSql(`alter table "chat_messages" add column "tool_name" varchar(64) null, add column "tool_arguments" jsonb null`);
    // The caller's conversations, most recently active first.
    this.addSql(`create index "conversations_product_user_updated_index" on "conversations" ("product", "user_id", "updated_at" desc, "id" desc)`);

    this.addSql(`create table "llm_usage" (
      "id" uuid primary key,
      "product" varchar(50) not null,
      "user_id" uuid null,
      "model" varchar(100) not null,
      "day" date not null,
      "outcome" varchar(20) not null check ("outcome" in ('ok', 'error', 'aborted')),
      "prompt_tokens" integer not null check ("prompt_tokens" >= 0),
      "completion_tokens" integer not null check ("completion_tokens" >= 0),
      "total_tokens" integer not null check ("total_tokens" >= 0),
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      constraint "llm_usage_user_fk" foreign key ("product", "user_id") references "users" ("product", "id")
    )`);
    this.addSql(`create index "llm_usage_product_day_index" on "llm_usage" ("product", "day")`);
    this.addSql(`create index "llm_usage_product_user_day_index" on "llm_usage" ("product", "user_id", "day")`);

    this.addSql(`create table "faq_synonyms" (
      "id" uuid primary key,
      "product" varchar(50) not null,
      "terms" text[] not null check (cardinality("terms") between 2 and 30),
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null
    )`);
    this.addSql(`create index "faq_synonyms_product_index" on "faq_synonyms" ("product", "created_at")`);

    // The best score of a search, so the analytics can list searches that found nothing good.
    this.addSql(`alter table "faq_analytics" add column "best_score" real null`);

    for (const table of ['llm_usage', 'faq_synonyms']) {
      for (const sql of tenantTableRls(table)) {
        this.addSql(sql);
      }
    }
  }
}
