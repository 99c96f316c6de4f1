import { type INestApplicationContext } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { withJobLock } from '../database/job-lock';
import { TenantRunner } from '../tenancy/tenant-runner';
import { FaqEmbeddingsService } from './faq-embeddings.service';

/**
 * Boot task: embeds the product's FAQ documents whose vector is missing or of another model (the
 * model changed, or the endpoint was down when they were written). Returns how many were embedded,
 * or null when another replica of the product is doing it right now (one at a time, by a lock).
 */
export function catchUpFaqEmbeddings(app: INestApplicationContext, product: string): Promise<number | null> {
  return app
    .get(TenantRunner)
    .run(product, () => withJobLock(app.get(EntityManager), 'faq-embeddings-catch-up', () => app.get(FaqEmbeddingsService).refreshStale()));
}
