import { type OnApplicationShutdown } from '@nestjs/common';
import { type ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Window {
  hits: number;
  resetAt: number;
  blockedUntil: number;
}

const SWEEP_MS = 30_000;
const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/**
 * Per-process counters: a fixed window per key plus a block once over the limit (the same rule as the
 * Redis script). @nestjs/throttler's own memory store keeps one timer per hit, filters a list of every
 * timer of a limit on each expiry and never forgets a key: under a flood of addresses that is
 * unbounded memory and quadratic work. Here each key costs one small object, swept when expired.
 */
export class MemoryThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly windows = new Map<string, Window>();
  private readonly sweeper = setInterval(() => this.sweep(), SWEEP_MS).unref();

  increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window) {
      window = { hits: 0, resetAt: now + ttl, blockedUntil: 0 };
      this.windows.set(key, window);
    }
    if (window.blockedUntil > now) {
      return Promise.resolve(this.record(window, now));
    }
    if (window.resetAt <= now) {
      window.hits = 0;
      window.resetAt = now + ttl;
    }
    window.hits += 1;
    if (window.hits > limit) {
      window.blockedUntil = now + blockDuration;
    }
    return Promise.resolve(this.record(window, now));
  }

  /** Keys currently held (tests, diagnostics). */
  get size(): number {
    return this.windows.size;
  }

  sweep(now = Date.now()): void {
    for (const [key, window] of this.windows) {
      if (window.resetAt <= now && window.blockedUntil <= now) {
        this.windows.delete(key);
      }
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.windows.clear();
  }

  private record(window: Window, now: number): ThrottlerStorageRecord {
    const blocked = window.blockedUntil > now;
    return {
      totalHits: window.hits,
      timeToExpire: seconds(window.resetAt - now),
      isBlocked: blocked,
      timeToBlockExpire: blocked ? seconds(window.blockedUntil - now) : 0,
    };
  }
}
