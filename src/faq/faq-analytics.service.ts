import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { FaqAnalyticsEvent } from './faq-analytics-event.entity';
import { FaqAnalyticsRepository } from './faq-analytics.repository';
import { FaqDocument } from './faq-document.entity';
import { type FaqAnalyticsResponse } from './faq.dto';

type AnalyticsEventFields = Pick<FaqAnalyticsEvent, 'kind'> &
  Partial<Pick<FaqAnalyticsEvent, 'document' | 'helpful' | 'query' | 'hitCount'>>;

const TOP = 10;
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

  recordSearch(query: string, hitCount: number): Promise<void> {
    return this.record({ kind: 'search', query: normaliseQuery(query), hitCount });
  }

  async report(): Promise<FaqAnalyticsResponse> {
    const [topViewed, mostHelpful, leastHelpful, topSearches, noResultSearches] = await Promise.all([
      this.repository.topViewed(TOP),
      this.repository.mostHelpful(TOP),
      this.repository.leastHelpful(TOP),
      this.repository.topSearches(TOP),
      this.repository.noResultSearches(TOP),
    ]);
    return { topViewed, mostHelpful, leastHelpful, topSearches, noResultSearches };
  }

  private async record(event: AnalyticsEventFields): Promise<void> {
    this.em.persist(new FaqAnalyticsEvent(event));
    await this.em.flush();
  }
}
