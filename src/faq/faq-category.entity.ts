import { Entity, type Opt, Property } from '@mikro-orm/core';
import { TenantEntity } from '../tenancy/tenant-entity';

@Entity({ tableName: 'faq_categories' })
export class FaqCategory extends TenantEntity {
  @Property({ type: 'varchar', length: 200 })
  name!: string;

  @Property({ type: 'varchar', length: 100 })
  slug!: string;

  @Property({ type: 'integer' })
  position: Opt<number> = 0;
}
