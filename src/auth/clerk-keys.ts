import { createPublicKey, KeyObject, type webcrypto } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { createRemoteJWKSet, decodeProtectedHeader } from 'jose';
import { type AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';

/** This product's Clerk signing key: the PEM from CLERK_JWT_KEY, else the (cached) JWKS. */
@Injectable()
export class ClerkKeys {
  private readonly pem?: KeyObject;
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(@InjectConfig() config: AppConfig) {
    if (config.clerk.jwtKey) {
      this.pem = createPublicKey(config.clerk.jwtKey);
    } else if (config.clerk.jwksUrl) {
      // jose caches the key set, refetches on an unknown kid, and rate-limits refetches.
      this.jwks = createRemoteJWKSet(new URL(config.clerk.jwksUrl), {
        cacheMaxAge: 10 * 60_000,
        cooldownDuration: 30_000,
        timeoutDuration: 5_000,
      });
    }
  }

  async keyFor(rawJwt: string): Promise<KeyObject> {
    if (this.pem) {
      return this.pem;
    }
    if (!this.jwks) {
      throw new Error('no Clerk key configured');
    }
    const header = decodeProtectedHeader(rawJwt);
    if (header.alg !== 'RS256') {
      throw new Error('only RS256 tokens are accepted');
    }
    const key = await this.jwks({ alg: 'RS256', kid: header.kid });
    return key instanceof KeyObject ? key : KeyObject.from(key as webcrypto.CryptoKey);
  }
}
