import { ArrayType, Entity, ManyToOne, type Opt, Property } from '@mikro-orm/core';
import { TenantEntity } from '../tenancy/tenant-entity';
import { FaqCategory } from './faq-category.entity';

export const FAQ_STATUSES = ['draft', 'published', 'archived'] as const;
export type FaqStatus = (typeof FAQ_STATUSES)[number];

// The table also has a generated `search_vector` (question, tags, answer) used by full-text search.
@Entity({ tableName: 'faq_documents' })
export class FaqDocument extends TenantEntity {
  @ManyToOne(() => FaqCategory, { fieldName: 'category_id' })
  category!: FaqCategory;

  @Property({ type: 'text' })
  question!: string;

  @Property({ type: 'text' })
  answer!: string;

  @Property({ type: 'varchar', length: 20 })
  status: Opt<FaqStatus> = 'draft';

  @Property({ type: ArrayType })
  tags: Opt<string[]> = [];
}

/** "See also" links from one document to another of the same product. */
@Entity({ tableName: 'faq_related' })
export class FaqRelated extends TenantEntity {
  @ManyToOne(() => FaqDocument, { fieldName: 'document_id' })
  document!: FaqDocument;

  @ManyToOne(() => FaqDocument, { fieldName: 'related_id' })
  related!: FaqDocument;
}
