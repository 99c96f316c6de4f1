import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { mapPage, type Page, PageMeta, PageOf } from '../common/pagination.dto';
import { ChatMessage, type ChatRole, Conversation } from './conversation.entity';

export class ChatBody {
  @ApiProperty({ minLength: 1, maxLength: 4000, example: 'Can I bring my dog?' })
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  message!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Continue one of your conversations' })
  @IsOptional()
  @IsUUID()
  conversationId?: string;
}

export class ChatResponse {
  @ApiProperty({ format: 'uuid' }) conversationId!: string;
  @ApiProperty() reply!: string;
  @ApiProperty({
    type: [String],
    description:
      'Ids of what the reply was built from: FAQ documents (the FAQ context and `search_faq` results) and properties ' +
      '(`search_properties` / `get_property` results). Read the tool messages of the conversation to tell them apart.',
  })
  sources!: string[];
}

export class ChatMessageResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['user', 'assistant', 'tool'], description: '`tool`: a tool call the model made; `content` is its JSON result' })
  role!: ChatRole;
  @ApiProperty() content!: string;
  @ApiProperty({ type: [String] }) sources!: string[];
  @ApiProperty({ type: String, nullable: true, example: 'search_faq', description: 'The tool called (role `tool` only)' })
  toolName!: string | null;
  @ApiProperty({
    description: 'The arguments the model passed (role `tool` only, else null): any JSON value; the raw text when they were not valid JSON',
    oneOf: [
      { type: 'object', additionalProperties: true },
      { type: 'array', items: {} },
      { type: 'string', nullable: true },
      { type: 'number' },
      { type: 'boolean' },
    ],
  })
  toolArguments!: unknown;
  @ApiProperty() createdAt!: Date;
}

export class ConversationSummary {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'The first question, shortened' }) title!: string;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
  @ApiProperty({ minimum: 0, description: 'Questions, tool calls and answers' }) messageCount!: number;
}

export class ConversationPage extends PageOf(ConversationSummary) {}

export class ConversationResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
  @ApiProperty({ type: [ChatMessageResponse], description: 'One page of messages (`?limit=&offset=`), oldest first' })
  messages!: ChatMessageResponse[];
  @ApiProperty({ type: PageMeta, description: 'Where this page of messages lies in the conversation' })
  messagesPage!: PageMeta;
}

export function toConversationSummary(conversation: Conversation, messageCount: number): ConversationSummary {
  return {
    id: conversation.id,
    title: conversation.title,
    createdAt: conversation.createdAt,
    updatedAt: conversation.updatedAt,
    messageCount,
  };
}

export function toConversationResponse(conversation: Conversation, messages: Page<ChatMessage>): ConversationResponse {
  const { items, ...messagesPage } = mapPage(messages, (m) => ({
      id: m.id,
      role: m.role,
      content: m.content,
      sources: m.sources,
      toolName: m.toolName,
      toolArguments: m.toolArguments,
      createdAt: m.createdAt,
  }));
  return { id: conversation.id, title: conversation.title, createdAt: conversation.createdAt, updatedAt: conversation.updatedAt, messages: items, messagesPage };
}
