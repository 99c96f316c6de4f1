import { createPublicKey, KeyObject, type webcrypto } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type * as Jose from 'jose';
import { configuredPolicy, type OutboundPolicy, OutboundUnavailableError } from '../common/outbound-policy';
import { RetryLaterException } from '../common/unavailable';
import { type AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';

/** This product's Clerk signing key: the PEM from CLERK_JWT_KEY, else the (cached) JWKS. */
@Injectable()
export class ClerkKeys {
  private readonly pem?: KeyObject;
  private readonly jose?: typeof Jose;
  private readonly jwks?: ReturnType<typeof Jose.createRemoteJWKSet>;
  private readonly policy?: OutboundPolicy;

  constructor(@InjectConfig() config: AppConfig) {
    if (config.clerk.jwtKey) {
      this.pem = createPublicKey(config.clerk.jwtKey);
    } else if (config.clerk.jwksUrl) {
      // Loaded only in this mode (~30 ms of a start that a PEM key does not need). jose caches the key
      // set, refetches on an unknown kid, and rate-limits refetches.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      this.jose = require('jose') as typeof Jose;
      this.jwks = this.jose.createRemoteJWKSet(new URL(config.clerk.jwksUrl), {
        cacheMaxAge: 10 * 60_000,
        cooldownDuration: 30_000,
        timeoutDuration: config.resilience.outbound.jwksTimeoutMs,
      });
      // An unknown kid or a bad key set is the token's problem (401); only an unreachable endpoint
      // counts against the breaker and is retried.
      this.policy = configuredPolicy('jwks', config.resilience, { timeoutMs: config.resilience.outbound.jwksTimeoutMs + 500, isFailure: isJwksOutage });
    }
  }

  async keyFor(rawJwt: string): Promise<KeyObject> {
    if (this.pem) {
      return this.pem;
    }
    if (!this.jwks || !this.jose) {
      throw new Error('no Clerk key configured');
    }
    const header = this.jose.decodeProtectedHeader(rawJwt);
    if (header.alg !== 'RS256') {
      throw new Error('only RS256 tokens are accepted');
    }
    const jwks = this.jwks;
    let key;
    try {
      key = await (this.policy ? this.policy.call(() => jwks({ alg: 'RS256', kid: header.kid })) : jwks({ alg: 'RS256', kid: header.kid }));
    } catch (error) {
      if (error instanceof OutboundUnavailableError) {
        // Cannot check the token now: 503 with Retry-After, not "your token is invalid".
        throw new RetryLaterException('Sign-in cannot be checked right now; please retry shortly', error.retryAfterSeconds);
      }
      throw error;
    }
    return key instanceof KeyObject ? key : KeyObject.from(key as webcrypto.CryptoKey);
  }
}

function isJwksOutage(error: unknown): boolean {
  const { code, message, name } = (error ?? {}) as { code?: unknown; message?: unknown; name?: unknown };
  if (code === 'ERR_JWKS_TIMEOUT' || name === 'TimeoutError' || error instanceof TypeError) {
    return true;
  }
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    return true;
  }
  // jose: "Expected 200 OK from the JSON Web Key Set HTTP response"
  return typeof message === 'string' && message.startsWith('Expected 200 OK');
}
