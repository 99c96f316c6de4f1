import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { type AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { TenantContext } from '../tenancy/tenant-context';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { ClerkKeys } from './clerk-keys';

interface ClerkClaims {
  sub?: unknown;
  azp?: unknown;
}

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
      jsonWebTokenOptions: { clockTolerance: 5 },
    });
  }

  async validate(claims: ClerkClaims): Promise<User> {
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
