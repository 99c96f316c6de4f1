import { Injectable } from '@nestjs/common';
import { type BootTask, RegisterBootTask } from '../boot/boot-tasks';
import { FaqEmbeddingsService } from './faq-embeddings.service';

/**
 * Boot task: embeds the product's FAQ documents whose vector is missing or of another model (the
 * model changed, or the endpoint was down when they were written). Until then those documents are
 * found by full-text search alone.
 */
@RegisterBootTask('faq-embeddings')
@Injectable()
export class FaqEmbeddingsCatchUp implements BootTask {
  constructor(private readonly embeddings: FaqEmbeddingsService) {}

  async run(): Promise<string | undefined> {
    const count = await this.embeddings.refreshStale();
    return count > 0 ? `re-embedded ${count} FAQ document(s)` : undefined;
  }
}
