import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { ChatMessage, Conversation } from './conversation.entity';

@Module({
  imports: [MikroOrmModule.forFeature([Conversation, ChatMessage])],
})
export class LlmModule {}
