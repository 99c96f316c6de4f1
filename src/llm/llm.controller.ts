import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiTooManyRequestsResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Authenticated, CurrentUser } from '../auth/authenticated.decorator';
import { PageQuery } from '../common/pagination.dto';
import { ApiErrors } from '../common/openapi';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { User } from '../users/user.entity';
import { streamChat, wantsEventStream } from './chat-stream';
import { ChatBody, ChatResponse, ConversationPage, ConversationResponse } from './llm.dto';
import { LlmService } from './llm.service';

const STREAM_DESCRIPTION = [
  'With `Accept: text/event-stream` the reply streams as Server-Sent Events:',
  '`event: delta` with `{ "text": "…" }` as the model produces it; then one `event: done` whose data is exactly the JSON',
  'of the non-streaming call, or one `event: error` whose data is the error JSON (then the stream ends).',
  'Errors found before the stream starts (validation, authentication, 404, a used-up budget) are plain JSON responses.',
].join(' ');

@ApiTags('assistant')
@ApiExtraModels(ChatResponse)
@Controller('v1/llm')
export class LlmController {
  constructor(private readonly llm: LlmService) {}

  @ApiOperation({ summary: 'Ask the assistant' })
  @Post('chat')
  @RateLimit('chat')
  @HttpCode(200)
  @Authenticated()
  @ApiErrors({ status: 404, description: 'conversationId is not one of your conversations' })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({
    description: STREAM_DESCRIPTION,
    content: {
      'application/json': { schema: { $ref: getSchemaPath(ChatResponse) } },
      'text/event-stream': {
        schema: { type: 'string', example: 'event: delta\ndata: {"text":"Yes, "}\n\nevent: done\ndata: {"conversationId":"…","reply":"Yes, …","sources":[]}\n\n' },
      },
    },
  })
  @ApiNotFoundResponse({ description: 'The conversation is not yours or does not exist' })
  @ApiTooManyRequestsResponse({ description: "The product's monthly or the user's daily token budget is used up" })
  @ApiBadGatewayResponse({ description: 'The configured language model failed (after one retry); nothing is stored' })
  async chat(
    @CurrentUser() user: User,
    @Body() body: ChatBody,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ChatResponse | undefined> {
    const prepared = await this.llm.prepare(user, body.message, body.conversationId);
    if (!wantsEventStream(request)) {
      return this.llm.run(prepared);
    }
    await streamChat(request, response, (options) => this.llm.run(prepared, options));
    return undefined;
  }

  @Get('conversations')
  @Authenticated()
  @ApiOkResponse({ type: ConversationPage, description: "The caller's own conversations, most recently active first" })
  list(@CurrentUser() user: User, @Query() query: PageQuery): Promise<ConversationPage> {
    return this.llm.list(user, query);
  }

  @ApiOperation({ summary: 'Read one of your conversations' })
  @Get('conversations/:id')
  @Authenticated()
  @ApiOkResponse({ type: ConversationResponse, description: 'With one page of its messages (`?limit=&offset=`), tool messages included' })
  @ApiNotFoundResponse({ description: 'Not yours, or does not exist' })
  conversation(@CurrentUser() user: User, @Param('id', ParseUUIDPipe) id: string, @Query() query: PageQuery): Promise<ConversationResponse> {
    return this.llm.conversation(user, id, query);
  }

  @Delete('conversations/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authenticated()
  @ApiNoContentResponse({ description: 'Deleted with all its messages' })
  @ApiNotFoundResponse({ description: 'Not yours, or does not exist' })
  async remove(@CurrentUser() user: User, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.llm.remove(user, id);
  }
}
