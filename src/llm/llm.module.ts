import { Logger, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { ChatConfigModule } from '../chat-config/chat-config.module';
import { configuredPolicy } from '../common/outbound-policy';
import { type AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { FaqModule } from '../faq/faq.module';
import { Answerer, ExtractiveAnswerer, OpenAiCompatibleAnswerer } from './answerer';
import { ChatMessage, Conversation } from './conversation.entity';
import { LlmController } from './llm.controller';
import { LlmService } from './llm.service';

@Module({
  imports: [MikroOrmModule.forFeature([Conversation, ChatMessage]), FaqModule, ChatConfigModule],
  controllers: [LlmController],
  providers: [
    LlmService,
    {
      provide: Answerer,
      inject: [APP_CONFIG],
      useFactory: ({ llm, resilience }: AppConfig): Answerer => {
        const answerer =
          llm.baseUrl && llm.apiKey ? new OpenAiCompatibleAnswerer(llm.baseUrl, llm.apiKey, llm.model, configuredPolicy('llm', resilience)) : new ExtractiveAnswerer();
        new Logger('LlmModule').log(`assistant model: ${answerer.name}`);
        return answerer;
      },
    },
  ],
})
export class LlmModule {}
