import { type OnApplicationShutdown } from '@nestjs/common';
import { type ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { expectedCondition } from '../observability/expected-condition';
import type { Metrics } from '../observability/metrics';
import { MemoryThrottlerStorage } from './memory-throttler.storage';

// One round trip, atomic across replicas: a fixed window counter plus a block once over the limit.
const INCREMENT = `
local blockTtl = redis.call('PTTL', KEYS[2])
if blockTtl > 0 then
  return { tonumber(redis.call('GET', KEYS[1]) or ARGV[2]), redis.call('PTTL', KEYS[1]), 1, blockTtl }
end
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return { hits, ttl, 1, tonumber(ARGV[3]) }
end
return { hits, ttl, 0, 0 }
`;

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/**
 * Rate-limit counters shared by every replica of a product through Redis (keys: prefix + product).
 * When Redis fails it fails open: requests are served under this process's own in-memory limits,
 * the failure is counted and logged at most once per interval, never a 500.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly fallback = new MemoryThrottlerStorage();

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly metrics: Metrics,
  ) {
    // Loaded only when REDIS_URL is set (~35 modules a start without Redis does not need).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { default: RedisClient } = require('ioredis') as typeof import('ioredis');
    this.redis = new RedisClient(url, {
      // Never queue behind a dead Redis: fail at once and serve from the fallback.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 250,
      connectTimeout: 1_000,
      retryStrategy: (attempt) => Math.min(attempt * 250, 2_000),
    });
    this.redis.on('error', (error: Error) => expectedCondition('rate-limit store', `Redis unavailable: ${error.message}`));
    this.redis.defineCommand('throttle', { numberOfKeys: 2, lua: INCREMENT });
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerStorageRecord> {
    const hitsKey = `${this.prefix}${key}`;
    try {
      const [hits, ttlMs, blocked, blockMs] = (await (
        this.redis as unknown as { throttle(...args: Array<string | number>): Promise<number[]> }
      ).throttle(hitsKey, `${hitsKey}:blocked`, ttl, limit, blockDuration)) as [number, number, number, number];
      return { totalHits: hits, timeToExpire: seconds(ttlMs), isBlocked: blocked === 1, timeToBlockExpire: seconds(blockMs) };
    } catch (error) {
      this.metrics.rateLimitStoreFailures.inc({ product: this.metrics.product });
      expectedCondition('rate-limit store', `Redis unavailable, limiting per process: ${error instanceof Error ? error.message : String(error)}`);
      return this.fallback.increment(key, ttl, limit, blockDuration);
    }
  }

  onApplicationShutdown(): void {
    this.fallback.onApplicationShutdown();
    this.redis.disconnect();
  }
}
