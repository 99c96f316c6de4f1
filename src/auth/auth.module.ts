import { Global, Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { UsersModule } from '../users/users.module';
import { ClerkAuthGuard, RolesGuard } from './auth.guards';
import { ClerkJwtStrategy } from './clerk-jwt.strategy';
import { ClerkKeys } from './clerk-keys';

@Global()
@Module({
  imports: [PassportModule, UsersModule],
  providers: [ClerkKeys, ClerkJwtStrategy, ClerkAuthGuard, RolesGuard],
  exports: [ClerkJwtStrategy, ClerkAuthGuard, RolesGuard],
})
export class AuthModule {}
