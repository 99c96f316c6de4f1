import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager, type FilterQuery } from '@mikro-orm/core';
import { inCreationOrder } from '../common/creation-order';
import { orNotFound } from '../common/not-found';
import { paginate } from '../common/pagination';
import { type Page, type PageQuery } from '../common/pagination.dto';
import { definedOnly } from '../common/validation';
import { FaqCategoriesService } from './faq-categories.service';
import { FaqDocument, FaqRelated } from './faq-document.entity';
import { FaqEmbeddingsService } from './faq-embeddings.service';
import { type AdminFaqQuery, type CreateFaqBody, type FaqDocumentRow, type PublicFaqQuery, type UpdateFaqBody } from './faq.dto';

// Served by the (product, status, created_at desc) index; id makes the order total.
const NEWEST_FIRST = { createdAt: 'desc', id: 'desc' } as const;

export interface DocumentWithRelated {
  document: FaqDocument;
  relatedIds: string[];
}

@Injectable()
export class FaqDocumentsService {
  constructor(
    private readonly em: EntityManager,
    private readonly categories: FaqCategoriesService,
    private readonly embeddings: FaqEmbeddingsService,
  ) {}

  // Public side: a draft or archived document is as invisible as one that does not exist.

  // A hot public read: plain rows, no entity hydration or identity map.
  listPublished(query: PublicFaqQuery): Promise<Page<FaqDocumentRow>> {
    const where: FilterQuery<FaqDocument> = { status: 'published' };
    if (query.category !== undefined) {
      where.category = { slug: query.category };
    }
    return paginate<FaqDocument, FaqDocumentRow>(this.em, FaqDocument, where, query, { orderBy: NEWEST_FIRST, rows: true });
  }

  async getPublished(id: string): Promise<FaqDocument> {
    return orNotFound(await this.em.findOne(FaqDocument, { id, status: 'published' }), 'FAQ document not found');
  }

  async getPublishedWithRelated(id: string): Promise<DocumentWithRelated> {
    const document = await this.getPublished(id);
    return { document, relatedIds: await this.relatedIds(document, true) };
  }

  // Admin side.

  listAll(query: AdminFaqQuery): Promise<Page<FaqDocument>> {
    return this.list(query.status === undefined ? {} : { status: query.status }, query);
  }

  async get(id: string): Promise<FaqDocument> {
    return orNotFound(await this.em.findOne(FaqDocument, { id }), 'FAQ document not found');
  }

  async getWithRelated(id: string): Promise<DocumentWithRelated> {
    const document = await this.get(id);
    return { document, relatedIds: await this.relatedIds(document, false) };
  }

  async create(body: CreateFaqBody): Promise<FaqDocument> {
    const category = await this.categories.get(body.categoryId);
    const document = new FaqDocument({ ...body, category });
    this.em.persist(document);
    await this.embeddings.refresh(document, true);
    await this.em.flush();
    return document;
  }

  /** Several documents in one flush (the seed's bulk path), in the order given, embedded in one call. */
  async createMany(bodies: CreateFaqBody[]): Promise<FaqDocument[]> {
    const documents: FaqDocument[] = [];
    for (const body of bodies) {
      documents.push(new FaqDocument({ ...body, category: await this.categories.get(body.categoryId) }));
    }
    this.em.persist(inCreationOrder(documents));
    await this.embeddings.refreshNew(documents);
    await this.em.flush();
    return documents;
  }

  async update(id: string, body: UpdateFaqBody): Promise<FaqDocument> {
    const document = await this.get(id);
    const { categoryId, ...fields } = definedOnly(body);
    if (categoryId !== undefined && categoryId !== document.category.id) {
      document.category = await this.categories.get(categoryId);
    }
    this.em.assign(document, fields);
    await this.embeddings.refresh(document, false);
    await this.em.flush();
    return document;
  }

  async remove(id: string): Promise<void> {
    const document = await this.get(id);
    // Removed through the ORM (not only by the foreign key's cascade) so the audit trail shows the links going.
    const links = await this.em.find(FaqRelated, { $or: [{ document }, { related: document }] });
    this.em.remove(links).remove(document);
    await this.em.flush();
  }

  /** Replaces the document's "see also" set; all or nothing. */
  async setRelated(id: string, ids: string[]): Promise<DocumentWithRelated> {
    const document = await this.get(id);
    if (ids.includes(document.id)) {
      throw new BadRequestException('A document cannot be related to itself');
    }
    const targets = ids.length > 0 ? await this.em.find(FaqDocument, { id: { $in: ids } }) : [];
    if (targets.length !== new Set(ids).size) {
      throw new NotFoundException('Related document not found');
    }
    const existing = await this.em.find(FaqRelated, { document });
    const wanted = new Set(ids);
    const kept = new Set<string>();
    for (const link of existing) {
      if (wanted.has(link.related.id)) {
        kept.add(link.related.id);
      } else {
        this.em.remove(link);
      }
    }
    for (const related of targets) {
      if (!kept.has(related.id)) {
        this.em.persist(new FaqRelated(document, related));
      }
    }
    await this.em.flush();
    return { document, relatedIds: [...wanted].sort() };
  }

  /** Which of these questions already exist (lets the seed stay idempotent). */
  async existingQuestions(questions: string[]): Promise<Set<string>> {
    const found = await this.em.find(FaqDocument, { question: { $in: questions } }, { fields: ['question'] });
    return new Set(found.map((document) => document.question));
  }

  private async relatedIds(document: FaqDocument, publishedOnly: boolean): Promise<string[]> {
    const where: FilterQuery<FaqRelated> = publishedOnly ? { document, related: { status: 'published' } } : { document };
    const links = await this.em.find(FaqRelated, where);
    return links.map((link) => link.related.id).sort();
  }

  private list(where: FilterQuery<FaqDocument>, query: PageQuery): Promise<Page<FaqDocument>> {
    return paginate(this.em, FaqDocument, where, query, { orderBy: NEWEST_FIRST });
  }
}
