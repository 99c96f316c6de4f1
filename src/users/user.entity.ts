import { Entity, Filter, type Opt, Property } from '@mikro-orm/core';
import { type Role } from './roles';
import { TenantEntity } from '../tenancy/tenant-entity';

// Soft-deleted users vanish from every query; their audit trail stays.
@Filter({ name: 'notDeleted', cond: { deletedAt: null }, default: true })
@Entity({ tableName: 'users' })
export class User extends TenantEntity {
  @Property({ type: 'varchar', length: 255 })
  clerkUserId: string;

  @Property({ type: 'varchar', length: 320, nullable: true })
  email: string | null = null;

  @Property({ type: 'varchar', length: 255, nullable: true })
  firstName: string | null = null;

  @Property({ type: 'varchar', length: 255, nullable: true })
  lastName: string | null = null;

  @Property({ type: 'varchar', length: 20 })
  role: Opt<Role> = 'user';

  @Property({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null = null;

  // Clerk's `updated_at` of the profile last applied, so an older delivery cannot undo a newer one.
  @Property({ type: 'timestamptz', nullable: true })
  clerkUpdatedAt: Date | null = null;

  constructor(clerkUserId: string) {
    super();
    this.clerkUserId = clerkUserId;
  }
}
