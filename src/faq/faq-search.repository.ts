import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';

// Reviewed raw SQL (see eslint.config.mjs). No product condition on purpose: these run on the
// product's runtime role, and row-level security adds `product = app_current_product()` to every table.

/**
 * Per published document matching at least one query term: the IDF-weighted share of the query's
 * terms it contains (a term with synonyms counts once, matched by any of them), each term counted at the weight of the best field it occurs in (question 1,
 * tags 0.9, answer 0.5). In [0, 1]: 1 means every term of the query is in the question.
 * Terms are stemmed and stop words dropped by PostgreSQL's english configuration.
 */
const FULL_TEXT_SQL = `
with terms as (
  select distinct on (query::text) t.term, query,
    to_tsquery('english', regexp_replace(t.term, '([a-z0-9]+)', '\\1:A', 'g')) as query_a,
    to_tsquery('english', regexp_replace(t.term, '([a-z0-9]+)', '\\1:B', 'g')) as query_b
  from unnest(?::text[]) as t(term), lateral to_tsquery('english', t.term) as query
  where numnode(query) > 0
),
published as (
  select id, search_vector from faq_documents where status = 'published'
),
weighted as (
  select t.term, t.query, t.query_a, t.query_b,
    ln(1 + ((select count(*) from published) - count(p.id) + 0.5) / (count(p.id) + 0.5)) as idf
  from terms t left join published p on p.search_vector @@ t.query
  group by t.term, t.query, t.query_a, t.query_b
)
select p.id,
  (sum(w.idf * case
     when p.search_vector @@ w.query_a then 1.0
     when p.search_vector @@ w.query_b then 0.9
     else 0.5
   end) / (select sum(idf) from weighted))::float8 as lexical
from published p
join weighted w on p.search_vector @@ w.query
group by p.id`;

// Which vectors the published documents have, by content hash: a vector is a pure function of
// (model, text), so a hash already in the caller's cache needs no second fetch.
const EMBEDDED_SQL = `
select e.document_id as id, e.content_hash as hash
from faq_embeddings e
join faq_documents d on d.id = e.document_id
where d.status = 'published' and e.model = ?`;

const VECTORS_SQL = `
select distinct on (content_hash) content_hash as hash, vector
from faq_embeddings
where model = ? and content_hash = any(?::bpchar[])`;

@Injectable()
export class FaqSearchRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Terms must be plain words (letters and digits), or alternatives `word|word|…` (a term and its
   * synonyms: one term of the query, matched by any of them): they go into tsquery syntax.
   */
  async fullText(terms: string[]): Promise<Map<string, number>> {
    if (terms.length === 0 || terms.some((term) => !/^[a-z0-9]+(\|[a-z0-9]+)*$/.test(term))) {
      throw new Error('full-text terms must be non-empty plain lower-case words');
    }
    const rows = (await this.em.getConnection().execute(FULL_TEXT_SQL, [arrayLiteral(terms)])) as Array<{ id: string; lexical: number }>;
    return new Map(rows.map((row) => [row.id, Number(row.lexical)]));
  }

  /** The content hash of every published document's vector of this model. */
  async embeddedPublished(model: string): Promise<Array<{ id: string; hash: string }>> {
    return (await this.em.getConnection().execute(EMBEDDED_SQL, [model])) as Array<{ id: string; hash: string }>;
  }

  async vectors(model: string, hashes: string[]): Promise<Array<{ hash: string; vector: number[] }>> {
    if (hashes.some((hash) => !/^[0-9a-f]{64}$/.test(hash))) {
      throw new Error('content hashes are sha256 hex digests');
    }
    const rows = (await this.em.getConnection().execute(VECTORS_SQL, [model, arrayLiteral(hashes)])) as Array<{
      hash: string;
      vector: unknown[];
    }>;
    return rows.map((row) => ({ hash: row.hash, vector: row.vector.map(Number) }));
  }
}

// Passed as one array literal: the driver would expand a JS array into a list of parameters.
function arrayLiteral(items: string[]): string {
  return `{${items.join(',')}}`;
}
