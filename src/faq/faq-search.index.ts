import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type EventSubscriber, type FlushEventArgs, MikroORM } from '@mikro-orm/core';
import { LRUCache } from 'lru-cache';
import { currentProduct } from '../tenancy/tenant-context';
import { FaqDocument } from './faq-document.entity';
import { FaqEmbedding } from './faq-embedding.entity';
import { FaqEmbeddingsService } from './faq-embeddings.service';
import { FaqSearchRepository, type SnapshotRow } from './faq-search.repository';
import { FaqSynonymGroup } from './faq-synonym.entity';
import { type SynonymGroups, synonymGroups } from './faq-synonyms.service';

// How old a checked snapshot may be before a search checks the version again (one small query):
// a change made by another replica or by SQL is seen within this; a change made through this
// process's ORM at once. While the database is down the check fails, and so does the search (503).
const VERIFY_MS = 250;
// Word -> lexemes is a pure function of PostgreSQL's english configuration: memoised.
const STEMMED_WORDS = 50_000;

interface IndexedDocument {
  id: string;
  question: string;
  answer: string;
  categoryId: string;
  /** Lexeme -> its best weight in the document: 'A' question, 'B' tags, anything else the answer. */
  lexemes: Map<string, string>;
  vector: Float32Array | null;
}

/** The product's published FAQ at one version: what a search ranks, held in memory. */
export class FaqSnapshot {
  readonly documents: IndexedDocument[];
  readonly byId: Map<string, IndexedDocument>;
  readonly synonyms: SynonymGroups;

  constructor(
    readonly product: string,
    readonly version: string,
    synonyms: string[][],
    documents: IndexedDocument[],
  ) {
    this.synonyms = synonymGroups(synonyms);
    this.documents = documents;
    this.byId = new Map(documents.map((document) => [document.id, document]));
  }

  /**
   * Per published document matching at least one term: the IDF-weighted share of the terms it
   * contains, each counted at the weight of the best field it occurs in (question 1, tags 0.9,
   * answer 0.5). In [0, 1]: 1 means every term is in the question. A term is the lexemes of one
   * query word and its synonyms (matched by any of them); a term of stop words only is dropped, and
   * terms with the same lexemes count once (as PostgreSQL's tsquery semantics would have it).
   */
  lexical(terms: string[][]): Map<string, number> {
    const n = this.documents.length;
    const distinct = new Map<string, string[]>();
    for (const lexemes of terms) {
      if (lexemes.length > 0) {
        distinct.set(lexemes.join('|'), lexemes);
      }
    }
    const weighted = [...distinct.values()].map((lexemes) => {
      const df = this.documents.filter((document) => lexemes.some((lexeme) => document.lexemes.has(lexeme))).length;
      return { lexemes, idf: Math.log(1 + (n - df + 0.5) / (df + 0.5)) };
    });
    const totalIdf = weighted.reduce((sum, term) => sum + term.idf, 0);
    const scores = new Map<string, number>();
    if (totalIdf === 0) {
      return scores;
    }
    for (const document of this.documents) {
      let sum = 0;
      let matched = false;
      for (const { lexemes, idf } of weighted) {
        let best = 0;
        for (const lexeme of lexemes) {
          const weight = document.lexemes.get(lexeme);
          best = Math.max(best, weight === undefined ? 0 : weight === 'A' ? 1 : weight === 'B' ? 0.9 : 0.5);
        }
        if (best > 0) {
          matched = true;
          sum += idf * best;
        }
      }
      if (matched) {
        scores.set(document.id, sum / totalIdf);
      }
    }
    return scores;
  }

  /** Cosine similarity to every document with a vector of the model (the vectors are L2-normalised). */
  similarities(query: number[]): Map<string, number> {
    const similarity = new Map<string, number>();
    for (const { id, vector } of this.documents) {
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

/**
 * The search index of this process's product: one snapshot of the published FAQ (texts, lexemes,
 * vectors, synonym groups), so a search costs no query of its own. It is rebuilt when the version
 * changes: at once after this process's ORM flushes a FAQ change, and within VERIFY_MS for changes
 * made elsewhere. Every read goes through the runtime role, so RLS scopes it to the product.
 */
@Injectable()
export class FaqSearchIndex implements OnModuleInit, EventSubscriber {
  private snapshot?: FaqSnapshot;
  private verifiedAt = 0;
  // Bumped by every local FAQ change: a rebuild that started before it is not trusted after it.
  private generation = 0;
  private pending?: Promise<FaqSnapshot>;
  private readonly stemmed = new LRUCache<string, string[]>({ max: STEMMED_WORDS });

  constructor(
    private readonly orm: MikroORM,
    private readonly repository: FaqSearchRepository,
    private readonly embeddings: FaqEmbeddingsService,
  ) {}

  onModuleInit(): void {
    this.orm.em.getEventManager().registerSubscriber(this);
  }

  // A flush of this process that touched the FAQ: the next search checks the version first.
  afterFlush({ uow }: FlushEventArgs): void {
    const touched = uow.getChangeSets().some((changeSet) => [FaqDocument, FaqEmbedding, FaqSynonymGroup].some((type) => changeSet.entity instanceof type));
    if (touched) {
      this.generation++;
      this.verifiedAt = 0;
    }
  }

  /** The snapshot of the current version, checked within the last VERIFY_MS. */
  async current(): Promise<FaqSnapshot> {
    const snapshot = this.snapshot;
    if (snapshot && snapshot.product === currentProduct() && Date.now() - this.verifiedAt < VERIFY_MS) {
      return snapshot;
    }
    this.pending ??= this.refresh().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Query words to their lexemes, from the memo or (for new words) from PostgreSQL. */
  async stems(words: string[]): Promise<Map<string, string[]>> {
    const missing = [...new Set(words.filter((word) => !this.stemmed.has(word)))];
    if (missing.length > 0) {
      for (const [word, lexemes] of await this.repository.stems(missing)) {
        this.stemmed.set(word, lexemes);
      }
    }
    return new Map(words.map((word) => [word, this.stemmed.get(word) ?? []]));
  }

  private async refresh(): Promise<FaqSnapshot> {
    const generation = this.generation;
    const checkedAt = Date.now();
    const known = this.snapshot;
    let snapshot: FaqSnapshot;
    if (known && known.product === currentProduct() && (await this.repository.version()) === known.version) {
      snapshot = known;
    } else {
      snapshot = build(currentProduct(), await this.repository.snapshot(this.embeddings.model));
    }
    this.snapshot = snapshot;
    // A local change during the rebuild may be missing from it: checked again on the next search.
    this.verifiedAt = generation === this.generation ? checkedAt : 0;
    return snapshot;
  }
}

function build(product: string, rows: SnapshotRow[]): FaqSnapshot {
  const documents: IndexedDocument[] = [];
  for (const row of rows) {
    if (row.id === null) {
      continue;
    }
    const lexemes = new Map<string, string>();
    for (const [lexeme, weights] of row.lexemes) {
      // The best weight of any occurrence: A, then B, then the answer's C.
      lexemes.set(lexeme, weights.includes('A') ? 'A' : weights.includes('B') ? 'B' : 'C');
    }
    documents.push({
      id: row.id,
      question: row.question,
      answer: row.answer,
      categoryId: row.categoryId,
      lexemes,
      vector: row.vector ? Float32Array.from(row.vector.map(Number)) : null,
    });
  }
  // A stable order, so ties rank the same way on every replica.
  documents.sort((a, b) => a.id.localeCompare(b.id));
  return new FaqSnapshot(product, rows[0]?.version ?? '', rows[0]?.synonyms ?? [], documents);
}
