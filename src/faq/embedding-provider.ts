import { describeError } from '../common/describe-error';
import { type OutboundPolicy, outboundPolicy, postJson } from '../common/outbound-policy';
import { contentWords, lightStem } from './text';
import { timedOutbound } from '../observability/metrics';

/**
 * Turns texts into vectors whose dot product says how alike they are. Chosen once at boot from the
 * config (see FaqModule); vectors of different models never meet (each row records its model).
 */
export abstract class EmbeddingProvider {
  abstract readonly model: string;
  /** Cosine similarity from which, on this model, a text counts as related without sharing a word. */
  abstract readonly minSimilarity: number;
  /** One L2-normalised vector per text, in order. Rejects when the texts could not be embedded. */
  abstract embed(texts: string[]): Promise<number[][]>;
}

export class EmbeddingUnavailableError extends Error {}

/** OpenAI-compatible `POST {baseUrl}/embeddings` (`EMBEDDINGS_BASE_URL`, `EMBEDDINGS_API_KEY`, `EMBEDDINGS_MODEL`). */
export class OpenAiCompatibleEmbeddingProvider extends EmbeddingProvider {
  // Semantic models put unrelated texts around 0.1-0.25 and paraphrases well above 0.4.
  readonly minSimilarity = 0.4;

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    readonly model: string,
    // Timeout, retry with backoff and a circuit breaker (see outbound-policy.ts).
    private readonly policy: OutboundPolicy = outboundPolicy('embeddings', { timeoutMs: 5_000 }),
  ) {
    super();
  }

  async embed(texts: string[]): Promise<number[][]> {
    if (texts.length === 0) {
      return [];
    }
    let body: { data?: Array<{ index?: number; embedding?: unknown }> } | undefined;
    try {
      body = (await timedOutbound('embeddings', () =>
        this.policy.call((signal) =>
        postJson(`${this.baseUrl.replace(/\/+$/, '')}/embeddings`, { Authorization: `Bearer ${this.apiKey}` }, { model: this.model, input: texts }, signal),
        ),
      )) as typeof body;
    } catch (error) {
      throw new EmbeddingUnavailableError(`embeddings endpoint unreachable: ${describeError(error)}`);
    }
    const data = body?.data;
    if (!Array.isArray(data) || data.length !== texts.length) {
      throw new EmbeddingUnavailableError('embeddings endpoint answered without one embedding per input');
    }
    // `index` says which input a vector belongs to; without it the order is the input order.
    const ordered = data.every((item) => typeof item.index === 'number')
      ? [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
      : data;
    return ordered.map((item) => {
      const vector = item.embedding;
      if (!Array.isArray(vector) || vector.length === 0 || !vector.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        throw new EmbeddingUnavailableError('embeddings endpoint answered a malformed vector');
      }
      return normalise(vector as number[]);
    });
  }
}

const DIMENSIONS = 384;
const WORD_WEIGHT = 1;
// The trigrams of one word share this much weight, so long words do not drown short ones.
const TRIGRAM_WEIGHT = 0.6;
// Each feature lands in this many buckets at 1/sqrt(n) weight each: one accidental collision with a
// document's feature then moves the similarity by a third as much (the expected dot product is unchanged).
const BUCKETS_PER_FEATURE = 3;

/**
 * A deterministic, networkless embedding: feature hashing of lower-cased word stems and of their
 * character trigrams into 384 signed dimensions, L2-normalised. It is lexical, not semantic: it knows
 * "pets" and "pet" and survives typos through trigrams, but it does not know that a dog is a pet.
 *
 * v2 (v1 let a made-up word match a document about 1 time in 200, measured on the seed FAQ): a word
 * repeated in a text counts 1 + ln(count) times, not count times, so no single word dominates a
 * document's vector; and every feature is spread over 3 buckets. Vectors of v1 are re-embedded at boot.
 */
export class LocalHashingEmbeddingProvider extends EmbeddingProvider {
  readonly model = 'local-hashing-v2';
  // Shared trigrams alone reach ~0.35 between unrelated texts: only a near-copy counts without a shared word.
  readonly minSimilarity = 0.5;

  embed(texts: string[]): Promise<number[][]> {
    return Promise.resolve(texts.map((text) => hashingVector(text)));
  }
}

export function hashingVector(text: string): number[] {
  const counts = new Map<string, number>();
  for (const word of contentWords(text)) {
    const stem = lightStem(word);
    counts.set(stem, (counts.get(stem) ?? 0) + 1);
  }
  const vector = new Array<number>(DIMENSIONS).fill(0);
  for (const [stem, count] of counts) {
    const weight = 1 + Math.log(count);
    add(vector, `w:${stem}`, weight * WORD_WEIGHT);
    const padded = `<${stem}>`;
    const trigrams = padded.length - 2;
    for (let i = 0; i < trigrams; i++) {
      add(vector, `t:${padded.slice(i, i + 3)}`, (weight * TRIGRAM_WEIGHT) / Math.sqrt(trigrams));
    }
  }
  return normalise(vector);
}

function add(vector: number[], feature: string, weight: number): void {
  const share = weight / Math.sqrt(BUCKETS_PER_FEATURE);
  for (let bucket = 0; bucket < BUCKETS_PER_FEATURE; bucket++) {
    const hash = fnv1a(`${bucket}|${feature}`);
    // The sign bit decides the direction, so colliding features cancel out instead of piling up.
    vector[hash % DIMENSIONS] += hash & 0x80000000 ? -share : share;
  }
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function normalise(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return norm === 0 ? vector.map(() => 0) : vector.map((x) => x / norm);
}
