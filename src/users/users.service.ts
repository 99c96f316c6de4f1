import { Injectable, UnauthorizedException } from '@nestjs/common';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/core';
import { findRows } from '../common/lean-read';
import { type Role } from './roles';
import { TenantContext } from '../tenancy/tenant-context';
import { orNotFound } from '../common/not-found';
import { paginate } from '../common/pagination';
import { type Page, type PageQuery } from '../common/pagination.dto';
import { UserErasure } from './user-erasure';
import { type ProfileClaims, UserProfileFetcher } from './user-profile.fetcher';
import { lockInTransaction } from '../tenancy/tenant-lock';
import { type UserSnapshot } from './user-snapshot';
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
    private readonly erasure: UserErasure,
    private readonly profiles: UserProfileFetcher,
  ) {}

  /**
   * The signed-in caller: created just in time on first sight; a user deleted by webhook stays out.
   * Plain data, not a managed entity: @CurrentUser() makes it one for the routes that need it.
   */
  async signIn(clerkUserId: string, claims: ProfileClaims = {}): Promise<UserSnapshot> {
    const known = await this.findByClerkId(clerkUserId);
    if (known) {
      if (known.deletedAt) {
        throw new UnauthorizedException('User has been deleted');
      }
      return known;
    }
    const profile = await this.profiles.profileFor(clerkUserId, claims);
    try {
      // Serialized with the webhook sync of the same user (and with a concurrent first request).
      const id = await this.em.fork().transactional(async (em) => {
        await lockInTransaction(em, clerkKey(clerkUserId));
        const existing = await em.findOne(User, { clerkUserId }, { filters: { notDeleted: false } });
        if (existing) {
          if (existing.deletedAt) {
            throw new UnauthorizedException('User has been deleted');
          }
          return existing.id;
        }
        const user = new User(clerkUserId);
        Object.assign(user, profile);
        // The new user is the actor of their own creation in the audit trail.
        this.tenant.setUser(user.id);
        em.persist(user);
        return user.id;
      });
      // From the primary: a read replica may not have this user yet (just created, here or by the webhook).
      return await this.em.findOneOrFail(User, { id }, { connectionType: 'write' });
    } catch (error) {
      // Two first requests of one user raced; the other one created it.
      if (error instanceof UniqueConstraintViolationException) {
        return this.signIn(clerkUserId, claims);
      }
      throw error;
    }
  }

  // Every authenticated request starts here: one precompiled read (see findRows). The row stays a
  // row: making it a managed entity (hydration, identity map) on every request measured ~55 µs of
  // CPU, and most signed-in routes never need one (see @CurrentUser).
  private async findByClerkId(clerkUserId: string): Promise<UserSnapshot | null> {
    const [row] = await findRows<UserSnapshot>(this.em, User, { clerkUserId }, { limit: 1, filters: { notDeleted: false } });
    return row ?? null;
  }

  list(query: PageQuery): Promise<Page<User>> {
    return paginate(this.em, User, {}, query, { orderBy: { createdAt: 'desc', id: 'asc' } });
  }

  async get(id: string): Promise<User> {
    return orNotFound(await this.em.findOne(User, { id }), 'User not found');
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

  /**
   * Soft delete with erasure: the row stays (ids keep the audit trail whole), the user vanishes from
   * every route, and their personal data is erased in the same transaction as the caller's.
   */
  async deleteFromClerk(clerkUserId: string): Promise<boolean> {
    await lockInTransaction(this.em, clerkKey(clerkUserId));
    const user = await this.em.findOne(User, { clerkUserId });
    if (!user) {
      return false;
    }
    user.deletedAt = new Date();
    user.email = user.firstName = user.lastName = null;
    await this.em.flush();
    await this.erasure.erase(user);
    return true;
  }
}

function clerkKey(clerkUserId: string): string {
  return `clerk-user:${clerkUserId}`;
}
