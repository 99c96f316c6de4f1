import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../auth/authenticated.decorator';
import { PublicCache } from '../common/http-cache';
import { PageQuery } from '../common/pagination.dto';
import { User } from '../users/user.entity';
import {
  AdminPropertyQuery,
  CreatePropertyBody,
  PropertyPage,
  PropertyResponse,
  toPropertyResponse,
  UpdatePropertyBody,
} from './properties.dto';
import { PropertiesService } from './properties.service';

@ApiTags('properties')
@Controller('v1/properties')
@PublicCache()
export class PropertiesController {
  constructor(private readonly properties: PropertiesService) {}

  @ApiOperation({ summary: 'List published properties' })
  @Get()
  @ApiOkResponse({ type: PropertyPage, description: 'Published properties, newest first' })
  async list(@Query() query: PageQuery): Promise<PropertyPage> {
    const result = await this.properties.listPublished(query);
    return { ...result, items: result.items.map(toPropertyResponse) };
  }

  @ApiOperation({ summary: 'Get a published property' })
  @Get(':id')
  @ApiOkResponse({ type: PropertyResponse })
  @ApiNotFoundResponse({ description: 'Unknown or not published' })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<PropertyResponse> {
    return toPropertyResponse(await this.properties.getPublished(id));
  }
}

@ApiTags('admin: properties')
@Controller('v1/admin/properties')
@Authenticated('agent', 'admin')
export class AdminPropertiesController {
  constructor(private readonly properties: PropertiesService) {}

  @ApiOperation({ summary: 'List all properties (drafts included)' })
  @Get()
  @ApiOkResponse({ type: PropertyPage, description: 'All properties including drafts, newest first' })
  async list(@Query() query: AdminPropertyQuery): Promise<PropertyPage> {
    const result = await this.properties.listAll(query);
    return { ...result, items: result.items.map(toPropertyResponse) };
  }

  @ApiOperation({ summary: 'Create a property' })
  @Post()
  @ApiCreatedResponse({ type: PropertyResponse })
  async create(@Body() body: CreatePropertyBody, @CurrentUser() user: User): Promise<PropertyResponse> {
    return toPropertyResponse(await this.properties.create(body, user));
  }

  @ApiOperation({ summary: 'Get a property' })
  @Get(':id')
  @ApiOkResponse({ type: PropertyResponse })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<PropertyResponse> {
    return toPropertyResponse(await this.properties.get(id));
  }

  @ApiOperation({ summary: 'Change a property' })
  @Patch(':id')
  @ApiOkResponse({ type: PropertyResponse, description: 'Agents may change only the properties they created' })
  async update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdatePropertyBody,
    @CurrentUser() user: User,
  ): Promise<PropertyResponse> {
    return toPropertyResponse(await this.properties.update(id, body, user));
  }

  @ApiOperation({ summary: 'Delete a property' })
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Agents may delete only the properties they created' })
  async remove(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: User): Promise<void> {
    await this.properties.remove(id, user);
  }
}
