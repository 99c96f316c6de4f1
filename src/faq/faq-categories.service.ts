import { ConflictException, Injectable } from '@nestjs/common';
import { EntityManager, ForeignKeyConstraintViolationException } from '@mikro-orm/core';
import { orNotFound } from '../common/not-found';
import { paginate } from '../common/pagination';
import { type Page, type PageQuery } from '../common/pagination.dto';
import { definedOnly } from '../common/validation';
import { FaqCategory } from './faq-category.entity';
import { FaqDocument } from './faq-document.entity';
import { type CreateCategoryBody, type UpdateCategoryBody } from './faq.dto';

// Served by the (product, position) index; name and id make the order total.
const BY_POSITION = { position: 'asc', name: 'asc', id: 'asc' } as const;

@Injectable()
export class FaqCategoriesService {
  constructor(private readonly em: EntityManager) {}

  all(): Promise<FaqCategory[]> {
    return this.em.find(FaqCategory, {}, { orderBy: BY_POSITION });
  }

  list(query: PageQuery): Promise<Page<FaqCategory>> {
    return paginate(this.em, FaqCategory, {}, query, { orderBy: BY_POSITION });
  }

  async get(id: string): Promise<FaqCategory> {
    return orNotFound(await this.em.findOne(FaqCategory, { id }), 'Category not found');
  }

  findBySlug(slug: string): Promise<FaqCategory | null> {
    return this.em.findOne(FaqCategory, { slug });
  }

  async create(body: CreateCategoryBody): Promise<FaqCategory> {
    await this.assertSlugFree(body.slug);
    const category = new FaqCategory(body);
    this.em.persist(category);
    // A concurrent create of the same slug still ends as 409 (unique index, global filter).
    await this.em.flush();
    return category;
  }

  async update(id: string, body: UpdateCategoryBody): Promise<FaqCategory> {
    const category = await this.get(id);
    if (body.slug !== undefined && body.slug !== category.slug) {
      await this.assertSlugFree(body.slug);
    }
    this.em.assign(category, definedOnly(body));
    await this.em.flush();
    return category;
  }

  async remove(id: string): Promise<void> {
    const category = await this.get(id);
    if ((await this.em.count(FaqDocument, { category })) > 0) {
      throw new ConflictException('The category still has documents; move or delete them first');
    }
    try {
      await this.em.remove(category).flush();
    } catch (error) {
      // A document was added between the count and the delete.
      if (error instanceof ForeignKeyConstraintViolationException) {
        throw new ConflictException('The category still has documents; move or delete them first');
      }
      throw error;
    }
  }

  private async assertSlugFree(slug: string): Promise<void> {
    if ((await this.em.count(FaqCategory, { slug })) > 0) {
      throw new ConflictException(`A category with slug "${slug}" already exists`);
    }
  }
}
