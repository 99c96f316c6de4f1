import { Logger, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { ChatConfigModule } from '../chat-config/chat-config.module';
import { type AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { FaqModule } from '../faq/faq.module';
import { ProductRegistry } from '../products/product-registry.service';
import { RegistryAnswerer } from '../products/registry-clients';
import { UserSettingsService } from '../users/user-settings.service';
import { UsersModule } from '../users/users.module';
import { Answerer } from './answerer';
import { ChatMessage, Conversation } from './conversation.entity';
import { LlmController } from './llm.controller';
import { LlmService } from './llm.service';

@Module({
  imports: [MikroOrmModule.forFeature([Conversation, ChatMessage]), FaqModule, ChatConfigModule, UsersModule],
  controllers: [LlmController],
  providers: [
    LlmService,
    {
      provide: Answerer,
      inject: [APP_CONFIG, ProductRegistry, UserSettingsService],
      // Effective settings (env, else the product registry) are read per call; see registry-clients.ts.
      useFactory: ({ llm }: AppConfig, registry: ProductRegistry, settings: UserSettingsService): Answerer => {
        const answerer = new RegistryAnswerer(registry, llm.model, () => settings.currentUserLlmApiKey());
        new Logger('LlmModule').log(`assistant model: ${answerer.name}`);
        return answerer;
      },
    },
  ],
})
export class LlmModule {}
