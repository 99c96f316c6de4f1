import { ConfigError } from './app-config';

/** Bounds on the runtime database pool and on every statement it runs (see README, "Fail fast"). */
export interface ResilienceConfig {
  database: {
    poolMax: number;
    /** Waiting longer than this for a pooled connection answers 503. */
    acquireTimeoutMs: number;
    connectTimeoutMs: number;
    statementTimeoutMs: number;
    lockTimeoutMs: number;
  };
  /** Per-call timeout of the outside services (embeddings, LLM, JWKS). */
  outbound: {
    embeddingsTimeoutMs: number;
    llmTimeoutMs: number;
    jwksTimeoutMs: number;
    /** Retries after a failed attempt (429, 5xx, network error, timeout), with exponential backoff. */
    retries: number;
    /** Consecutive failed attempts that open a service's circuit breaker. */
    breakerThreshold: number;
    /** How long an open breaker fails calls at once before letting one trial call through. */
    breakerHalfOpenMs: number;
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name]?.trim();
  if (!text) {
    return fallback;
  }
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}="${text}" must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function loadResilienceConfig(env: NodeJS.ProcessEnv): ResilienceConfig {
  return {
    database: {
      poolMax: integer(env, 'DATABASE_POOL_MAX', 10, 1, 1000),
      acquireTimeoutMs: integer(env, 'DATABASE_ACQUIRE_TIMEOUT_MS', 2_000, 100, 600_000),
      connectTimeoutMs: integer(env, 'DATABASE_CONNECT_TIMEOUT_MS', 2_000, 100, 600_000),
      statementTimeoutMs: integer(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 10_000, 100, 3_600_000),
      lockTimeoutMs: integer(env, 'DATABASE_LOCK_TIMEOUT_MS', 5_000, 100, 3_600_000),
    },
    outbound: {
      embeddingsTimeoutMs: integer(env, 'EMBEDDINGS_TIMEOUT_MS', 5_000, 100, 600_000),
      llmTimeoutMs: integer(env, 'LLM_TIMEOUT_MS', 30_000, 100, 600_000),
      jwksTimeoutMs: integer(env, 'CLERK_JWKS_TIMEOUT_MS', 3_000, 100, 600_000),
      retries: integer(env, 'OUTBOUND_RETRIES', 2, 0, 10),
      breakerThreshold: integer(env, 'OUTBOUND_BREAKER_THRESHOLD', 5, 1, 1000),
      breakerHalfOpenMs: integer(env, 'OUTBOUND_BREAKER_HALF_OPEN_MS', 10_000, 100, 3_600_000),
    },
  };
}
