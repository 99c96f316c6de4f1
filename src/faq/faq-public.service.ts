import { Injectable } from '@nestjs/common';
import { type Page } from '../common/pagination.dto';
import { FaqAnalyticsService } from './faq-analytics.service';
import { FaqCategory } from './faq-category.entity';
import { FaqCategoriesService } from './faq-categories.service';
import { FaqDocument } from './faq-document.entity';
import { type DocumentWithRelated, FaqDocumentsService } from './faq-documents.service';
import { type FaqSearchHit, FaqSearchService } from './faq-search.service';
import { type PublicFaqQuery } from './faq.dto';

/** What readers do with the FAQ: published content only, and every read that matters is counted. */
@Injectable()
export class FaqPublicService {
  constructor(
    private readonly categories: FaqCategoriesService,
    private readonly documents: FaqDocumentsService,
    private readonly searcher: FaqSearchService,
    private readonly analytics: FaqAnalyticsService,
  ) {}

  listCategories(): Promise<FaqCategory[]> {
    return this.categories.all();
  }

  listDocuments(query: PublicFaqQuery): Promise<Page<FaqDocument>> {
    return this.documents.listPublished(query);
  }

  async read(id: string): Promise<DocumentWithRelated> {
    const found = await this.documents.getPublishedWithRelated(id);
    await this.analytics.recordView(found.document);
    return found;
  }

  async search(query: string, limit: number): Promise<FaqSearchHit[]> {
    const hits = await this.searcher.search(query, limit);
    await this.analytics.recordSearch(query, hits.length, hits[0]?.score ?? null);
    return hits;
  }

  async feedback(id: string, helpful: boolean): Promise<FaqDocument> {
    const document = await this.documents.getPublished(id);
    await this.analytics.recordFeedback(document, helpful);
    return document;
  }
}
