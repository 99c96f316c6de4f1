import { Logger, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { configuredPolicy } from '../common/outbound-policy';
import { type AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ProductRegistry } from '../products/product-registry.service';
import { RegistryEmbeddingProvider } from '../products/registry-clients';
import { EmbeddingProvider, OpenAiCompatibleEmbeddingProvider } from './embedding-provider';
import { FaqAnalyticsEvent } from './faq-analytics-event.entity';
import { FaqAnalyticsQueue } from './faq-analytics.queue';
import { FaqAnalyticsRepository } from './faq-analytics.repository';
import { FaqAnalyticsService } from './faq-analytics.service';
import { FaqAnalyticsAdminController, FaqCategoriesAdminController, FaqDocumentsAdminController } from './faq-admin.controller';
import { FaqCategory } from './faq-category.entity';
import { FaqCategoriesService } from './faq-categories.service';
import { FaqDocument, FaqRelated } from './faq-document.entity';
import { FaqDocumentsService } from './faq-documents.service';
import { FaqEmbedding } from './faq-embedding.entity';
import { FaqEmbeddingsCatchUp } from './faq-embeddings.catch-up';
import { FaqEmbeddingsService } from './faq-embeddings.service';
import { FaqPublicService } from './faq-public.service';
import { FaqSearchRepository } from './faq-search.repository';
import { FaqSearchService } from './faq-search.service';
import { FaqSearchIndex } from './faq-search.index';
import { FaqController } from './faq.controller';
import { FaqSynonymGroup } from './faq-synonym.entity';
import { FaqSynonymsAdminController } from './faq-synonyms.controller';
import { FaqSynonymsService } from './faq-synonyms.service';

@Module({
  imports: [MikroOrmModule.forFeature([FaqCategory, FaqDocument, FaqRelated, FaqEmbedding, FaqAnalyticsEvent, FaqSynonymGroup])],
  controllers: [FaqController, FaqCategoriesAdminController, FaqDocumentsAdminController, FaqAnalyticsAdminController, FaqSynonymsAdminController],
  providers: [
    {
      provide: EmbeddingProvider,
      inject: [APP_CONFIG, ProductRegistry],
      // Effective settings (env, else the product registry) are read per call; see registry-clients.ts.
      useFactory: ({ embeddings, resilience }: AppConfig, registry: ProductRegistry): EmbeddingProvider => {
        // One breaker for the app, whichever key or endpoint is in use.
        const policy = configuredPolicy('embeddings', resilience);
        const provider = new RegistryEmbeddingProvider(
          registry,
          embeddings.model,
          (baseUrl, apiKey, model) => new OpenAiCompatibleEmbeddingProvider(baseUrl, apiKey, model, policy),
        );
        new Logger('FaqModule').log(`FAQ embedding model: ${provider.model}`);
        return provider;
      },
    },
    FaqCategoriesService,
    FaqDocumentsService,
    FaqEmbeddingsService,
    FaqEmbeddingsCatchUp,
    FaqSearchRepository,
    FaqSearchService,
    FaqSearchIndex,
    FaqAnalyticsRepository,
    FaqAnalyticsQueue,
    FaqAnalyticsService,
    FaqPublicService,
    FaqSynonymsService,
  ],
  exports: [FaqSynonymsService, FaqSearchService, FaqCategoriesService, FaqDocumentsService, FaqEmbeddingsService],
})
export class FaqModule {}
