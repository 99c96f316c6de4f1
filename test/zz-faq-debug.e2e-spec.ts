// TEMPORARY debugging aid of the FAQ helper; deleted before hand-off.
import { MikroORM, RequestContext } from '@mikro-orm/core';
import { seedFaq, FAQ_SEED } from '../src/faq/faq.seed';
import { FaqSearchRepository } from '../src/faq/faq-search.repository';
import { FaqEmbeddingsService } from '../src/faq/faq-embeddings.service';
import { searchTerms } from '../src/faq/faq-search.service';
import { ProductApp } from './harness/product-app';

const QUERIES: Record<string, string[]> = JSON.parse(process.env.FAQ_DEBUG_QUERIES ?? '{}');

it('debug', async () => {
  for (const product of ['bestays', 'realestate'] as const) {
    if (!QUERIES[product]) continue;
    const app = await ProductApp.start(product);
    const admin = await app.user('admin');
    await app.inTenant(() => seedFaq(app.app, product), admin.id);
    const questions = new Map<string, string>();
    const repo = app.app.get(FaqSearchRepository);
    const emb = app.app.get(FaqEmbeddingsService);
    await app.inTenant(() => RequestContext.create(app.app.get(MikroORM).em, async () => {
      const em = app.app.get(MikroORM).em;
      const rows = await em.getConnection().execute('select id, question from faq_documents');
      for (const r of rows) questions.set(r.id, r.question);
      for (const q of QUERIES[product]) {
        const lex = await repo.fullText(searchTerms(q));
        const vec = await emb.embedQuery(q);
        const sim = await repo.similarities(emb.model, vec!);
        const idf = await em.getConnection().execute(`select t.term, to_tsquery('english', t.term)::text as q from unnest(?::text[]) as t(term)`, ['{' + searchTerms(q).join(',') + '}']);
        const ids = [...new Set([...lex.keys(), ...sim.keys()])];
        const rowsOut = ids.map((id) => ({ q: questions.get(id)!.slice(0, 60), lex: +(lex.get(id) ?? 0).toFixed(3), sim: +(sim.get(id) ?? 0).toFixed(3), score: +(0.65 * (lex.get(id) ?? 0) + 0.35 * Math.max(0, sim.get(id) ?? 0)).toFixed(3) }))
          .sort((a, b) => b.score - a.score).slice(0, 8);
        console.log(`${product} :: ${q}\n  terms ${JSON.stringify(idf.map((r: any) => r.q))}\n` + rowsOut.map((r) => `  ${r.score}\tlex=${r.lex}\tsim=${r.sim}\t${r.q}`).join('\n'));
      }
    }), admin.id);
    await app.close();
  }
});
