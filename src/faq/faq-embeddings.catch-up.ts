import { type INestApplicationContext } from '@nestjs/common';
import { TenantRunner } from '../tenancy/tenant-runner';
import { FaqEmbeddingsService } from './faq-embeddings.service';

/**
 * Boot task: embeds the product's FAQ documents whose vector is missing or of another model (the
 * model changed, or the endpoint was down when they were written). Returns how many were embedded.
 */
export function catchUpFaqEmbeddings(app: INestApplicationContext, product: string): Promise<number> {
  return app.get(TenantRunner).run(product, () => app.get(FaqEmbeddingsService).refreshStale());
}
