import { Injectable } from '@nestjs/common';
import { FaqEmbeddingsService } from './faq-embeddings.service';
import { FaqSearchIndex } from './faq-search.index';
import { QUESTION_FILLER, splitWords } from './text';
import { expandTerms } from './faq-synonyms.service';

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
  constructor(
    private readonly index: FaqSearchIndex,
    private readonly embeddings: FaqEmbeddingsService,
  ) {}

  /** `synonyms: false` ranks without the product's synonym groups (to measure what they add). */
  async search(query: string, limit: number, options: { synonyms?: boolean } = {}): Promise<FaqSearchHit[]> {
    const terms = searchTerms(query);
    const snapshot = await this.index.current();
    // Each term with its synonyms: one alternative-group of the full-text match, the added words in the embedded text.
    const expanded = options.synonyms === false || terms.length === 0 ? terms.map((term) => [term]) : expandTerms(terms, snapshot.synonyms);
    const added = [...new Set(expanded.flat())].filter((word) => !terms.includes(word));
    const [stems, vector] = await Promise.all([
      this.index.stems(expanded.flat()),
      this.embeddings.embedQuery(added.length > 0 ? `${query} ${added.join(' ')}` : query),
    ]);
    const lexical = snapshot.lexical(expanded.map((alternatives) => alternatives.flatMap((word) => stems.get(word) ?? [])));
    const similarity = vector ? snapshot.similarities(vector) : new Map<string, number>();

    return [...new Set([...lexical.keys(), ...similarity.keys()])]
      .map((id) => {
        const text = lexical.get(id) ?? 0;
        const meaning = Math.max(0, similarity.get(id) ?? 0);
        return { id, text, meaning, score: round(LEXICAL_WEIGHT * Math.min(1, text) + SEMANTIC_WEIGHT * Math.min(1, meaning)) };
      })
      // A document sharing no word with the question must be close by the model's own standard.
      .filter(({ text, meaning, score }) => (text > 0 || meaning >= this.embeddings.minSimilarity) && score >= MIN_SCORE)
      .sort((a, b) => b.score - a.score || b.text - a.text || a.id.localeCompare(b.id))
      .slice(0, limit)
      .flatMap(({ id, score }) => {
        const document = snapshot.byId.get(id);
        return document ? [{ id, question: document.question, answer: document.answer, categoryId: document.categoryId, score }] : [];
      });
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
