import { Migration } from '@mikro-orm/migrations';
import { tenantTable } from './tenant-table';

// Issue 9: retention removes raw search texts but keeps their aggregates. Expired search events
// are folded here, one row per query, day, outcome (found anything) and best score, so every search
// report (top, no result, low score under any threshold) adds these to the live events and reads
// exactly what it read before. Unique nulls-not-distinct (PostgreSQL 15+): a search that found
// nothing has no best score, and its row must still be one.
export class Migration20261130010000_faq_search_rollups extends Migration {
  override up(): void {
    for (const sql of tenantTable({
      name: 'faq_search_rollups',
      columns: [
        '"query" varchar(500) not null',
        '"day" date not null',
        '"found" boolean not null',
        '"best_score" real null',
        '"searches" integer not null check ("searches" > 0)',
        '"no_result_searches" integer not null check ("no_result_searches" between 0 and "searches")',
        '"hits_sum" bigint not null check ("hits_sum" >= 0)',
        '"hits_counted" integer not null check ("hits_counted" between 0 and "searches")',
      ],
      constraints: [
        'constraint "faq_search_rollups_product_query_day_unique" unique nulls not distinct ("product", "query", "day", "found", "best_score")',
      ],
    })) {
      this.addSql(sql);
    }
  }
}
