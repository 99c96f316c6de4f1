import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { PageQuery } from '../common/pagination.dto';
import { CreateToolBody, toToolResponse, ToolPage, ToolResponse, UpdateToolBody } from './chat-config.dto';
import { ChatToolsService } from './chat-tools.service';

@ApiTags('admin: chat config')
@Controller('v1/admin/chat-config/tools')
@Authenticated('admin')
export class ChatToolsController {
  constructor(private readonly tools: ChatToolsService) {}

  @ApiOperation({ summary: 'List tools' })
  @Get()
  @ApiOkResponse({ type: ToolPage, description: 'By name' })
  async list(@Query() query: PageQuery): Promise<ToolPage> {
    const result = await this.tools.list(query);
    return { ...result, items: result.items.map(toToolResponse) };
  }

  @ApiOperation({ summary: 'Create a tool' })
  @Post()
  @ApiCreatedResponse({ type: ToolResponse })
  @ApiConflictResponse({ description: 'A tool of that name exists' })
  async create(@Body() body: CreateToolBody): Promise<ToolResponse> {
    return toToolResponse(await this.tools.create(body));
  }

  @ApiOperation({ summary: 'Get a tool' })
  @Get(':id')
  @ApiOkResponse({ type: ToolResponse })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<ToolResponse> {
    return toToolResponse(await this.tools.get(id));
  }

  @ApiOperation({ summary: 'Change a tool' })
  @Patch(':id')
  @ApiOkResponse({ type: ToolResponse })
  @ApiConflictResponse({ description: 'A tool of the new name exists' })
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateToolBody): Promise<ToolResponse> {
    return toToolResponse(await this.tools.update(id, body));
  }

  @ApiOperation({ summary: 'Delete a tool' })
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.tools.remove(id);
  }
}
