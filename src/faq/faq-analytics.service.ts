import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { FaqAnalyticsEvent } from './faq-analytics-event.entity';
import { FaqAnalyticsRepository } from './faq-analytics.repository';
import { FaqDocument } from './faq-document.entity';
import { type FaqAnalyticsResponse } from './faq.dto';

type AnalyticsEventFields = Pick<FaqAnalyticsEvent, 'kind'> &
  Partial<Pick<FaqAnalyticsEvent, 'document' | 'helpful' | 'query' | 'hitCount' | 'bestScore'>>;

const TOP = 10;
// A search whose best result scored below this found something, but probably not what was meant
// (the score mixes full-text coverage and embedding similarity, 0..1; see FaqSearchService).
export const LOW_SCORE_THRESHOLD = 0.3;
const MAX_QUERY_LENGTH = 500;

/** Searches that differ only in case or spacing are one search to the reader of the report. */
export function normaliseQuery(query: string): string {
  return query.trim().toLowerCase().replace(/\s+/g, ' ').slice(0, MAX_QUERY_LENGTH);
}

@Injectable()
export class FaqAnalyticsService {
  constructor(
    private readonly em: EntityManager,
    private readonly repository: FaqAnalyticsRepository,
  ) {}

  recordView(document: FaqDocument): Promise<void> {
    return this.record({ kind: 'view', document });
  }

  recordFeedback(document: FaqDocument, helpful: boolean): Promise<void> {
    return this.record({ kind: 'feedback', document, helpful });
  }

  recordSearch(query: string, hitCount: number, bestScore: number | null = null): Promise<void> {
    return this.record({ kind: 'search', query: normaliseQuery(query), hitCount, bestScore });
  }

  async report(): Promise<FaqAnalyticsResponse> {
    const [topViewed, mostHelpful, leastHelpful, topSearches, noResultSearches, lowScoreSearches] = await Promise.all([
      this.repository.topViewed(TOP),
      this.repository.mostHelpful(TOP),
      this.repository.leastHelpful(TOP),
      this.repository.topSearches(TOP),
      this.repository.noResultSearches(TOP),
      this.repository.lowScoreSearches(LOW_SCORE_THRESHOLD, TOP),
    ]);
    return { topViewed, mostHelpful, leastHelpful, topSearches, noResultSearches, lowScoreSearches };
  }

  private async record(event: AnalyticsEventFields): Promise<void> {
    this.em.create(FaqAnalyticsEvent, event);
    await this.em.flush();
  }
}
