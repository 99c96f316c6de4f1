import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { CreatePromptBody, PromptPage, PromptQuery, PromptResponse, toPromptResponse, UpdatePromptBody } from './chat-config.dto';
import { ChatPromptsService } from './chat-prompts.service';

@ApiTags('admin: chat config')
@Controller('v1/admin/chat-config/prompts')
@Authenticated('admin')
export class ChatPromptsController {
  constructor(private readonly prompts: ChatPromptsService) {}

  @ApiOperation({ summary: 'List prompts' })
  @Get()
  @ApiOkResponse({ type: PromptPage, description: 'By name, newest version first' })
  async list(@Query() query: PromptQuery): Promise<PromptPage> {
    const result = await this.prompts.list(query);
    return { ...result, items: result.items.map(toPromptResponse) };
  }

  @ApiOperation({ summary: 'Create a prompt version' })
  @Post()
  @ApiCreatedResponse({ type: PromptResponse, description: 'Version is 1 + the highest version of that name' })
  @ApiConflictResponse({ description: 'Lost a race with concurrent writes of the same name; retry' })
  async create(@Body() body: CreatePromptBody): Promise<PromptResponse> {
    return toPromptResponse(await this.prompts.create(body));
  }

  @ApiOperation({ summary: 'Get a prompt' })
  @Get(':id')
  @ApiOkResponse({ type: PromptResponse })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<PromptResponse> {
    return toPromptResponse(await this.prompts.get(id));
  }

  @ApiOperation({ summary: 'Change a prompt' })
  @Patch(':id')
  @ApiOkResponse({ type: PromptResponse, description: 'A new content bumps the version; activating deactivates the other active prompt of the name' })
  @ApiConflictResponse({ description: 'Lost a race with concurrent writes of the same name; retry' })
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdatePromptBody): Promise<PromptResponse> {
    return toPromptResponse(await this.prompts.update(id, body));
  }

  @ApiOperation({ summary: 'Delete a prompt' })
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.prompts.remove(id);
  }
}
