import { hashingVector, LocalHashingEmbeddingProvider } from './embedding-provider';
import { embeddingText } from './faq-embeddings.service';
import { loadSeedData } from '../seed/seed-data';

const provider = new LocalHashingEmbeddingProvider();
const seedVectors = [...loadSeedData('bestays').faq.documents, ...loadSeedData('realestate').faq.documents].map((document) => ({
  question: document.question,
  vector: hashingVector(embeddingText({ ...document, tags: document.tags ?? [] })),
}));

const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i], 0);

// A fixed-seed generator (mulberry32): the same made-up words on every run, so this test cannot flake.
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('LocalHashingEmbeddingProvider', () => {
  it('is deterministic and L2-normalised', async () => {
    const [a, b] = await provider.embed(['Are pets allowed?', 'Are pets allowed?']);
    expect(a).toEqual(b);
    expect(a).toHaveLength(384);
    expect(Math.sqrt(dot(a, a))).toBeCloseTo(1, 10);
  });

  it('gives an empty text the zero vector, close to nothing', () => {
    expect(hashingVector('the and of ?!').every((x) => x === 0)).toBe(true);
  });

  // v1 let about 1 in 200 made-up words reach the threshold with some seed document through a hash
  // collision with a word the document repeats, so a search for nonsense could return a hit.
  it('never counts a made-up word (or two) as related to a seed document', () => {
    const random = generator(20261126);
    const word = () => Array.from({ length: 12 }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('');
    let highest = 0;
    for (let i = 0; i < 4000; i++) {
      const query = hashingVector(i % 2 === 0 ? word() : `${word()} ${word()}`);
      for (const { vector } of seedVectors) {
        highest = Math.max(highest, dot(query, vector));
      }
    }
    expect(highest).toBeLessThan(provider.minSimilarity * 0.8);
  });

  it('puts the document a question was written for among its 3 nearest, and word forms above unrelated texts', () => {
    const missed = seedVectors.filter(({ question, vector }) => {
      const query = hashingVector(question);
      return seedVectors.filter((other) => dot(query, other.vector) > dot(query, vector)).length >= 3;
    });
    expect(missed.map(({ question }) => question)).toEqual([]);
    const pets = hashingVector('Are pets allowed?');
    expect(dot(pets, hashingVector('Is my pet allowed'))).toBeGreaterThan(provider.minSimilarity);
    expect(dot(pets, hashingVector('What time is check-out?'))).toBeLessThan(0.2);
  });
});
