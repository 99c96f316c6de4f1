import { Entity, type Opt, Property } from '@mikro-orm/core';
import { TenantEntity } from '../tenancy/tenant-entity';

@Entity({ tableName: 'faq_categories' })
export class FaqCategory extends TenantEntity {
  @Property({ type: 'varchar', length: 200 })
  name: string;

  @Property({ type: 'varchar', length: 100 })
  slug: string;

  @Property({ type: 'integer' })
  position: Opt<number> = 0;

  constructor(fields: Pick<FaqCategory, 'name' | 'slug'> & Partial<Pick<FaqCategory, 'position'>>) {
    super();
    this.name = fields.name;
    this.slug = fields.slug;
    this.position = fields.position ?? this.position;
  }
}
