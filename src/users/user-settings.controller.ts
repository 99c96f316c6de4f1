import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../auth/authenticated.decorator';
import { UpdateUserSettingsBody, UserSettingsResponse } from './user-settings.dto';
import { UserSettingsService } from './user-settings.service';
import { User } from './user.entity';

@ApiTags('users')
@Controller('v1/users/me/settings')
export class UserSettingsController {
  constructor(private readonly settings: UserSettingsService) {}

  @Get()
  @Authenticated()
  @ApiOkResponse({ type: UserSettingsResponse })
  get(@CurrentUser() user: User): Promise<UserSettingsResponse> {
    return this.settings.get(user);
  }

  @Patch()
  @Authenticated()
  @ApiOkResponse({ type: UserSettingsResponse })
  update(@CurrentUser() user: User, @Body() body: UpdateUserSettingsBody): Promise<UserSettingsResponse> {
    return this.settings.update(user, body);
  }
}
