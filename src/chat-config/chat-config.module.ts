import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { ChatPrompt } from './chat-prompt.entity';
import { ChatTool } from './chat-tool.entity';

@Module({
  imports: [MikroOrmModule.forFeature([ChatPrompt, ChatTool])],
})
export class ChatConfigModule {}
