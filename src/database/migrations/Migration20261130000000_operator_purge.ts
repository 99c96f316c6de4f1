import { Migration } from '@mikro-orm/migrations';
import { operatorPurgePolicies } from './rls';

// Every tenant table so far; later ones get the same policies from tenantTable().
const TENANT_TABLES = [
  'users',
  'audit_log',
  'webhook_events',
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
  'user_settings',
  'llm_usage',
  'faq_synonyms',
];

// Issue 9: the operator's purge runs as a plain owner (no superuser, no BYPASSRLS). The owner names
// the product for one transaction and RLS confines what it may read and delete to that product's
// rows. A setting any session may write is enough here: the policies apply to the owner alone, and
// the owner could drop policies anyway; a runtime role setting it changes nothing it can see.
export class Migration20261130000000_operator_purge extends Migration {
  override up(): void {
    this.addSql(`create function app_purge_product() returns varchar
      language sql stable security invoker
      as $$ select nullif(current_setting('app.purge_product', true), '')::varchar $$`);
    for (const table of TENANT_TABLES) {
      for (const sql of operatorPurgePolicies(table)) {
        this.addSql(sql);
      }
    }
  }
}
