import { randomUUID } from 'node:crypto';
import { type EntityMetadata, type Opt, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Base of every tenant-owned entity. Extending it is all a feature does for tenancy:
 * the product filter, the product stamp, the flush guard, audit and RLS follow from it.
 */
export abstract class TenantEntity {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  // Stamped from the tenant context at flush; never set from a request.
  @Property({ type: 'varchar', length: 50 })
  product!: Opt<string>;

  @Property({ type: 'timestamptz' })
  createdAt: Opt<Date> = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Opt<Date> = new Date();
}

export function isTenantOwned(meta: EntityMetadata | undefined): boolean {
  return meta?.class?.prototype instanceof TenantEntity;
}

export class TenantViolationError extends Error {}
