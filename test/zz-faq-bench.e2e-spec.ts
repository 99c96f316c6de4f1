// TEMPORARY measurement of the FAQ helper; deleted before hand-off.
import { MikroORM, RequestContext } from '@mikro-orm/core';
import { FAQ_SEED, seedFaq } from '../src/faq/faq.seed';
import { FaqSearchRepository } from '../src/faq/faq-search.repository';
import { FaqEmbeddingsService } from '../src/faq/faq-embeddings.service';
import { FaqSearchService, searchTerms } from '../src/faq/faq-search.service';
import { FaqDocumentsService } from '../src/faq/faq-documents.service';
import { FaqCategoriesService } from '../src/faq/faq-categories.service';
import { ProductApp } from './harness/product-app';

it('bench', async () => {
  const app = await ProductApp.start('bestays');
  const admin = await app.user('admin');
  const orm = app.app.get(MikroORM);
  const run = <T>(fn: () => Promise<T>) => app.inTenant(() => RequestContext.create(orm.em, fn), admin.id);
  await app.inTenant(() => seedFaq(app.app, 'bestays'), admin.id);
  const docs = app.app.get(FaqDocumentsService);
  const cats = app.app.get(FaqCategoriesService);
  await run(async () => {
    const all = await cats.all();
    const seed = FAQ_SEED.bestays.documents;
    for (let i = 0; i < 175; i++) {
      const a = seed[i % seed.length];
      const b = seed[(i * 7 + 3) % seed.length];
      await docs.create({ categoryId: all[i % all.length].id, question: `${a.question} (${i})`, answer: `${b.answer} ${a.answer}`, tags: a.tags, status: 'published' });
    }
  });
  if (process.env.ANALYZE) { const { ownerQuery } = await import('./harness/db'); await ownerQuery('analyze'); }
  const queries = ['can I bring my dog', 'when will I get my damage deposit back', 'is there internet in the apartment', 'how much is the city tax', 'the boiler is broken who should I call'];
  const search = app.app.get(FaqSearchService);
  const repo = app.app.get(FaqSearchRepository);
  const emb = app.app.get(FaqEmbeddingsService);
  const time = async (label: string, fn: () => Promise<unknown>) => {
    for (let i = 0; i < 5; i++) await run(async () => fn());
    const n = 60;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await run(async () => fn());
    console.log(`${label}: ${(Number(process.hrtime.bigint() - t0) / 1e6 / n).toFixed(2)} ms/op`);
  };
  let k = 0;
  await time('full search() over 202 docs', () => search.search(queries[k++ % queries.length], 5));
  await time('fullText SQL only', () => repo.fullText(searchTerms(queries[k++ % queries.length])));
  const v = (await emb.embedQuery('can I bring my dog'))!;
  await time('vectors fetched + cosine in JS', async () => {
    const em = orm.em;
    const rows = await em.getConnection().execute(`select e.document_id as id, e.vector from faq_embeddings e join faq_documents d on d.id = e.document_id where d.status = 'published' and e.model = ?`, [emb.model]);
    return rows.map((r: any) => { const x: number[] = r.vector.map(Number); let s = 0; for (let i = 0; i < x.length; i++) s += x[i] * v[i]; return s; });
  });
  const lit = '{' + v.join(',') + '}';
  await time('similarity SQL, param once (CTE)', () => orm.em.getConnection().execute(`with q as materialized (select ?::real[] as v)
select e.document_id as id, (select sum(a * b) from unnest(e.vector, q.v) as x(a, b))::float8 as similarity
from faq_embeddings e join faq_documents d on d.id = e.document_id cross join q
where d.status = 'published' and e.model = ?`, [lit, emb.model]));
  await time('similarity SQL, generate_series index', () => orm.em.getConnection().execute(`with q as materialized (select ?::real[] as v)
select e.document_id as id, (select sum(e.vector[i] * q.v[i]) from generate_series(1, array_length(q.v, 1)) i)::float8 as similarity
from faq_embeddings e join faq_documents d on d.id = e.document_id cross join q
where d.status = 'published' and e.model = ?`, [lit, emb.model]));
  await time('embeddedPublished', () => repo.embeddedPublished(emb.model));
  await run(async () => { const r = await orm.em.getConnection().execute(`explain analyze select e.document_id as id, e.content_hash as hash
from faq_embeddings e join faq_documents d on d.id = e.document_id where d.status = 'published' and e.model = ?`, [emb.model]); console.log(r.map((x: any) => x['QUERY PLAN']).join('\n')); });
  await time('noop run', async () => 1);
  await time('local embed of a query', () => emb.embedQuery('the boiler is broken who should I call'));
  await app.close();
});
