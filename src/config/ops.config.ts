import type { DestinationStream, LevelWithSilent } from 'pino';

export const RATE_LIMIT_NAMES = ['search', 'public', 'chat', 'read', 'write', 'webhook'] as const;
export type RateLimitName = (typeof RATE_LIMIT_NAMES)[number];

export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** Logging, metrics, rate limits and the HTTP guard rails (issue 8). */
export interface OpsConfig {
  log: {
    level: LevelWithSilent;
    pretty: boolean;
    /** Tests only: where log lines go (never set from the environment). */
    destination?: DestinationStream;
  };
  /** Metrics on their own port; undefined serves them at GET /api/metrics. */
  metricsPort?: number;
  /** Express `trust proxy` (false, true, a hop count, or addresses/subnets). */
  trustProxy: boolean | number | string;
  redisUrl?: string;
  /** Prefix of every rate-limit key in Redis (the product follows it). */
  redisPrefix: string;
  rateLimits: Record<RateLimitName, RateLimit>;
  requestTimeoutMs: number;
  maxInFlight: number;
  shutdownTimeoutMs: number;
}

type Fail = (message: string) => Error;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

// Per-minute defaults: search and feedback write a row each; chat costs money; Clerk must never wait.
const DEFAULT_LIMITS: Record<RateLimitName, number> = { search: 60, public: 300, chat: 10, read: 300, write: 60, webhook: 1200 };

function trimmed(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text ? text : undefined;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, fail: Fail): number {
  const text = trimmed(env[name]);
  if (text === undefined) {
    return fallback;
  }
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw fail(`${name}="${text}" must be an integer from ${min} to ${max}`);
  }
  return value;
}

// `N` (per RATE_LIMIT_WINDOW_SECONDS) or `N/S` (N per S seconds).
function rateLimit(env: NodeJS.ProcessEnv, name: RateLimitName, windowMs: number, fail: Fail): RateLimit {
  const variable = `RATE_LIMIT_${name.toUpperCase()}`;
  const text = trimmed(env[variable]);
  if (text === undefined) {
    return { limit: DEFAULT_LIMITS[name], windowMs };
  }
  const match = /^(\d{1,9})(?:\/(\d{1,6}))?$/.exec(text);
  if (!match || Number(match[1]) < 1 || (match[2] !== undefined && Number(match[2]) < 1)) {
    throw fail(`${variable}="${text}" must be "<requests>" or "<requests>/<seconds>", both at least 1`);
  }
  return { limit: Number(match[1]), windowMs: match[2] === undefined ? windowMs : Number(match[2]) * 1000 };
}

function trustProxy(text: string | undefined): boolean | number | string {
  if (text === undefined || text === 'false') {
    return false;
  }
  if (text === 'true') {
    return true;
  }
  return /^\d+$/.test(text) ? Number(text) : text;
}

export function loadOpsConfig(env: NodeJS.ProcessEnv, fail: Fail): OpsConfig {
  const level = trimmed(env.LOG_LEVEL)?.toLowerCase() ?? 'info';
  if (!LEVELS.includes(level)) {
    throw fail(`LOG_LEVEL="${level}" must be one of ${LEVELS.join(', ')}`);
  }
  const format = trimmed(env.LOG_FORMAT)?.toLowerCase();
  if (format !== undefined && format !== 'json' && format !== 'pretty') {
    throw fail(`LOG_FORMAT="${format}" must be json or pretty`);
  }
  const pretty = format === 'pretty' || (format === undefined && env.NODE_ENV !== 'production' && process.stdout.isTTY === true);

  const redisUrl = trimmed(env.REDIS_URL);
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw fail('REDIS_URL must be a redis:// or rediss:// URL');
  }
  const windowSeconds = integer(env, 'RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400, fail);
  const rateLimits = Object.fromEntries(
    RATE_LIMIT_NAMES.map((name) => [name, rateLimit(env, name, windowSeconds * 1000, fail)]),
  ) as Record<RateLimitName, RateLimit>;
  const metricsPort = trimmed(env.METRICS_PORT) === undefined ? undefined : integer(env, 'METRICS_PORT', 0, 0, 65_535, fail);

  return {
    log: { level: level as LevelWithSilent, pretty },
    metricsPort,
    trustProxy: trustProxy(trimmed(env.TRUST_PROXY)),
    redisUrl,
    redisPrefix: trimmed(env.RATE_LIMIT_REDIS_PREFIX) ?? 'ratelimit:',
    rateLimits,
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', 30_000, 100, 600_000, fail),
    maxInFlight: integer(env, 'MAX_IN_FLIGHT', 512, 1, 1_000_000, fail),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000, fail),
  };
}
