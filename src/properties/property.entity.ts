// `Property` is the product's word for a listing; MikroORM's column decorator is renamed to keep both readable.
import { BigIntType, Entity, ManyToOne, type Opt, Property as Column } from '@mikro-orm/core';
import { TenantEntity } from '../tenancy/tenant-entity';
import { User } from '../users/user.entity';

@Entity({ tableName: 'properties' })
export class Property extends TenantEntity {
  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'text' })
  description: Opt<string> = '';

  // Integer minor units (cents); bigint so expensive real estate never overflows.
  @Column({ type: new BigIntType('number') })
  priceMinor: number;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'integer' })
  bedrooms: number;

  @Column({ type: 'integer' })
  bathrooms: number;

  @Column({ type: 'varchar', length: 500 })
  address: string;

  @Column({ type: 'boolean' })
  published: Opt<boolean> = false;

  @ManyToOne(() => User, { fieldName: 'created_by' })
  createdBy: User;

  constructor(
    fields: Pick<Property, 'title' | 'priceMinor' | 'currency' | 'bedrooms' | 'bathrooms' | 'address' | 'createdBy'> &
      Partial<Pick<Property, 'description' | 'published'>>,
  ) {
    super();
    this.title = fields.title;
    this.priceMinor = fields.priceMinor;
    this.currency = fields.currency;
    this.bedrooms = fields.bedrooms;
    this.bathrooms = fields.bathrooms;
    this.address = fields.address;
    this.createdBy = fields.createdBy;
    this.description = fields.description ?? this.description;
    this.published = fields.published ?? this.published;
  }
}
