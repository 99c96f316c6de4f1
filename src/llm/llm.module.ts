import { Logger, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { ChatConfigModule } from '../chat-config/chat-config.module';
import { type AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { FaqModule } from '../faq/faq.module';
import { PropertiesModule } from '../properties/properties.module';
import { Answerer, OpenAiCompatibleAnswerer } from './answerer';
import { AssistantTools } from './assistant-tools';
import { ChatCompletionsClient, ModelUnavailableError } from './chat-completions.client';
import { configuredPolicy } from '../common/outbound-policy';
import { ProductRegistry } from '../products/product-registry.service';
import { RegistryAnswerer } from '../products/registry-clients';
import { UserSettingsService } from '../users/user-settings.service';
import { UsersModule } from '../users/users.module';
import { ChatMessage, Conversation } from './conversation.entity';
import { LlmUsage } from './llm-usage.entity';
import { LlmUsageController } from './llm-usage.controller';
import { LlmUsageService } from './llm-usage.service';
import { LlmController } from './llm.controller';
import { LlmRepository } from './llm.repository';
import { LlmService } from './llm.service';

@Module({
  imports: [MikroOrmModule.forFeature([Conversation, ChatMessage, LlmUsage]), FaqModule, ChatConfigModule, PropertiesModule, UsersModule],
  controllers: [LlmController, LlmUsageController],
  providers: [
    LlmService,
    LlmUsageService,
    LlmRepository,
    AssistantTools,
    {
      provide: Answerer,
      inject: [APP_CONFIG, ProductRegistry, UserSettingsService, AssistantTools, LlmUsageService],
      // Effective settings (env, else the product registry) are read per call; see registry-clients.ts.
      useFactory: ({ llm, assistant, resilience }: AppConfig, registry: ProductRegistry, settings: UserSettingsService, tools: AssistantTools, usage: LlmUsageService): Answerer => {
        // One breaker for the app, whichever key or endpoint is in use; the client retries once itself.
        const policy = configuredPolicy('llm', resilience, { retries: 0, isFailure: (error) => error instanceof ModelUnavailableError });
        const answerer = new RegistryAnswerer(
          registry,
          llm.model,
          () => settings.currentUserLlmApiKey(),
          (baseUrl, apiKey, model) =>
            new OpenAiCompatibleAnswerer(new ChatCompletionsClient(baseUrl, apiKey, model, resilience.outbound.llmTimeoutMs, policy), tools, usage, assistant.contextBudgetTokens),
        );
        new Logger('LlmModule').log(`assistant model: ${answerer.name}`);
        return answerer;
      },
    },
  ],
})
export class LlmModule {}
