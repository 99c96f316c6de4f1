import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { FaqDocument } from './faq-document.entity';
import { FaqEmbeddingsService } from './faq-embeddings.service';
import { FaqSearchRepository } from './faq-search.repository';

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
// A document sharing no word with the question must be at least this close to be an answer.
const MIN_SIMILARITY_ALONE = 0.3;
const MIN_SCORE = 0.05;
const MAX_TERMS = 32;
// Words that make a sentence a question but say nothing about its topic ("how much do I need…").
// PostgreSQL's english stop words already drop "how", "do", "i", "can"…; these are the ones it keeps.
const QUESTION_FILLER = new Set(
  'much many need needs want wants get gets got like please tell know able possible ok okay way still really actually also thing things anything something go going make take let lets'.split(' '),
);

/** Ranks published FAQ documents for a question. Pure: records nothing (the LLM module reuses it). */
@Injectable()
export class FaqSearchService {
  constructor(
    private readonly em: EntityManager,
    private readonly repository: FaqSearchRepository,
    private readonly embeddings: FaqEmbeddingsService,
  ) {}

  async search(query: string, limit: number): Promise<FaqSearchHit[]> {
    const terms = searchTerms(query);
    const [lexical, vector] = await Promise.all([
      terms.length > 0 ? this.repository.fullText(terms) : Promise.resolve(new Map<string, number>()),
      this.embeddings.embedQuery(query),
    ]);
    const similarity = vector ? await this.repository.similarities(this.embeddings.model, vector) : new Map<string, number>();

    const ranked = [...new Set([...lexical.keys(), ...similarity.keys()])]
      .map((id) => {
        const text = lexical.get(id) ?? 0;
        const meaning = Math.max(0, similarity.get(id) ?? 0);
        return { id, text, meaning, score: round(LEXICAL_WEIGHT * Math.min(1, text) + SEMANTIC_WEIGHT * Math.min(1, meaning)) };
      })
      .filter(({ text, meaning, score }) => (text > 0 || meaning >= MIN_SIMILARITY_ALONE) && score >= MIN_SCORE)
      .sort((a, b) => b.score - a.score || b.text - a.text || a.id.localeCompare(b.id))
      .slice(0, limit);
    if (ranked.length === 0) {
      return [];
    }

    const documents = await this.em.find(FaqDocument, { id: { $in: ranked.map((hit) => hit.id) }, status: 'published' });
    const byId = new Map(documents.map((document) => [document.id, document]));
    return ranked.flatMap(({ id, score }) => {
      const document = byId.get(id);
      // Unpublished between the two reads: leave it out rather than show a draft.
      return document ? [{ id, question: document.question, answer: document.answer, categoryId: document.category.id, score }] : [];
    });
  }
}

// Plain lower-case words (accents folded; split at apostrophes like PostgreSQL's parser) for it to stem and weigh.
export function searchTerms(query: string): string[] {
  const words = query
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0 && word.length <= 50 && !QUESTION_FILLER.has(word));
  return [...new Set(words)].slice(0, MAX_TERMS);
}

function round(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}
