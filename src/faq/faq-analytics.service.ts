import { Injectable } from '@nestjs/common';
import { FaqAnalyticsQueue } from './faq-analytics.queue';
import { FaqAnalyticsRepository } from './faq-analytics.repository';
import { FaqDocument } from './faq-document.entity';
import { type FaqAnalyticsResponse } from './faq.dto';

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
    private readonly queue: FaqAnalyticsQueue,
    private readonly repository: FaqAnalyticsRepository,
  ) {}

  // Queued, not awaited: stored in batches within ~250 ms (see FaqAnalyticsQueue).
  recordView(document: FaqDocument): void {
    this.queue.add({ kind: 'view', documentId: document.id });
  }

  recordFeedback(document: FaqDocument, helpful: boolean): void {
    this.queue.add({ kind: 'feedback', documentId: document.id, helpful });
  }

  recordSearch(query: string, hitCount: number, bestScore: number | null = null): void {
    this.queue.add({ kind: 'search', query: normaliseQuery(query), hitCount, bestScore });
  }

  /** Stores every queued event now (the report reads the database; tests call it before reading). */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  async report(): Promise<FaqAnalyticsResponse> {
    // What was acknowledged before the report was asked for is in it.
    await this.queue.flush();
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
}
