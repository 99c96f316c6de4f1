import { Logger, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { ChatConfigModule } from '../chat-config/chat-config.module';
import { type AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { FaqModule } from '../faq/faq.module';
import { PropertiesModule } from '../properties/properties.module';
import { Answerer, ExtractiveAnswerer, OpenAiCompatibleAnswerer } from './answerer';
import { AssistantTools } from './assistant-tools';
import { ChatCompletionsClient } from './chat-completions.client';
import { ChatMessage, Conversation } from './conversation.entity';
import { LlmUsage } from './llm-usage.entity';
import { LlmUsageController } from './llm-usage.controller';
import { LlmUsageService } from './llm-usage.service';
import { LlmController } from './llm.controller';
import { LlmRepository } from './llm.repository';
import { LlmService } from './llm.service';

@Module({
  imports: [MikroOrmModule.forFeature([Conversation, ChatMessage, LlmUsage]), FaqModule, ChatConfigModule, PropertiesModule],
  controllers: [LlmController, LlmUsageController],
  providers: [
    LlmService,
    LlmUsageService,
    LlmRepository,
    AssistantTools,
    {
      provide: Answerer,
      inject: [APP_CONFIG, AssistantTools, LlmUsageService],
      useFactory: ({ llm, assistant }: AppConfig, tools: AssistantTools, usage: LlmUsageService): Answerer => {
        const answerer =
          llm.baseUrl && llm.apiKey
            ? new OpenAiCompatibleAnswerer(new ChatCompletionsClient(llm.baseUrl, llm.apiKey, llm.model), tools, usage, assistant.contextBudgetTokens)
            : new ExtractiveAnswerer();
        new Logger('LlmModule').log(`assistant model: ${answerer.name}`);
        return answerer;
      },
    },
  ],
})
export class LlmModule {}
