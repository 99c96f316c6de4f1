import { Logger, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { configuredPolicy } from '../common/outbound-policy';
import { type AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EmbeddingProvider, LocalHashingEmbeddingProvider, OpenAiCompatibleEmbeddingProvider } from './embedding-provider';
import { FaqAnalyticsEvent } from './faq-analytics-event.entity';
import { FaqAnalyticsRepository } from './faq-analytics.repository';
import { FaqAnalyticsService } from './faq-analytics.service';
import { FaqAnalyticsAdminController, FaqCategoriesAdminController, FaqDocumentsAdminController } from './faq-admin.controller';
import { FaqCategory } from './faq-category.entity';
import { FaqCategoriesService } from './faq-categories.service';
import { FaqDocument, FaqRelated } from './faq-document.entity';
import { FaqDocumentsService } from './faq-documents.service';
import { FaqEmbedding } from './faq-embedding.entity';
import { FaqEmbeddingsService } from './faq-embeddings.service';
import { FaqPublicService } from './faq-public.service';
import { FaqSearchRepository } from './faq-search.repository';
import { FaqSearchService } from './faq-search.service';
import { FaqController } from './faq.controller';

@Module({
  imports: [MikroOrmModule.forFeature([FaqCategory, FaqDocument, FaqRelated, FaqEmbedding, FaqAnalyticsEvent])],
  controllers: [FaqController, FaqCategoriesAdminController, FaqDocumentsAdminController, FaqAnalyticsAdminController],
  providers: [
    {
      provide: EmbeddingProvider,
      inject: [APP_CONFIG],
      useFactory: ({ embeddings, resilience }: AppConfig): EmbeddingProvider => {
        const provider =
          embeddings.baseUrl && embeddings.apiKey
            ? new OpenAiCompatibleEmbeddingProvider(embeddings.baseUrl, embeddings.apiKey, embeddings.model, configuredPolicy('embeddings', resilience))
            : new LocalHashingEmbeddingProvider();
        new Logger('FaqModule').log(`FAQ embedding model: ${provider.model}`);
        return provider;
      },
    },
    FaqCategoriesService,
    FaqDocumentsService,
    FaqEmbeddingsService,
    FaqSearchRepository,
    FaqSearchService,
    FaqAnalyticsRepository,
    FaqAnalyticsService,
    FaqPublicService,
  ],
  exports: [FaqSearchService, FaqCategoriesService, FaqDocumentsService, FaqEmbeddingsService],
})
export class FaqModule {}
