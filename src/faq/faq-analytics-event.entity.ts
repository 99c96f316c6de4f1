import { Entity, ManyToOne, Property } from '@mikro-orm/core';
import { Unaudited } from '../audit/unaudited.decorator';
import { TenantEntity } from '../tenancy/tenant-entity';
import { FaqDocument } from './faq-document.entity';

export type FaqAnalyticsKind = 'view' | 'feedback' | 'search';

// An append-only event log (itself a trail), so not audited.
@Unaudited()
@Entity({ tableName: 'faq_analytics' })
export class FaqAnalyticsEvent extends TenantEntity {
  @Property({ type: 'varchar', length: 20 })
  kind: FaqAnalyticsKind;

  @ManyToOne(() => FaqDocument, { fieldName: 'document_id', nullable: true })
  document: FaqDocument | null = null;

  @Property({ type: 'boolean', nullable: true })
  helpful: boolean | null = null;

  @Property({ type: 'varchar', length: 500, nullable: true })
  query: string | null = null;

  @Property({ type: 'integer', nullable: true })
  hitCount: number | null = null;

  // A search's best score (null when it found nothing): low ones tell an admin which words are missing.
  @Property({ type: 'real', nullable: true })
  bestScore: number | null = null;

  constructor(fields: Pick<FaqAnalyticsEvent, 'kind'> & Partial<Pick<FaqAnalyticsEvent, 'document' | 'helpful' | 'query' | 'hitCount' | 'bestScore'>>) {
    super();
    this.kind = fields.kind;
    this.document = fields.document ?? null;
    this.helpful = fields.helpful ?? null;
    this.query = fields.query ?? null;
    this.hitCount = fields.hitCount ?? null;
    this.bestScore = fields.bestScore ?? null;
  }
}
