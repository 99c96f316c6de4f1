import { Injectable } from '@nestjs/common';
import { FaqAnalyticsQueue } from './faq-analytics.queue';
import { FaqAnalyticsRepository } from './faq-analytics.repository';
import { FaqDocument } from './faq-document.entity';
import { type FaqAnalyticsResponse } from './faq.dto';

const TOP = 10;
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

  recordSearch(query: string, hitCount: number): void {
    this.queue.add({ kind: 'search', query: normaliseQuery(query), hitCount });
  }

  /** Stores every queued event now (the report reads the database; tests call it before reading). */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  async report(): Promise<FaqAnalyticsResponse> {
    // What was acknowledged before the report was asked for is in it.
    await this.queue.flush();
    const [topViewed, mostHelpful, leastHelpful, topSearches, noResultSearches] = await Promise.all([
      this.repository.topViewed(TOP),
      this.repository.mostHelpful(TOP),
      this.repository.leastHelpful(TOP),
      this.repository.topSearches(TOP),
      this.repository.noResultSearches(TOP),
    ]);
    return { topViewed, mostHelpful, leastHelpful, topSearches, noResultSearches };
  }
}
