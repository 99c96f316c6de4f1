import {
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
  TaskCancelledError,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import { Logger } from '@nestjs/common';
import { type ResilienceConfig } from '../config/resilience.config';

// cockatiel 3.2's isTaskCancelledError() tests the wrong marker property (always false): instanceof it is.
const isTaskCancelledError = (error: unknown): error is TaskCancelledError => error instanceof TaskCancelledError;

export type OutboundService = 'embeddings' | 'llm' | 'jwks';

export interface OutboundPolicyOptions {
  /** Bound on each attempt. */
  timeoutMs: number;
  /** Retries after the first attempt (429, 5xx, network errors, timeouts). */
  retries?: number;
  /** Consecutive failed calls that open the breaker. */
  breakAfter?: number;
  /** How long the breaker stays open before one trial call. */
  halfOpenAfterMs?: number;
  /** Which errors count as the service failing (retry and breaker); others go straight to the caller. */
  isFailure?: (error: unknown) => boolean;
}

/** A non-2xx answer of an outside service; only its status is kept (the body may echo secrets). */
export class OutboundHttpError extends Error {
  constructor(readonly status: number) {
    super(`answered ${status}`);
  }
}

/** The service could not be used: its breaker is open, it timed out, or it kept failing. */
export class OutboundUnavailableError extends Error {
  constructor(
    readonly service: OutboundService,
    readonly reason: 'open' | 'timeout' | 'failed',
    /** When the breaker will let a trial call through (seconds, at least 1). */
    readonly retryAfterSeconds: number,
    detail: string,
  ) {
    super(`${service} unavailable (${reason}): ${detail}`);
  }
}

// 429 and 5xx are worth another try; any other status is the request's (or the key's) fault.
export function isTransientOutboundError(error: unknown): boolean {
  if (error instanceof OutboundHttpError) {
    return error.status === 429 || error.status >= 500;
  }
  // fetch rejects with a TypeError on network failure; node's http with a system error code.
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  return error instanceof TypeError || isTaskCancelledError(error) || name === 'TimeoutError' || (typeof code === 'string' && /^E[A-Z]+$/.test(code));
}

export interface OutboundPolicy {
  /** Runs `call` under timeout, retry with exponential backoff and the circuit breaker. */
  call<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Seconds until a trial call is let through when the breaker is open; undefined when closed. */
  openFor(): number | undefined;
}

/** One breaker per service and app instance: build it once (a provider), share it across requests. */
export function outboundPolicy(service: OutboundService, options: OutboundPolicyOptions): OutboundPolicy {
  const logger = new Logger(`outbound:${service}`);
  const given = options.isFailure ?? isTransientOutboundError;
  // A timed-out attempt always counts as the service failing.
  const isFailure = (error: unknown): boolean => isTaskCancelledError(error) || given(error);
  const halfOpenAfter = options.halfOpenAfterMs ?? 10_000;
  const handled = handleWhen((error) => isFailure(error));
  const breaker = circuitBreaker(handled, { halfOpenAfter, breaker: new ConsecutiveBreaker(options.breakAfter ?? 5) });
  const policy = wrap(
    retry(handled, { maxAttempts: options.retries ?? 2, backoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1_000 }) }),
    breaker,
    // Aggressive: the attempt is abandoned at the deadline even if the call ignores the signal.
    timeout(options.timeoutMs, TimeoutStrategy.Aggressive),
  );
  let openedAt = 0;
  breaker.onBreak(() => {
    openedAt = Date.now();
    logger.warn(`circuit open for ${halfOpenAfter} ms`);
  });
  breaker.onReset(() => logger.log('circuit closed'));
  // cockatiel moves Open -> HalfOpen only on the next call: once the wait is over, let that call through.
  const openFor = (): number | undefined => {
    const remaining = openedAt + halfOpenAfter - Date.now();
    return breaker.state === CircuitState.Open && remaining > 0 ? Math.max(1, Math.ceil(remaining / 1000)) : undefined;
  };

  return {
    openFor,
    async call<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
      try {
        // eslint-disable-next-line no-restricted-syntax -- cockatiel's execute, not SQL
        return await policy.execute(({ signal }) => work(signal));
      } catch (error) {
        if (isBrokenCircuitError(error)) {
          throw new OutboundUnavailableError(service, 'open', openFor() ?? 1, 'circuit open');
        }
        if (isTaskCancelledError(error)) {
          throw new OutboundUnavailableError(service, 'timeout', openFor() ?? 1, `no answer within ${options.timeoutMs} ms`);
        }
        if (isFailure(error)) {
          throw new OutboundUnavailableError(service, 'failed', openFor() ?? 1, error instanceof Error ? error.message : String(error));
        }
        throw error;
      }
    },
  };
}

/** The policy of one service as configured (OUTBOUND_*, *_TIMEOUT_MS); extra options override. */
export function configuredPolicy(
  service: OutboundService,
  { outbound }: ResilienceConfig,
  extra: Partial<OutboundPolicyOptions> = {},
): OutboundPolicy {
  const timeoutMs = { embeddings: outbound.embeddingsTimeoutMs, llm: outbound.llmTimeoutMs, jwks: outbound.jwksTimeoutMs }[service];
  return outboundPolicy(service, {
    timeoutMs,
    retries: outbound.retries,
    breakAfter: outbound.breakerThreshold,
    halfOpenAfterMs: outbound.breakerHalfOpenMs,
    ...extra,
  });
}

/**
 * POSTs JSON and reads the JSON answer (undefined when it is not JSON), both inside one attempt's
 * deadline; a non-2xx answer rejects with OutboundHttpError (so 429/5xx are retried).
 */
export async function postJson(url: string, headers: Record<string, string>, body: unknown, signal: AbortSignal): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok) {
    // Its content is not ours to log: it may echo the request or the key's owner.
    await response.body?.cancel().catch(() => undefined);
    throw new OutboundHttpError(response.status);
  }
  return response.json().catch(() => undefined);
}
