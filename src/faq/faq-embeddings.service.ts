import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { describeError } from '../common/describe-error';
import { LRUCache } from 'lru-cache';
import { EmbeddingProvider } from './embedding-provider';
import { FaqDocument } from './faq-document.entity';
import { FaqEmbedding } from './faq-embedding.entity';

const BATCH = 32;
// Query vectors by text: popular questions repeat, and a vector depends only on (model, text).
const QUERY_CACHE_ENTRIES = 1_000;

/** What a document's vector is computed from: everything a reader's question may echo. */
export function embeddingText(document: Pick<FaqDocument, 'question' | 'tags' | 'answer'>): string {
  return [document.question, document.tags.join(', '), document.answer].join('\n');
}

export function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Keeps faq_embeddings in step with the documents. A document is embedded again only when its text
 * (question, tags, answer) or the configured model changed. When the provider fails, the document
 * write still goes through: a stale vector is dropped (it would describe old text) and the document
 * is found by full-text search alone until its next change (or `refreshStale`) embeds it again.
 */
@Injectable()
export class FaqEmbeddingsService {
  private readonly logger = new Logger(FaqEmbeddingsService.name);
  private readonly queryVectors = new LRUCache<string, number[]>({ max: QUERY_CACHE_ENTRIES });

  constructor(
    private readonly em: EntityManager,
    private readonly provider: EmbeddingProvider,
  ) {}

  get model(): string {
    return this.provider.model;
  }

  get minSimilarity(): number {
    return this.provider.minSimilarity;
  }

  /** Brings the document's embedding up to date in the unit of work; the caller's flush writes both. */
  async refresh(document: FaqDocument, isNew: boolean): Promise<void> {
    const existing = isNew ? null : await this.em.findOne(FaqEmbedding, { document });
    await this.refreshMany([{ document, existing }]);
  }

  /** New documents (not flushed yet), embedded in one call to the provider. */
  async refreshNew(documents: FaqDocument[]): Promise<void> {
    await this.refreshMany(documents.map((document) => ({ document, existing: null })));
  }

  /** Embeds every document whose embedding is missing or stale; returns how many were embedded. */
  async refreshStale(): Promise<number> {
    const documents = await this.em.find(FaqDocument, {}, { orderBy: { createdAt: 'asc', id: 'asc' } });
    const embeddings = await this.em.find(FaqEmbedding, {});
    const byDocument = new Map(embeddings.map((embedding) => [embedding.document.id, embedding]));
    let embedded = 0;
    for (let start = 0; start < documents.length; start += BATCH) {
      const batch = documents.slice(start, start + BATCH).map((document) => ({ document, existing: byDocument.get(document.id) ?? null }));
      embedded += await this.refreshMany(batch);
      await this.em.flush();
    }
    return embedded;
  }

  /** The query's vector, or null when the provider is unavailable (search then ranks by full text alone). */
  async embedQuery(text: string): Promise<number[] | null> {
    const cached = this.queryVectors.get(text);
    if (cached) {
      return cached;
    }
    try {
      const [vector] = await this.provider.embed([text]);
      if (vector) {
        this.queryVectors.set(text, vector);
      }
      return vector ?? null;
    } catch (error) {
      this.logger.warn(`could not embed a search query with ${this.provider.model}: ${describeError(error)}`);
      return null;
    }
  }

  private async refreshMany(items: Array<{ document: FaqDocument; existing: FaqEmbedding | null }>): Promise<number> {
    const stale = items
      .map((item) => ({ ...item, text: embeddingText(item.document) }))
      .map((item) => ({ ...item, hash: contentHash(item.text) }))
      .filter(({ existing, hash }) => !existing || existing.contentHash !== hash || existing.model !== this.provider.model);
    if (stale.length === 0) {
      return 0;
    }
    let vectors: number[][];
    try {
      vectors = await this.provider.embed(stale.map((item) => item.text));
    } catch (error) {
      this.logger.warn(
        `could not embed ${stale.length} FAQ document(s) with ${this.provider.model} (${describeError(error)}); ` +
          'they are found by full-text search only until their next change',
      );
      for (const { existing } of stale) {
        if (existing) {
          this.em.remove(existing);
        }
      }
      return 0;
    }
    stale.forEach(({ document, existing, hash }, index) => {
      const vector = vectors[index];
      if (existing) {
        existing.model = this.provider.model;
        existing.vector = vector;
        existing.contentHash = hash;
      } else {
        this.em.persist(new FaqEmbedding({ document, model: this.provider.model, vector, contentHash: hash }));
      }
    });
    return stale.length;
  }
}
