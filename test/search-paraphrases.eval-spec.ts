// `npm run eval:search`: top-1/top-3 on the held-out paraphrases, without and with the shipped synonyms.
// A measurement, not a test: it prints a table (and the misses); the floor is asserted in faq-synonyms.e2e-spec.ts.
import { seedFaq } from '../src/faq/faq.seed';
import { seedFaqSynonyms } from '../src/faq/faq-synonyms.seed';
import { evaluateSearch, percent } from './harness/search-eval';
import { PRODUCTS, type ProductApp, type ProductName, startBothProducts } from './harness/product-app';
import { loadSeedData } from '../src/seed/seed-data';

describe('search evaluation on held-out paraphrases', () => {
  let apps: Record<ProductName, ProductApp>;
  beforeAll(async () => {
    apps = await startBothProducts();
    for (const product of PRODUCTS) {
      await apps[product].inTenant(async () => {
        await seedFaq(apps[product].app, loadSeedData(product).faq);
        await seedFaqSynonyms(apps[product].app, product);
      });
    }
  });
  afterAll(async () => Promise.all(PRODUCTS.map((p) => apps[p].close())));

  it('prints top-1 / top-3 before and after synonyms', async () => {
    const lines = ['product     | n  | top-1 before | top-3 before | top-1 after | top-3 after'];
    const misses: string[] = [];
    for (const product of PRODUCTS) {
      const before = await evaluateSearch(apps[product], false);
      const after = await evaluateSearch(apps[product], true);
      lines.push(
        `${product.padEnd(11)} | ${before.total} | ${percent(before.top1, before.total).padStart(12)} | ${percent(before.top3, before.total).padStart(12)} | ` +
          `${percent(after.top1, after.total).padStart(11)} | ${percent(after.top3, after.total).padStart(11)}`,
      );
      misses.push(...before.misses.map((m) => `${product} before: ${m}`), ...after.misses.map((m) => `${product} after: ${m}`));
    }
    console.log(`[eval:search] model: ${apps.bestays.config.embeddings.baseUrl ? apps.bestays.config.embeddings.model : 'local-hashing-v2'}\n${lines.join('\n')}\n\nmisses:\n${misses.join('\n')}`);
  });
});
