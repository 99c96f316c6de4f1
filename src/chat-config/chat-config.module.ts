import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { ChatPrompt } from './chat-prompt.entity';
import { ChatPromptsController } from './chat-prompts.controller';
import { ChatPromptsService } from './chat-prompts.service';
import { ChatTool } from './chat-tool.entity';
import { ChatToolsController } from './chat-tools.controller';
import { ChatToolsService } from './chat-tools.service';

@Module({
  imports: [MikroOrmModule.forFeature([ChatPrompt, ChatTool])],
  controllers: [ChatPromptsController, ChatToolsController],
  providers: [ChatPromptsService, ChatToolsService],
  exports: [ChatPromptsService, ChatToolsService],
})
export class ChatConfigModule {}
