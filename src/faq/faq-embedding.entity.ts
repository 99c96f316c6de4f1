import { ArrayType, Entity, ManyToOne, Property } from '@mikro-orm/core';
import { Unaudited } from '../audit/unaudited.decorator';
import { TenantEntity } from '../tenancy/tenant-entity';
import { FaqDocument } from './faq-document.entity';

// Derived data (recomputed from the document), so not audited itself.
@Unaudited()
@Entity({ tableName: 'faq_embeddings' })
export class FaqEmbedding extends TenantEntity {
  @ManyToOne(() => FaqDocument, { fieldName: 'document_id' })
  document: FaqDocument;

  @Property({ type: 'varchar', length: 100 })
  model: string;

  @Property({ type: new ArrayType<number>((item) => Number(item)), columnType: 'real[]' })
  vector: number[];

  // sha256 of the embedded text: an unchanged document is not embedded again.
  @Property({ type: 'char', length: 64 })
  contentHash: string;

  constructor(fields: Pick<FaqEmbedding, 'document' | 'model' | 'vector' | 'contentHash'>) {
    super();
    this.document = fields.document;
    this.model = fields.model;
    this.vector = fields.vector;
    this.contentHash = fields.contentHash;
  }
}
