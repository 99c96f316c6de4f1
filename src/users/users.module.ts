import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { UserErasure } from './user-erasure';
import { UserProfileFetcher } from './user-profile.fetcher';
import { UserSettingsController } from './user-settings.controller';
import { UserSettings } from './user-settings.entity';
import { UserSettingsService } from './user-settings.service';
import { User } from './user.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [MikroOrmModule.forFeature([User, UserSettings])],
  // Settings first: `me/settings` must not be taken for an `:id`.
  controllers: [UserSettingsController, UsersController],
  providers: [UsersService, UserSettingsService, UserErasure, UserProfileFetcher],
  exports: [UsersService, UserSettingsService],
})
export class UsersModule {}
