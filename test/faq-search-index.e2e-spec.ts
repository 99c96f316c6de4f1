import { randomInt } from 'node:crypto';
import { Client } from 'pg';
import { createScratchDatabase, dropScratchDatabase } from './harness/db';
import { ProductApp } from './harness/product-app';

// Each server ranks FAQ searches from its own in-memory snapshot of the published FAQ. What a search
// must see after a change: at once on the server that made it, within a second on another replica
// of the product or after a change made by SQL, and never anything of another product.
describe('FAQ search index: what a search sees after a change', () => {
  let scratch: { name: string; url: string };
  let replicas: [ProductApp, ProductApp];
  let other: ProductApp;

  const owner = async (sql: string, params: unknown[] = []): Promise<void> => {
    const client = new Client({ connectionString: scratch.url });
    await client.connect();
    try {
      await client.query(sql, params);
    } finally {
      await client.end();
    }
  };

  // A word no seed document has (letters only: search terms are plain words).
  const newWord = (): string => `zq${Array.from({ length: 8 }, () => String.fromCharCode(97 + randomInt(26))).join('')}`;

  const questionsFor = async (app: ProductApp, q: string): Promise<string[]> => {
    const response = await app.http.get('/api/v1/faq/search').query({ q }).expect(200);
    return (response.body.items as Array<{ question: string }>).map((item) => item.question);
  };

  // Polls until `check` holds; returns how long that took (or fails after timeoutMs).
  const within = async (check: () => Promise<boolean>, timeoutMs = 3_000): Promise<number> => {
    const started = Date.now();
    while (!(await check())) {
      if (Date.now() - started > timeoutMs) {
        throw new Error(`not seen within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return Date.now() - started;
  };

  beforeAll(async () => {
    scratch = await createScratchDatabase('search_index');
    replicas = [await ProductApp.start('bestays', {}, scratch.url), await ProductApp.start('bestays', {}, scratch.url)];
    other = await ProductApp.start('realestate', {}, scratch.url);
  });

  afterAll(async () => {
    await Promise.all([...(replicas ?? []), other].filter(Boolean).map((app) => app.close()));
    if (scratch) {
      await dropScratchDatabase(scratch.name);
    }
  });

  async function publishedFaq(app: ProductApp, question: string): Promise<{ id: string; auth: Record<string, string> }> {
    const { auth } = await app.user('admin');
    const category = await app.http
      .post('/api/v1/admin/categories')
      .set(auth)
      .send({ name: 'Index', slug: `index-${newWord()}` })
      .expect(201);
    const faq = await app.http
      .post('/api/v1/admin/faqs')
      .set(auth)
      .send({ categoryId: category.body.id, question, answer: 'Yes, all year round.', status: 'published' })
      .expect(201);
    return { id: faq.body.id as string, auth };
  }

  it('sees a change at once on the server that made it, within a second on the other replica, never in the other product', async () => {
    const word = newWord();
    const question = `Is the ${word} open in winter?`;
    // Both snapshots loaded and checked before the change, so what follows is a refresh, not a first load.
    expect(await questionsFor(replicas[0], word)).toEqual([]);
    expect(await questionsFor(replicas[1], word)).toEqual([]);

    const { id, auth } = await publishedFaq(replicas[0], question);
    expect(await questionsFor(replicas[0], word)).toEqual([question]);
    expect(await within(async () => (await questionsFor(replicas[1], word)).length === 1)).toBeLessThan(1_000);
    expect(await questionsFor(replicas[1], word)).toEqual([question]);
    expect(await questionsFor(other, word)).toEqual([]);

    // Taken back to draft: gone from this server's next search, and soon from the other's.
    await replicas[0].http.patch(`/api/v1/admin/faqs/${id}`).set(auth).send({ status: 'draft' }).expect(200);
    expect(await questionsFor(replicas[0], word)).toEqual([]);
    expect(await within(async () => (await questionsFor(replicas[1], word)).length === 0)).toBeLessThan(1_000);
  });

  it('sees a change made by SQL, outside any server, within a second', async () => {
    const before = newWord();
    const after = newWord();
    const { id } = await publishedFaq(replicas[0], `Can I store a ${before} in the garage?`);
    await within(async () => (await questionsFor(replicas[1], before)).length === 1);

    await owner('update faq_documents set question = $1, updated_at = now() where id = $2', [`Can I store a ${after} in the garage?`, id]);
    for (const replica of replicas) {
      expect(await within(async () => (await questionsFor(replica, after)).length === 1)).toBeLessThan(1_000);
      expect(await questionsFor(replica, before)).toEqual([]);
    }

    await owner('delete from faq_related where document_id = $1 or related_id = $1', [id]);
    await owner('delete from faq_embeddings where document_id = $1', [id]);
    await owner('delete from faq_documents where id = $1', [id]);
    expect(await within(async () => (await questionsFor(replicas[1], after)).length === 0)).toBeLessThan(1_000);
  });
});
