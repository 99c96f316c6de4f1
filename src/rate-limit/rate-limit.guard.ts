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
import {
  THROTTLER_BLOCK_DURATION,
  THROTTLER_KEY_GENERATOR,
  THROTTLER_LIMIT,
  THROTTLER_SKIP,
  THROTTLER_TRACKER,
  THROTTLER_TTL,
} from '@nestjs/throttler/dist/throttler.constants';
import type { ThrottlerOptions, ThrottlerRequest } from '@nestjs/throttler';
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

/** What a route's metadata decides, read once per route (the reflector's lookups were per request). */
interface RoutePlan {
  named: RateLimitName | 'none' | undefined;
  signedInRoute: boolean;
  /** Per throttler name: skipped on this route, or its resolved settings. */
  limits: Map<string, 'skip' | Omit<ThrottlerRequest, 'context' | 'throttler'>>;
}

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

  private readonly plans = new WeakMap<object, WeakMap<object, RoutePlan>>();

  // ThrottlerGuard.canActivate, for the one throttler a request counts against (every other one's
  // skipIf skips it), with the route's metadata read once instead of ~20 reflector lookups per request.
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (await this.shouldSkip(context)) {
      return true;
    }
    const name = limitOfRequest(context) ?? 'public';
    const throttler = this.throttlers.find((candidate) => candidate.name === name);
    if (!throttler) {
      return true;
    }
    const plan = this.planOf(context);
    let settings = plan.limits.get(name);
    if (settings === undefined) {
      settings = this.settingsOf(context, throttler);
      plan.limits.set(name, settings);
    }
    return settings === 'skip' ? true : this.handleRequest({ context, throttler, ...settings });
  }

  private planOf(context: ExecutionContext): RoutePlan {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = this.plans.get(controller);
    if (!byHandler) {
      byHandler = new WeakMap();
      this.plans.set(controller, byHandler);
    }
    let plan = byHandler.get(handler);
    if (!plan) {
      const targets = [handler, controller];
      plan = {
        named: this.reflector.getAllAndOverride<RateLimitName | 'none' | undefined>(RATE_LIMIT_KEY, targets),
        signedInRoute: this.reflector.getAllAndOverride<unknown>(ROLES_KEY, targets) !== undefined,
        limits: new Map(),
      };
      byHandler.set(handler, plan);
    }
    return plan;
  }

  // The settings ThrottlerGuard resolves per request: route overrides (@Throttle, @SkipThrottle) first.
  private settingsOf(context: ExecutionContext, throttler: ThrottlerOptions): 'skip' | Omit<ThrottlerRequest, 'context' | 'throttler'> {
    const targets = [context.getHandler(), context.getClass()];
    const routed = <T>(key: string): T | undefined => this.reflector.getAllAndOverride<T>(key + throttler.name, targets);
    if (routed<boolean>(THROTTLER_SKIP)) {
      return 'skip';
    }
    const limit = routed<number>(THROTTLER_LIMIT) ?? throttler.limit;
    const ttl = routed<number>(THROTTLER_TTL) ?? throttler.ttl;
    const blockDuration = routed<number>(THROTTLER_BLOCK_DURATION) ?? throttler.blockDuration ?? ttl;
    if (typeof limit !== 'number' || typeof ttl !== 'number' || typeof blockDuration !== 'number') {
      throw new Error(`rate limit "${throttler.name}": only numeric limits and windows are supported`);
    }
    return {
      limit,
      ttl,
      blockDuration,
      getTracker: routed<ThrottlerOptions['getTracker']>(THROTTLER_TRACKER) ?? throttler.getTracker ?? this.commonOptions.getTracker!,
      generateKey: routed<ThrottlerOptions['generateKey']>(THROTTLER_KEY_GENERATOR) ?? throttler.generateKey ?? this.commonOptions.generateKey!,
    };
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<LimitedRequest>();
    if (request[LIMIT] !== undefined) {
      return Promise.resolve(true);
    }
    const { named, signedInRoute } = this.planOf(context);
    if (named === 'none') {
      return Promise.resolve(true);
    }
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
