import { type EntityData, type EntityManager } from '@mikro-orm/core';
import { User } from './user.entity';

/** The signed-in caller as read at sign-in: plain, read-only data, not a managed entity. */
export type UserSnapshot = Readonly<
  Pick<User, 'id' | 'product' | 'clerkUserId' | 'email' | 'firstName' | 'lastName' | 'role' | 'deletedAt' | 'clerkUpdatedAt' | 'createdAt' | 'updatedAt'>
>;

/**
 * The caller as a managed entity of `em` (the request's), as a findOne would have returned it: what a
 * route that writes through the user (created_by, ownership, relations) needs. A copy is merged, so
 * the snapshot stays as it was read. No validation (the row is the database's own, already mapped)
 * and no cascade (User has no relations).
 */
export function managedUser(em: EntityManager, user: UserSnapshot): User {
  if (user instanceof User) {
    return user;
  }
  return em.merge(User, { ...user } as EntityData<User>, { refresh: true, validate: false, cascade: false });
}
