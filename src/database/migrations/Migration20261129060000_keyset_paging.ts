import { Migration } from '@mikro-orm/migrations';

// Keyset paging: every list's full order is served by a product-leading index, so a page costs the
// same at any depth. created_at is kept to milliseconds (what a cursor carries; rows the app writes
// already are), so rows inserted with now() by SQL page exactly too.
const MILLISECOND_TABLES = ['users', 'audit_log', 'properties', 'faq_documents', 'conversations'];

const REPLACED_INDEXES: Array<[drop: string, create: string]> = [
  ['users_product_created_at_index', `create index "users_product_created_at_id_index" on "users" ("product", "created_at" desc, "id" asc)`],
  ['audit_log_product_created_at_index', `create index "audit_log_product_created_at_id_index" on "audit_log" ("product", "created_at" desc, "id" desc)`],
  [
    'properties_product_published_created_at_index',
    `create index "properties_product_published_created_at_id_index" on "properties" ("product", "published", "created_at" desc, "id" desc)`,
  ],
  ['properties_product_created_at_index', `create index "properties_product_created_at_id_index" on "properties" ("product", "created_at" desc, "id" desc)`],
  [
    'faq_documents_product_status_created_at_index',
    `create index "faq_documents_product_status_created_at_id_index" on "faq_documents" ("product", "status", "created_at" desc, "id" desc)`,
  ],
  ['faq_categories_product_position_index', `create index "faq_categories_product_position_name_id_index" on "faq_categories" ("product", "position", "name", "id")`],
];

export class Migration20261129060000_keyset_paging extends Migration {
  override up(): void {
    for (const table of MILLISECOND_TABLES) {
      this.addSql(`alter table "${table}" alter column "created_at" type timestamptz(3)`);
    }
    for (const [drop, create] of REPLACED_INDEXES) {
      this.addSql(`drop index if exists "${drop}"`);
      this.addSql(create);
    }
    // Prompts are listed by name, newest version first.
    this.addSql(`create index "chat_prompts_product_name_version_desc_index" on "chat_prompts" ("product", "name", "version" desc)`);
  }
}
