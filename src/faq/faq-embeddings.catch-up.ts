import { type INestApplicationContext, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { type BootTask, RegisterBootTask } from '../boot/boot-tasks';
import { withJobLock } from '../database/job-lock';
import { TenantRunner } from '../tenancy/tenant-runner';
import { FaqEmbeddingsService } from './faq-embeddings.service';

/**
 * Boot task: embeds the product's FAQ documents whose vector is missing or of another model (the
 * model changed, or the endpoint was down when they were written). Until then those documents are
 * found by full-text search alone. One replica of a product at a time does it (a job lock).
 */
@RegisterBootTask('faq-embeddings')
@Injectable()
export class FaqEmbeddingsCatchUp implements BootTask {
  constructor(
    private readonly embeddings: FaqEmbeddingsService,
    private readonly em: EntityManager,
  ) {}

  /** How many documents were embedded, or null when another replica holds the lock right now. */
  catchUp(): Promise<number | null> {
    return withJobLock(this.em, 'faq-embeddings-catch-up', () => this.embeddings.refreshStale());
  }

  async run(): Promise<string | undefined> {
    const count = await this.catchUp();
    if (count === null) {
      return 'another replica is on it';
    }
    return count > 0 ? `re-embedded ${count} FAQ document(s)` : undefined;
  }
}

/** Runs the catch-up now for `product` (tests, and anything outside HTTP). */
export function catchUpFaqEmbeddings(app: INestApplicationContext, product: string): Promise<number | null> {
  return app.get(TenantRunner).run(product, () => app.get(FaqEmbeddingsCatchUp).catchUp());
}
