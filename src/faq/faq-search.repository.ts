import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';

// Reviewed raw SQL (see eslint.config.mjs). No product condition on purpose: these run on the
// product's runtime role, and row-level security adds `product = app_current_product()` to every table.

/**
 * Per published document matching at least one query term: the IDF-weighted share of the query's
 * terms it contains, each term counted at the weight of the best field it occurs in (question 1,
 * tags 0.9, answer 0.5). In [0, 1]: 1 means every term of the query is in the question.
 * Terms are stemmed and stop words dropped by PostgreSQL's english configuration.
 */
const FULL_TEXT_SQL = `
with terms as (
  select distinct on (query::text) t.term, query
  from unnest(?::text[]) as t(term), lateral to_tsquery('english', t.term) as query
  where numnode(query) > 0
),
published as (
  select id, search_vector from faq_documents where status = 'published'
),
weighted as (
  select t.term, t.query,
    ln(1 + ((select count(*) from published) - count(p.id) + 0.5) / (count(p.id) + 0.5)) as idf
  from terms t left join published p on p.search_vector @@ t.query
  group by t.term, t.query
)
select p.id,
  (sum(w.idf * case
     when p.search_vector @@ to_tsquery('english', w.term || ':A') then 1.0
     when p.search_vector @@ to_tsquery('english', w.term || ':B') then 0.9
     else 0.5
   end) / (select sum(idf) from weighted))::float8 as lexical
from published p
join weighted w on p.search_vector @@ w.query
group by p.id`;

// Vectors are L2-normalised when stored, so the dot product is the cosine similarity.
const SIMILARITY_SQL = `
select e.document_id as id,
  (select sum(a * b) from unnest(e.vector, ?::real[]) as v(a, b))::float8 as similarity
from faq_embeddings e
join faq_documents d on d.id = e.document_id
where d.status = 'published' and e.model = ?`;

@Injectable()
export class FaqSearchRepository {
  constructor(private readonly em: EntityManager) {}

  /** Terms must be plain words (letters and digits): they go into tsquery syntax. */
  async fullText(terms: string[]): Promise<Map<string, number>> {
    if (terms.length === 0 || terms.some((term) => !/^[a-z0-9]+$/.test(term))) {
      throw new Error('full-text terms must be non-empty plain lower-case words');
    }
    const rows = (await this.em.getConnection().execute(FULL_TEXT_SQL, [arrayLiteral(terms)])) as Array<{ id: string; lexical: number }>;
    return new Map(rows.map((row) => [row.id, Number(row.lexical)]));
  }

  /** Cosine similarity of the vector to every published document embedded with this model. */
  async similarities(model: string, vector: number[]): Promise<Map<string, number>> {
    const rows = (await this.em.getConnection().execute(SIMILARITY_SQL, [arrayLiteral(vector.map(String)), model])) as Array<{
      id: string;
      similarity: number | null;
    }>;
    return new Map(rows.map((row) => [row.id, Number(row.similarity ?? 0)]));
  }
}

// Passed as one array literal: the driver would expand a JS array into a list of parameters.
function arrayLiteral(items: string[]): string {
  return `{${items.join(',')}}`;
}
