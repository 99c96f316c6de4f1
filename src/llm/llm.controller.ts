import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../auth/authenticated.decorator';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { User } from '../users/user.entity';
import { ChatBody, ChatResponse, ConversationResponse, toConversationResponse } from './llm.dto';
import { LlmService } from './llm.service';

@ApiTags('assistant')
@Controller('v1/llm')
export class LlmController {
  constructor(private readonly llm: LlmService) {}

  @Post('chat')
  @RateLimit('chat')
  @HttpCode(200)
  @Authenticated()
  @ApiOkResponse({ type: ChatResponse })
  @ApiBadGatewayResponse({ description: 'The configured language model failed' })
  chat(@CurrentUser() user: User, @Body() body: ChatBody): Promise<ChatResponse> {
    return this.llm.chat(user, body.message, body.conversationId);
  }

  @Get('conversations/:id')
  @Authenticated()
  @ApiOkResponse({ type: ConversationResponse })
  async conversation(@CurrentUser() user: User, @Param('id', ParseUUIDPipe) id: string): Promise<ConversationResponse> {
    const { conversation, messages } = await this.llm.conversation(user, id);
    return toConversationResponse(conversation, messages);
  }
}
