import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import passport from 'passport';
import type { Request, Response } from 'express';
import { type Role } from '../users/roles';
import { type UserSnapshot } from '../users/user-snapshot';
import { ClerkJwtStrategy } from './clerk-jwt.strategy';
import { ROLES_KEY } from './auth.constants';
import { isDatabaseUnavailable, RetryLaterException } from '../common/unavailable';

/** Runs this app's own ClerkJwtStrategy instance (never a name looked up in a global registry). */
@Injectable()
export class ClerkAuthGuard implements CanActivate {
  constructor(private readonly strategy: ClerkJwtStrategy) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request & { user?: UserSnapshot }>();
    const response = http.getResponse<Response>();
    // Passport uses a strategy *instance* as is and sets its success/fail/error callbacks on it for the
    // request: shared across concurrent requests, a slow verification (first sign-in) would answer
    // another request's callback. Each request gets its own object inheriting from this app's strategy.
    const strategy = Object.create(this.strategy) as ClerkJwtStrategy;
    return new Promise((resolve, reject) => {
      const middleware: unknown = passport.authenticate(strategy, { session: false }, (error: unknown, user: UserSnapshot | false, info: unknown) => {
        if (error instanceof UnauthorizedException) {
          return reject(error);
        }
        // "Cannot check the user now" is not "the token is invalid": the database or the key set is
        // unreachable, so the client is told to retry (503), not to sign in again (401).
        if (error instanceof Error && (error instanceof RetryLaterException || isDatabaseUnavailable(error))) {
          return reject(error);
        }
        if (info instanceof RetryLaterException) {
          return reject(info);
        }
        // One answer for every other failure: what exactly was wrong with a token is not the client's business.
        if (error || !user) {
          return reject(new UnauthorizedException('Invalid or missing session token'));
        }
        request.user = user;
        resolve(true);
      });
      (middleware as (req: Request, res: Response, next: (error: unknown) => void) => void)(request, response, reject);
    });
  }
}

@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (!roles || roles.length === 0) {
      return true;
    }
    const user = context.switchToHttp().getRequest<Request & { user?: UserSnapshot }>().user;
    if (!user || !roles.includes(user.role)) {
      throw new ForbiddenException(`Requires role: ${roles.join(' or ')}`);
    }
    return true;
  }
}
