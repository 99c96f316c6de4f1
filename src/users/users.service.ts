import { Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/core';
import { type Role } from '../config/app-config';
import { TenantContext } from '../tenancy/tenant-context';
import { lockInTransaction } from '../tenancy/tenant-lock';
import { type Page, page, type PageQuery } from '../common/pagination.dto';
import { User } from './user.entity';

export interface ClerkProfile {
  clerkUserId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  role: Role;
  /** When Clerk last changed the profile; deliveries may arrive out of order. */
  updatedAt?: Date;
}

@Injectable()
export class UsersService {
  constructor(
    private readonly em: EntityManager,
    private readonly tenant: TenantContext,
  ) {}

  /** The signed-in caller: created just in time on first sight; a user deleted by webhook stays out. */
  async signIn(clerkUserId: string): Promise<User> {
    const known = await this.em.findOne(User, { clerkUserId }, { filters: { notDeleted: false } });
    if (known) {
      if (known.deletedAt) {
        throw new UnauthorizedException('User has been deleted');
      }
      return known;
    }
    try {
      // Serialized with the webhook sync of the same user (and with a concurrent first request).
      const created = await this.em.fork().transactional(async (em) => {
        await lockInTransaction(em, clerkKey(clerkUserId));
        if (await em.findOne(User, { clerkUserId }, { filters: { notDeleted: false } })) {
          return null;
        }
        const user = new User(clerkUserId);
        // The new user is the actor of their own creation in the audit trail.
        this.tenant.setUser(user.id);
        em.persist(user);
        return user;
      });
      return created ? await this.em.findOneOrFail(User, { id: created.id }) : await this.signIn(clerkUserId);
    } catch (error) {
      // Two first requests of one user raced; the other one created it.
      if (error instanceof UniqueConstraintViolationException) {
        return this.signIn(clerkUserId);
      }
      throw error;
    }
  }

  async list(query: PageQuery): Promise<Page<User>> {
    const [items, total] = await this.em.findAndCount(
      User,
      {},
      { orderBy: { createdAt: 'desc', id: 'asc' }, limit: query.limit, offset: query.offset },
    );
    return page(items, total, query);
  }

  async get(id: string): Promise<User> {
    const user = await this.em.findOne(User, { id });
    if (!user) {
      throw new NotFoundException('User not found');
    }
    return user;
  }

  async changeRole(id: string, role: Role): Promise<User> {
    const user = await this.get(id);
    user.role = role;
    await this.em.flush();
    return user;
  }

  /**
   * Create or update from Clerk's view of the user (webhooks). Deleted users stay deleted, and a
   * profile older than the one already applied is skipped. Returns false when nothing was applied.
   */
  async syncFromClerk(profile: ClerkProfile): Promise<{ user: User; applied: boolean }> {
    // Deliveries for one user serialize here (until the delivery's transaction ends), so they
    // never both insert, and the updated_at comparison below sees the other's result.
    await lockInTransaction(this.em, clerkKey(profile.clerkUserId));
    let user = await this.em.findOne(User, { clerkUserId: profile.clerkUserId }, { filters: { notDeleted: false } });
    if (!user) {
      user = new User(profile.clerkUserId);
      this.em.persist(user);
    }
    const stale = profile.updatedAt !== undefined && user.clerkUpdatedAt !== null && profile.updatedAt < user.clerkUpdatedAt;
    if (user.deletedAt || stale) {
      return { user, applied: false };
    }
    user.email = profile.email;
    user.firstName = profile.firstName;
    user.lastName = profile.lastName;
    user.role = profile.role;
    user.clerkUpdatedAt = profile.updatedAt ?? user.clerkUpdatedAt;
    await this.em.flush();
    return { user, applied: true };
  }

  /** Soft delete: the row stays for the audit trail and the user vanishes from every route. */
  async deleteFromClerk(clerkUserId: string): Promise<boolean> {
    await lockInTransaction(this.em, clerkKey(clerkUserId));
    const user = await this.em.findOne(User, { clerkUserId });
    if (!user) {
      return false;
    }
    user.deletedAt = new Date();
    await this.em.flush();
    return true;
  }
}

function clerkKey(clerkUserId: string): string {
  return `clerk-user:${clerkUserId}`;
}
