import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { type Request } from 'express';
import { LRUCache } from 'lru-cache';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { type AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { TenantContext } from '../tenancy/tenant-context';
import { type UserSnapshot } from '../users/user-snapshot';
import { UsersService } from '../users/users.service';
import { ClerkKeys } from './clerk-keys';

interface ClerkClaims {
  sub?: unknown;
  azp?: unknown;
  exp?: unknown;
}

// A token verified once is not verified again for a minute (or until it expires, if sooner): the
// same bytes carry the same signature, so the answer cannot change except by expiry or by its key
// being withdrawn, which this bounds to VERIFIED_TTL_MS. validate() (party, subject, the user) runs
// on every request regardless. The CPU profile of GET /users/me had RS256 verification at ~10%.
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_TOKENS = 10_000;
const CLOCK_TOLERANCE_S = 5;

type VerifyCallback = (claims: ClerkClaims, done: (error: unknown, user?: unknown, info?: unknown) => void) => void;

// Passport's default registry is process-wide: two apps in one process (the e2e tests run both
// products side by side) would share whichever strategy registered last. Each strategy gets its own.
@Injectable()
export class ClerkJwtStrategy extends PassportStrategy(Strategy, 'clerk') {
  getPassportInstance(): passport.Authenticator {
    return new passport.Authenticator();
  }

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly tenant: TenantContext,
    keys: ClerkKeys,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: (_request: unknown, rawJwt: string, done: (error: unknown, key?: string) => void) => {
        keys.keyFor(rawJwt).then(
          // jsonwebtoken takes a KeyObject too; passport-jwt's types only say string | Buffer.
          (key) => done(null, key as unknown as string),
          (error: unknown) => done(error),
        );
      },
      // Signature, exp and nbf are always checked; `alg: none` and HS256 never pass.
      algorithms: ['RS256'],
      issuer: config.clerk.issuer,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: CLOCK_TOLERANCE_S },
    });
  }

  private readonly verified = new LRUCache<string, ClerkClaims>({ max: VERIFIED_TOKENS, ttl: VERIFIED_TTL_MS });

  // Passport calls this on a per-request copy of the strategy (Object.create), so the wrapper of
  // _verify set here belongs to this request only.
  override authenticate(request: Request, options?: object): void {
    const token = ExtractJwt.fromAuthHeaderAsBearerToken()(request);
    const self = this as unknown as { _verify: VerifyCallback; success(user: unknown, info?: unknown): void; fail(info?: unknown): void; error(error: unknown): void };
    const known = token ? this.verified.get(token) : undefined;
    if (token && known) {
      if (typeof known.exp === 'number' && Date.now() / 1000 > known.exp + CLOCK_TOLERANCE_S) {
        this.verified.delete(token);
      } else {
        // What passport-jwt does after a successful verification.
        self._verify(known, (error, user, info) => (error ? self.error(error) : user ? self.success(user, info) : self.fail(info)));
        return;
      }
    }
    const verify = self._verify;
    self._verify = (claims, done) => {
      if (token) {
        this.verified.set(token, claims);
      }
      verify(claims, done);
    };
    super.authenticate(request, options);
  }

  async validate(claims: ClerkClaims): Promise<UserSnapshot> {
    const parties = this.config.clerk.authorizedParties;
    if (parties && (typeof claims.azp !== 'string' || !parties.includes(claims.azp))) {
      throw new UnauthorizedException('Token was issued for another party');
    }
    if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 255) {
      throw new UnauthorizedException('Token has no subject');
    }
    const user = await this.users.signIn(claims.sub, claims as Record<string, unknown>);
    this.tenant.setUser(user.id);
    return user;
  }
}
