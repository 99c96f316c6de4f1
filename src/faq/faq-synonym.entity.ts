import { ArrayType, Entity, Property } from '@mikro-orm/core';
import { TenantEntity } from '../tenancy/tenant-entity';

/** Words this product's readers use for one thing ("child, kid, toddler"); a search for one finds the others. */
@Entity({ tableName: 'faq_synonyms' })
export class FaqSynonymGroup extends TenantEntity {
  @Property({ type: ArrayType, columnType: 'text[]' })
  terms!: string[];
}
