import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule, type ThrottlerStorage } from '@nestjs/throttler';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RATE_LIMIT_NAMES } from '../config/ops.config';
import { Metrics } from '../observability/metrics';
import { MemoryThrottlerStorage } from './memory-throttler.storage';
import { limitOfRequest, RateLimitGuard } from './rate-limit.guard';
import { RedisThrottlerStorage } from './redis-throttler.storage';

export const RATE_LIMIT_STORAGE = Symbol('RATE_LIMIT_STORAGE');

// The store as a provider of its own, so Nest runs its shutdown hook (timers, the Redis connection).
@Global()
@Module({
  providers: [
    {
      provide: RATE_LIMIT_STORAGE,
      inject: [APP_CONFIG, Metrics],
      useFactory: ({ ops }: AppConfig, metrics: Metrics): ThrottlerStorage =>
        ops.redisUrl ? new RedisThrottlerStorage(ops.redisUrl, ops.redisPrefix, metrics) : new MemoryThrottlerStorage(),
    },
  ],
  exports: [RATE_LIMIT_STORAGE],
})
class RateLimitStorageModule {}

/** Per-product rate limits: one named throttler per limit, each applying only to its own routes. */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [APP_CONFIG, RATE_LIMIT_STORAGE],
      useFactory: ({ ops }: AppConfig, storage: ThrottlerStorage) => ({
        storage,
        setHeaders: false,
        throttlers: RATE_LIMIT_NAMES.map((name) => ({
          name,
          limit: ops.rateLimits[name].limit,
          ttl: ops.rateLimits[name].windowMs,
          skipIf: (context) => limitOfRequest(context) !== name,
        })),
      }),
    }),
  ],
  providers: [RateLimitGuard, { provide: APP_GUARD, useExisting: RateLimitGuard }],
  exports: [RateLimitGuard],
})
export class RateLimitModule {}
