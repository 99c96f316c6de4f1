import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { Authenticated, CurrentUserSnapshot } from '../auth/authenticated.decorator';
import { PageQuery } from '../common/pagination.dto';
import { type UserSnapshot } from './user-snapshot';
import { toUserResponse, UpdateRoleBody, UserPage, UserResponse } from './users.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @ApiOperation({ summary: 'The signed-in user' })
  @Get('me')
  @Authenticated()
  @ApiOkResponse({ type: UserResponse })
  me(@CurrentUserSnapshot() user: UserSnapshot): UserResponse {
    return toUserResponse(user);
  }

  @ApiOperation({ summary: 'List users' })
  @Get()
  @Authenticated('admin')
  @ApiOkResponse({ type: UserPage })
  async list(@Query() query: PageQuery): Promise<UserPage> {
    const result = await this.users.list(query);
    return { ...result, items: result.items.map(toUserResponse) };
  }

  @ApiOperation({ summary: 'Get a user' })
  @Get(':id')
  @Authenticated('admin')
  @ApiOkResponse({ type: UserResponse })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<UserResponse> {
    return toUserResponse(await this.users.get(id));
  }

  @ApiOperation({ summary: "Change a user's role" })
  @Patch(':id/role')
  @Authenticated('admin')
  @ApiOkResponse({ type: UserResponse })
  async changeRole(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateRoleBody): Promise<UserResponse> {
    return toUserResponse(await this.users.changeRole(id, body.role));
  }
}
