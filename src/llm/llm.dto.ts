import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
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
  @ApiProperty({ type: [String], description: 'Ids of the FAQ documents the reply was built from' }) sources!: string[];
}

export class ChatMessageResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['user', 'assistant'] }) role!: ChatRole;
  @ApiProperty() content!: string;
  @ApiProperty({ type: [String] }) sources!: string[];
  @ApiProperty() createdAt!: Date;
}

export class ConversationResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
  @ApiProperty({ type: [ChatMessageResponse] }) messages!: ChatMessageResponse[];
}

export function toConversationResponse(conversation: Conversation, messages: ChatMessage[]): ConversationResponse {
  return {
    id: conversation.id,
    title: conversation.title,
    createdAt: conversation.createdAt,
    updatedAt: conversation.updatedAt,
    messages: messages.map((m) => ({ id: m.id, role: m.role, content: m.content, sources: m.sources, createdAt: m.createdAt })),
  };
}
