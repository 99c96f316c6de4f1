import { applyDecorators, createParamDecorator, type ExecutionContext, Injectable, type PipeTransform, SetMetadata, UseGuards } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { type Role } from '../users/roles';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { User } from '../users/user.entity';
import { managedUser, type UserSnapshot } from '../users/user-snapshot';
import { ROLES_KEY } from './auth.constants';
import { ClerkAuthGuard, RolesGuard } from './auth.guards';

/** Signed in, and (when roles are given) holding one of them. */
export function Authenticated(...roles: Role[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    // Counted by user once signed in (the global placement skips signed-in routes).
    UseGuards(ClerkAuthGuard, RateLimitGuard, RolesGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing or invalid Clerk session token' }),
    ...(roles.length > 0 ? [ApiForbiddenResponse({ description: `Requires role: ${roles.join(' or ')}` })] : []),
  );
}

const signedInUser = createParamDecorator((_data: unknown, context: ExecutionContext): UserSnapshot => {
  return context.switchToHttp().getRequest<Request & { user: UserSnapshot }>().user;
});

/** Makes the caller a managed entity of the request's EntityManager (the one services are given). */
@Injectable()
export class ManagedUserPipe implements PipeTransform<UserSnapshot, User> {
  constructor(private readonly em: EntityManager) {}

  transform(user: UserSnapshot): User {
    return managedUser(this.em, user);
  }
}

/** The signed-in caller as a managed User entity: for routes that write through it or relate to it. */
export const CurrentUser = (): ParameterDecorator => signedInUser(ManagedUserPipe);

/** The signed-in caller as read at sign-in, without making an entity of it: for read-only use. */
export const CurrentUserSnapshot = (): ParameterDecorator => signedInUser();
