import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerException,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { ROLES_KEY } from '../auth/auth.constants';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import type { RateLimitName } from '../config/ops.config';
import { expectedCondition } from '../observability/expected-condition';
import { Metrics } from '../observability/metrics';
import { RATE_LIMIT_KEY } from './rate-limit.decorator';

// Set on the request once its limit is chosen (and counted), so the second placement is a no-op.
const LIMIT = Symbol('rate-limit');

type LimitedRequest = Request & { user?: { id?: string }; [LIMIT]?: RateLimitName };

/** The limit a request counts against; what a named throttler's skipIf compares with. */
export function limitOfRequest(context: ExecutionContext): RateLimitName | undefined {
  return context.switchToHttp().getRequest<LimitedRequest>()[LIMIT];
}

/**
 * @nestjs/throttler, keyed by product + caller (user id when signed in, else the client address as
 * Express resolves it under TRUST_PROXY). Runs twice: globally (anonymous routes), and inside
 * @Authenticated right after sign-in, so signed-in callers are counted by user, never by a claimed
 * `sub` of an unchecked token.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @InjectConfig() private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    super(options, storage, reflector);
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<LimitedRequest>();
    if (request[LIMIT] !== undefined) {
      return Promise.resolve(true);
    }
    const targets = [context.getHandler(), context.getClass()];
    const named = this.reflector.getAllAndOverride<RateLimitName | 'none' | undefined>(RATE_LIMIT_KEY, targets);
    if (named === 'none') {
      return Promise.resolve(true);
    }
    const signedInRoute = this.reflector.getAllAndOverride<unknown>(ROLES_KEY, targets) !== undefined;
    if (signedInRoute && !request.user) {
      // Not signed in yet: the placement inside @Authenticated counts it once the user is known.
      return Promise.resolve(true);
    }
    request[LIMIT] = named ?? (signedInRoute ? (['GET', 'HEAD', 'OPTIONS'].includes(request.method) ? 'read' : 'write') : 'public');
    return Promise.resolve(false);
  }

  protected override getTracker(request: LimitedRequest): Promise<string> {
    const userId = request.user?.id;
    return Promise.resolve(userId ? `user:${userId}` : `ip:${request.ip ?? 'unknown'}`);
  }

  // One counter per product, limit and caller (not per route): the limits are budgets across routes.
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${this.config.product}:${name}:${tracker}`;
  }

  protected override throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const name = limitOfRequest(context) ?? 'public';
    const retryAfter = Math.max(1, detail.timeToBlockExpire);
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retryAfter));
    this.metrics.rateLimitRejections.inc({ product: this.config.product, limit: name });
    expectedCondition('rate limit', `"${name}" limit of ${detail.limit} reached: answered 429`);
    throw new ThrottlerException(`Too many requests (${name} limit); retry after ${retryAfter} s`);
  }
}
