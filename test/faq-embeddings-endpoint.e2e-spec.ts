import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CategoryJson, embeddingHash, embeddingOf, type FaqJson, unique } from './harness/faq-suite';
import { ProductApp } from './harness/product-app';

describe('FAQ', () => {
  describe('embeddings through an OpenAI-compatible endpoint', () => {
    let server: Server;
    let baseUrl: string;
    let failing = false;
    const requests: Array<{ authorization?: string; body: { model: string; input: string[] } }> = [];

    beforeAll(async () => {
      server = createServer((request: IncomingMessage, response) => {
        let raw = '';
        request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
        request.on('end', () => {
          const body = JSON.parse(raw) as { model: string; input: string[] };
          requests.push({ authorization: request.headers.authorization, body });
          if (failing || request.url !== '/v1/embeddings') {
            response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"overloaded"}');
            return;
          }
          // A deterministic 8-dimension "model", answered out of order with indexes.
          const data = body.input.map((text, index) => ({
            index,
            embedding: Array.from({ length: 8 }, (_, i) => (text.length % (i + 2)) + 1),
          }));
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: data.reverse() }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    });
    afterAll(async () => {
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    });

    it('stores the endpoint\'s vectors, and a failing endpoint does not fail the document write', async () => {
      const remote = await ProductApp.start('bestays', {
        EMBEDDINGS_BASE_URL: baseUrl,
        EMBEDDINGS_API_KEY: 'sk-test-key',
        EMBEDDINGS_MODEL: 'test-embed-8',
        // This test is about the write path; the breaker has its own (test/outbound-resilience.e2e-spec.ts).
        OUTBOUND_BREAKER_THRESHOLD: '1000',
      });
      try {
        const auth = (await remote.user('admin')).auth;
        const categoryBody = { name: 'Remote', slug: `remote-${unique()}` };
        const category = (await remote.http.post('/api/v1/admin/categories').set(auth).send(categoryBody).expect(201)).body as CategoryJson;
        const word = `wombat${unique().replace(/[^a-z]/g, '')}`;
        const faq = (
          await remote.http
            .post('/api/v1/admin/faqs')
            .set(auth)
            .send({ categoryId: category.id, question: `Is there a ${word}?`, answer: 'Yes.', status: 'published' })
            .expect(201)
        ).body as FaqJson;
        expect(requests.at(-1)).toEqual({
          authorization: 'Bearer sk-test-key',
          body: { model: 'test-embed-8', input: [`Is there a ${word}?\n\nYes.`] },
        });
        const stored = await embeddingOf(faq.id);
        expect(stored).toMatchObject({ model: 'test-embed-8', dims: 8, content_hash: embeddingHash(`Is there a ${word}?`, [], 'Yes.') });
        const search = await remote.http.get('/api/v1/faq/search').query({ q: word }).expect(200);
        expect((search.body.items as Array<{ id: string }>).map((item) => item.id)).toEqual([faq.id]);

        failing = true;
        const updated = await remote.http.patch(`/api/v1/admin/faqs/${faq.id}`).set(auth).send({ answer: 'Yes, two of them.' }).expect(200);
        expect(updated.body.answer).toBe('Yes, two of them.');
        // The stale vector is gone; the document is still found by full text (and the query's failed embedding too).
        expect(await embeddingOf(faq.id)).toBeUndefined();
        const created = await remote.http
          .post('/api/v1/admin/faqs')
          .set(auth)
          .send({ categoryId: category.id, question: `Where does the ${word} sleep?`, answer: 'In a burrow.', status: 'published' })
          .expect(201);
        expect(await embeddingOf(created.body.id as string)).toBeUndefined();
        const degraded = await remote.http.get('/api/v1/faq/search').query({ q: word }).expect(200);
        expect((degraded.body.items as Array<{ id: string }>).map((item) => item.id).sort()).toEqual([faq.id, created.body.id].sort());

        // Back up: the next change of the document embeds it again.
        failing = false;
        await remote.http.patch(`/api/v1/admin/faqs/${faq.id}`).set(auth).send({ status: 'published' }).expect(200);
        expect(await embeddingOf(faq.id)).toMatchObject({
          model: 'test-embed-8',
          content_hash: embeddingHash(`Is there a ${word}?`, [], 'Yes, two of them.'),
        });
      } finally {
        await remote.close();
      }
    });
  });
});
