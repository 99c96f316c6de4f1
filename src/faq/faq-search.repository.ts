import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';

// Reviewed raw SQL (see eslint.config.mjs). No product condition on purpose: these run on the
// product's runtime role, and row-level security adds `product = app_current_product()` to every table.

// What changed in this product's searchable FAQ: row counts and the sum of row versions (xmin), so
// any insert, update or delete of a document, a vector or a synonym group changes it.
const VERSION_SQL = `
select
  (select count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) from faq_documents) || '|' ||
  (select count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) from faq_embeddings) || '|' ||
  (select count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) from faq_synonyms) as version`;

// Everything a search reads, in one statement (one snapshot): the version, the synonym groups, and
// per published document its text, its lexemes with their weights (A question, B tags, C answer;
// stemmed by PostgreSQL's english configuration when it was written) and its vector of this model.
const SNAPSHOT_SQL = `
with v as (
  select (${VERSION_SQL}) as version,
    coalesce((select json_agg(s.terms order by s.created_at, s.id) from faq_synonyms s), '[]'::json) as synonyms
)
select v.version, v.synonyms, d.id, d.question, d.answer, d.category_id as "categoryId",
  coalesce((select json_agg(json_build_array(u.lexeme, u.weights)) from unnest(d.search_vector) u), '[]'::json) as lexemes,
  e.vector
from v
left join faq_documents d on d.status = 'published'
left join faq_embeddings e on e.document_id = d.id and e.model = ?`;

// Query words as the english configuration stems them ([] for a stop word): what to_tsquery makes of them.
const STEMS_SQL = `
select t.word, coalesce(array(select u.lexeme from unnest(to_tsvector('english', t.word)) u), '{}') as lexemes
from unnest(?::text[]) as t(word)`;

export interface SnapshotRow {
  version: string;
  synonyms: string[][];
  id: string | null;
  question: string;
  answer: string;
  categoryId: string;
  lexemes: Array<[string, string[]]>;
  vector: number[] | null;
}

@Injectable()
export class FaqSearchRepository {
  constructor(private readonly em: EntityManager) {}

  async version(): Promise<string> {
    const [row] = (await this.em.getConnection().execute(VERSION_SQL)) as Array<{ version: string }>;
    return row.version;
  }

  /** The searchable FAQ of the product at one moment (see SNAPSHOT_SQL). */
  async snapshot(model: string): Promise<SnapshotRow[]> {
    return (await this.em.getConnection().execute(SNAPSHOT_SQL, [model])) as SnapshotRow[];
  }

  /** Plain lower-case words to their lexemes. */
  async stems(words: string[]): Promise<Map<string, string[]>> {
    if (words.some((word) => !/^[a-z0-9]+$/.test(word))) {
      throw new Error('full-text terms must be non-empty plain lower-case words');
    }
    const rows = (await this.em.getConnection().execute(STEMS_SQL, [arrayLiteral(words)])) as Array<{ word: string; lexemes: string[] }>;
    return new Map(rows.map((row) => [row.word, row.lexemes]));
  }
}

// Passed as one array literal: the driver would expand a JS array into a list of parameters.
function arrayLiteral(items: string[]): string {
  return `{${items.join(',')}}`;
}
