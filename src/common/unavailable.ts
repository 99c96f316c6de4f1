import { HttpStatus, ServiceUnavailableException } from '@nestjs/common';

// Errors that say "the database cannot answer now", not "this request is wrong". Codes: node's
// socket errors, PostgreSQL class 08 (connection), 57P01-03 (shutdown / cannot connect now),
// 53300 (too many connections), 57014 (statement timeout), 55P03 (lock timeout), 40001/40P01
// (serialization failure / deadlock: the same request may well pass on a retry).
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '53400',
  '57014',
  '55P03',
  '40001',
  '40P01',
]);
const TRANSIENT_NAMES = new Set(['KnexTimeoutError', 'TimeoutError', 'ConnectionException']);
// pg and knex report a lost or unobtainable connection with these messages and no code ("Transaction
// query already complete": knex closed the transaction when its connection died mid-way).
const TRANSIENT_MESSAGES =
  /Transaction query already complete|Connection terminated|connection timeout|timeout exceeded when trying to connect|Timeout acquiring a connection|Client has encountered a connection error|Connection ended unexpectedly|Client was closed and is not queryable|the database system is (starting up|shutting down|in recovery)/i;

/** Seconds a client should wait before retrying after a 503 from a dependency. */
export const RETRY_AFTER_SECONDS = 2;

/** True when `error` (or what it wraps) means the database is down, overloaded or timed out. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const { code, name, message } = current as { code?: unknown; name?: unknown; message?: unknown };
    // 08P01 (protocol violation) is what a bad request provokes, not a lost connection.
    if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || (code.startsWith('08') && code !== '08P01'))) {
      return true;
    }
    if (typeof name === 'string' && TRANSIENT_NAMES.has(name)) {
      return true;
    }
    if (typeof message === 'string' && TRANSIENT_MESSAGES.test(message)) {
      return true;
    }
    current = (current as { previous?: unknown; cause?: unknown }).previous ?? (current as { cause?: unknown }).cause;
  }
  return false;
}

/** A 503 that carries its own Retry-After (seconds); the global filter sets the header. */
export class RetryLaterException extends ServiceUnavailableException {
  constructor(
    message: string,
    readonly retryAfterSeconds: number = RETRY_AFTER_SECONDS,
  ) {
    super(message);
  }
}

// Any exception may say when to come back (a 503 of ours, a used-up token budget's 429...).
export function retryAfterOf(exception: unknown, status: number): number | undefined {
  const seconds = (exception as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
  if (typeof seconds === 'number' && Number.isFinite(seconds)) {
    return Math.max(1, Math.ceil(seconds));
  }
  return status === (HttpStatus.SERVICE_UNAVAILABLE as number) ? RETRY_AFTER_SECONDS : undefined;
}
