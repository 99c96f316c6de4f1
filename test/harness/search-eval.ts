import { RequestContext } from '@mikro-orm/core';
import { FaqSearchService } from '../../src/faq/faq-search.service';
import bestays from '../fixtures/paraphrases.bestays.json';
import realestate from '../fixtures/paraphrases.realestate.json';
import type { ProductApp, ProductName } from './product-app';

/** Paraphrased questions written without reading the answers (held-out; not the in-sample suite). */
export const PARAPHRASES: Record<ProductName, Array<[query: string, expected: string]>> = {
  bestays: bestays.cases as Array<[string, string]>,
  realestate: realestate.cases as Array<[string, string]>,
};

export interface EvalResult {
  total: number;
  top1: number;
  top3: number;
  misses: string[];
}

/** Top-1 / top-3 of the expected document, ranked by the same service as GET /faq/search (nothing recorded). */
export async function evaluateSearch(app: ProductApp, synonyms: boolean): Promise<EvalResult> {
  const search = app.app.get(FaqSearchService);
  const result: EvalResult = { total: 0, top1: 0, top3: 0, misses: [] };
  for (const [query, expected] of PARAPHRASES[app.product]) {
    const hits = await app.inTenant(() => RequestContext.create(app.orm.em, () => search.search(query, 3, { synonyms })));
    const questions = hits.map((hit) => hit.question);
    result.total++;
    result.top1 += questions[0] === expected ? 1 : 0;
    if (questions.includes(expected)) {
      result.top3++;
    } else {
      result.misses.push(`"${query}" -> expected "${expected}", got ${JSON.stringify(questions)}`);
    }
  }
  return result;
}

export const percent = (n: number, total: number): string => `${((100 * n) / total).toFixed(1)}%`;
