import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { findRows } from '../common/lean-read';
import { FaqDocument } from './faq-document.entity';
import { type FaqDocumentRow } from './faq.dto';
import { FaqEmbeddingsService } from './faq-embeddings.service';
import { FaqSearchRepository } from './faq-search.repository';
import { QUESTION_FILLER, splitWords } from './text';
import { expandTerms, FaqSynonymsService } from './faq-synonyms.service';

export interface FaqSearchHit {
  id: string;
  question: string;
  answer: string;
  categoryId: string;
  score: number;
}

// Full text decides most (it knows which words are rare in this product's FAQ); the embedding
// adds closeness that exact words miss (word forms, typos, or meaning with a semantic model).
const LEXICAL_WEIGHT = 0.65;
const SEMANTIC_WEIGHT = 0.35;
const MIN_SCORE = 0.05;
const MAX_TERMS = 32;
/** Ranks published FAQ documents for a question. Pure: records nothing (the LLM module reuses it). */
@Injectable()
export class FaqSearchService {
  // Vectors by content hash: a vector depends only on (model, text), so an entry can never go stale;
  // it is dropped once no published document has that text any more. The model is fixed per process.
  private readonly vectors = new Map<string, Float32Array>();

  constructor(
    private readonly em: EntityManager,
    private readonly repository: FaqSearchRepository,
    private readonly embeddings: FaqEmbeddingsService,
    private readonly synonyms: FaqSynonymsService,
  ) {}

  /** `synonyms: false` ranks without the product's synonym groups (to measure what they add). */
  async search(query: string, limit: number, options: { synonyms?: boolean } = {}): Promise<FaqSearchHit[]> {
    const terms = searchTerms(query);
    // Each term with its synonyms: one OR-group in the full-text query, the added words in the embedded text.
    const groups = options.synonyms === false || terms.length === 0 ? [] : await this.synonyms.groups();
    const expanded = expandTerms(terms, groups);
    const added = [...new Set(expanded.flat())].filter((word) => !terms.includes(word));
    const [lexical, vector] = await Promise.all([
      terms.length > 0 ? this.repository.fullText(expanded.map((alternatives) => alternatives.join('|'))) : Promise.resolve(new Map<string, number>()),
      this.embeddings.embedQuery(added.length > 0 ? `${query} ${added.join(' ')}` : query),
    ]);
    const similarity = vector ? await this.similarities(vector) : new Map<string, number>();

    const ranked = [...new Set([...lexical.keys(), ...similarity.keys()])]
      .map((id) => {
        const text = lexical.get(id) ?? 0;
        const meaning = Math.max(0, similarity.get(id) ?? 0);
        return { id, text, meaning, score: round(LEXICAL_WEIGHT * Math.min(1, text) + SEMANTIC_WEIGHT * Math.min(1, meaning)) };
      })
      // A document sharing no word with the question must be close by the model's own standard.
      .filter(({ text, meaning, score }) => (text > 0 || meaning >= this.embeddings.minSimilarity) && score >= MIN_SCORE)
      .sort((a, b) => b.score - a.score || b.text - a.text || a.id.localeCompare(b.id))
      .slice(0, limit);
    if (ranked.length === 0) {
      return [];
    }

    // Plain rows (no hydration or identity map); the filter and RLS scope them like em.find.
    const documents = await findRows<FaqDocumentRow>(this.em, FaqDocument, { id: { $in: ranked.map((hit) => hit.id) }, status: 'published' });
    const byId = new Map(documents.map((document) => [document.id, document]));
    return ranked.flatMap(({ id, score }) => {
      const document = byId.get(id);
      // Unpublished between the two reads: leave it out rather than show a draft.
      return document ? [{ id, question: document.question, answer: document.answer, categoryId: document.category, score }] : [];
    });
  }

  // Cosine similarity (the vectors are L2-normalised) to every published document, in JS: fetching
  // only the hashes and unseen vectors beats computing 200 dot products in SQL (measured ~2 ms vs ~15 ms).
  private async similarities(query: number[]): Promise<Map<string, number>> {
    const model = this.embeddings.model;
    const embedded = await this.repository.embeddedPublished(model);
    const missing = [...new Set(embedded.map((row) => row.hash).filter((hash) => !this.vectors.has(hash)))];
    // Kept locally too: a concurrent search working from an older listing may prune the cache meanwhile.
    const fetched = new Map<string, Float32Array>();
    if (missing.length > 0) {
      for (const { hash, vector } of await this.repository.vectors(model, missing)) {
        const array = Float32Array.from(vector);
        fetched.set(hash, array);
        this.vectors.set(hash, array);
      }
    }
    const current = new Set(embedded.map((row) => row.hash));
    for (const hash of this.vectors.keys()) {
      if (!current.has(hash)) {
        this.vectors.delete(hash);
      }
    }
    const similarity = new Map<string, number>();
    for (const { id, hash } of embedded) {
      const vector = this.vectors.get(hash) ?? fetched.get(hash);
      if (vector && vector.length === query.length) {
        let dot = 0;
        for (let i = 0; i < vector.length; i++) {
          dot += vector[i] * query[i];
        }
        similarity.set(id, dot);
      }
    }
    return similarity;
  }
}

// Plain lower-case words (accents folded; split at apostrophes like PostgreSQL's parser) for it to stem and weigh.
export function searchTerms(query: string): string[] {
  const words = splitWords(query).filter((word) => word.length <= 50 && !QUESTION_FILLER.has(word));
  return [...new Set(words)].slice(0, MAX_TERMS);
}

function round(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}
