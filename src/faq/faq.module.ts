import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { FaqAnalyticsEvent } from './faq-analytics-event.entity';
import { FaqCategory } from './faq-category.entity';
import { FaqDocument, FaqRelated } from './faq-document.entity';
import { FaqEmbedding } from './faq-embedding.entity';

@Module({
  imports: [MikroOrmModule.forFeature([FaqCategory, FaqDocument, FaqRelated, FaqEmbedding, FaqAnalyticsEvent])],
})
export class FaqModule {}
