import { Logger } from '@nestjs/common';

const logger = new Logger('Expected');
const INTERVAL_MS = 10_000;
const seen = new Map<string, { loggedAt: number; since: number; total: number }>();

/**
 * Expected conditions (database down, timeouts, overload, Redis down, 429s) are not bugs: one line,
 * no stack, and at most one line per kind every 10 s carrying how many happened meanwhile, so an
 * outage cannot flood the log. Unexpected errors keep their stack (AllExceptionsFilter).
 */
export function expectedCondition(kind: string, message: string): void {
  const now = Date.now();
  const entry = seen.get(kind) ?? { loggedAt: 0, since: 0, total: 0 };
  entry.since += 1;
  entry.total += 1;
  seen.set(kind, entry);
  if (now - entry.loggedAt < INTERVAL_MS) {
    return;
  }
  const more = entry.since > 1 ? ` (${entry.since} times in the last ${Math.round((now - entry.loggedAt) / 1000)} s, ${entry.total} in all)` : '';
  logger.warn(`${kind}: ${message}${entry.loggedAt === 0 ? '' : more}`);
  entry.loggedAt = now;
  entry.since = 0;
}

/** Occurrences of a kind since the process started (tests and diagnostics). */
export function expectedConditionCount(kind: string): number {
  return seen.get(kind)?.total ?? 0;
}
