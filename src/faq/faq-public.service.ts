import { Injectable } from '@nestjs/common';
import { type Page, type PageQuery } from '../common/pagination.dto';
import { FaqAnalyticsService } from './faq-analytics.service';
import { FaqCategory } from './faq-category.entity';
import { FaqCategoriesService } from './faq-categories.service';
import { FaqDocument } from './faq-document.entity';
import { type DocumentWithRelated, FaqDocumentsService } from './faq-documents.service';
import { type FaqSearchHit, FaqSearchService } from './faq-search.service';
import { type FaqDocumentRow, type PublicFaqQuery } from './faq.dto';

/** What readers do with the FAQ: published content only, and every read that matters is counted. */
@Injectable()
export class FaqPublicService {
  constructor(
    private readonly categories: FaqCategoriesService,
    private readonly documents: FaqDocumentsService,
    private readonly searcher: FaqSearchService,
    private readonly analytics: FaqAnalyticsService,
  ) {}

  listCategories(query: PageQuery): Promise<Page<FaqCategory>> {
    return this.categories.list(query);
  }

  listDocuments(query: PublicFaqQuery): Promise<Page<FaqDocumentRow>> {
    return this.documents.listPublished(query);
  }

  /** One published document; the caller counts the view once the reader gets the body (not on a 304). */
  read(id: string): Promise<DocumentWithRelated> {
    return this.documents.getPublishedWithRelated(id);
  }

  countView(document: FaqDocument): void {
    this.analytics.recordView(document);
  }

  async search(query: string, limit: number): Promise<FaqSearchHit[]> {
    const hits = await this.searcher.search(query, limit);
    this.analytics.recordSearch(query, hits.length, hits[0]?.score ?? null);
    return hits;
  }

  async feedback(id: string, helpful: boolean): Promise<FaqDocument> {
    const document = await this.documents.getPublished(id);
    this.analytics.recordFeedback(document, helpful);
    return document;
  }
}
