import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';

// Reviewed raw SQL (see eslint.config.mjs). No product condition on purpose: these run on the
// product's runtime role, and row-level security adds `product = app_current_product()` to every table.
// Every list is capped and totally ordered (ties broken by text, then id) so reports are repeatable.

export interface ViewedRow {
  documentId: string;
  question: string;
  views: number;
}

export interface RatedRow {
  documentId: string;
  question: string;
  helpful: number;
  notHelpful: number;
}

export interface SearchedRow {
  query: string;
  count: number;
  averageHits: number;
}

export interface UnansweredRow {
  query: string;
  count: number;
}

const TOP_VIEWED_SQL = `
select d.id as "documentId", d.question, count(*)::int as views
from faq_analytics a
join faq_documents d on d.id = a.document_id
where a.kind = 'view'
group by d.id, d.question
order by views desc, d.question asc, d.id asc
limit ?`;

const RATINGS_SQL = `
select d.id as "documentId", d.question,
  count(*) filter (where a.helpful)::int as helpful,
  count(*) filter (where not a.helpful)::int as "notHelpful"
from faq_analytics a
join faq_documents d on d.id = a.document_id
where a.kind = 'feedback'
group by d.id, d.question`;

const MOST_HELPFUL_SQL = `
select * from (${RATINGS_SQL}) r
where r.helpful > 0
order by r.helpful desc, r."notHelpful" asc, r.question asc, r."documentId" asc
limit ?`;

const LEAST_HELPFUL_SQL = `
select * from (${RATINGS_SQL}) r
where r."notHelpful" > 0
order by r."notHelpful" desc, r.helpful asc, r.question asc, r."documentId" asc
limit ?`;

// Search reports add the aggregates retention folded expired events into (faq_search_rollups) to
// the live events: each side is summed per query, then the two sums are added, so a count, an
// average (sum of hits over searches with a hit count, as avg() computes it) or a best score reads
// the same before and after retention.
const TOP_SEARCHES_SQL = `
select s.query, sum(s.searches)::int as count, round(sum(s.hits) / nullif(sum(s.counted), 0), 2)::float8 as "averageHits"
from (
  select a.query, count(*) as searches, sum(a.hit_count)::numeric as hits, count(a.hit_count) as counted
  from faq_analytics a
  where a.kind = 'search' and a.query is not null
  group by a.query
  union all
  select r.query, sum(r.searches), sum(r.hits_sum), sum(r.hits_counted)
  from faq_search_rollups r
  group by r.query
) s
group by s.query
order by count desc, s.query asc
limit ?`;

const NO_RESULT_SEARCHES_SQL = `
select s.query, sum(s.searches)::int as count
from (
  select a.query, count(*) as searches
  from faq_analytics a
  where a.kind = 'search' and a.hit_count = 0 and a.query is not null
  group by a.query
  union all
  select r.query, sum(r.no_result_searches)
  from faq_search_rollups r
  where r.no_result_searches > 0
  group by r.query
) s
group by s.query
order by count desc, s.query asc
limit ?`;

export interface LowScoreRow {
  query: string;
  count: number;
  bestScore: number;
}

const LOW_SCORE_SEARCHES_SQL = `
select s.query, sum(s.searches)::int as count, round(max(s.best_score)::numeric, 4)::float8 as "bestScore"
from (
  select a.query, count(*) as searches, max(a.best_score) as best_score
  from faq_analytics a
  where a.kind = 'search' and a.hit_count > 0 and a.best_score < ? and a.query is not null
  group by a.query
  union all
  select r.query, sum(r.searches), max(r.best_score)
  from faq_search_rollups r
  where r.found and r.best_score < ?
  group by r.query
) s
group by s.query
order by count desc, s.query asc
limit ?`;

@Injectable()
export class FaqAnalyticsRepository {
  constructor(private readonly em: EntityManager) {}

  topViewed(limit: number): Promise<ViewedRow[]> {
    return this.rows<ViewedRow>(TOP_VIEWED_SQL, limit);
  }

  mostHelpful(limit: number): Promise<RatedRow[]> {
    return this.rows<RatedRow>(MOST_HELPFUL_SQL, limit);
  }

  leastHelpful(limit: number): Promise<RatedRow[]> {
    return this.rows<RatedRow>(LEAST_HELPFUL_SQL, limit);
  }

  topSearches(limit: number): Promise<SearchedRow[]> {
    return this.rows<SearchedRow>(TOP_SEARCHES_SQL, limit);
  }

  noResultSearches(limit: number): Promise<UnansweredRow[]> {
    return this.rows<UnansweredRow>(NO_RESULT_SEARCHES_SQL, limit);
  }

  /** Searches that found something, but nothing scoring at least `threshold`. */
  async lowScoreSearches(threshold: number, limit: number): Promise<LowScoreRow[]> {
    return (await this.em.getConnection().execute(LOW_SCORE_SEARCHES_SQL, [threshold, threshold, limit])) as LowScoreRow[];
  }

  private async rows<T extends object>(sql: string, limit: number): Promise<T[]> {
    return (await this.em.getConnection().execute(sql, [limit])) as T[];
  }
}
