import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { type Role } from '../users/roles';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { User } from '../users/user.entity';
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

export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): User => {
  return context.switchToHttp().getRequest<Request & { user: User }>().user;
});
