import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { type Log, prepareDatabase } from '../src/database/migrate';
import { catchUpFaqEmbeddings } from '../src/faq/faq-embeddings.catch-up';
import { createScratchDatabase, dropScratchDatabase } from './harness/db';
import { clerkUserCreated, ProductApp } from './harness/product-app';

// Two replicas (processes) of one product against one database share what they must: migrations
// run once, a webhook delivery is processed once whichever replica gets it, and background work
// runs on one replica at a time.
describe('two replicas of one product against one database', () => {
  let scratch: { name: string; url: string };
  let replicas: [ProductApp, ProductApp];
  let embeddings: Server;
  let embeddingCalls = 0;
  let embeddingDelayMs = 0;

  const owner = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> => {
    const client = new Client({ connectionString: scratch.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as R[];
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    // A fake embeddings endpoint whose slowness the test controls.
    embeddings = createServer((request, response) => {
      let raw = '';
      request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      request.on('end', () => {
        embeddingCalls++;
        const body = JSON.parse(raw) as { input: string[] };
        const data = body.input.map((text, index) => ({ index, embedding: Array.from({ length: 8 }, (_, i) => (text.length % (i + 2)) + 1) }));
        setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data })), embeddingDelayMs);
      });
    });
    await new Promise<void>((resolve) => embeddings.listen(0, '127.0.0.1', resolve));
    scratch = await createScratchDatabase('replicas');
    // Same product, same configuration (one Clerk instance), two processes.
    const env = {
      CLERK_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64')}`,
      EMBEDDINGS_BASE_URL: `http://127.0.0.1:${(embeddings.address() as AddressInfo).port}/v1`,
      EMBEDDINGS_API_KEY: 'sk-test',
      EMBEDDINGS_MODEL: 'fake-embed-8',
    };
    replicas = [await ProductApp.start('bestays', env, scratch.url), await ProductApp.start('bestays', env, scratch.url)];
  });

  afterAll(async () => {
    await Promise.all((replicas ?? []).map((replica) => replica.close()));
    if (scratch) {
      await dropScratchDatabase(scratch.name);
    }
    embeddings?.closeAllConnections();
    await new Promise((resolve) => embeddings?.close(resolve));
  });

  it('migrations run once when both replicas boot at the same moment', async () => {
    const fresh = await createScratchDatabase('replicas_boot');
    try {
      const logs: string[][] = [[], []];
      const log = (i: number): Log => ({ log: (m) => logs[i].push(m), warn: (m) => logs[i].push(m) });
      const [a, b] = await Promise.all([prepareDatabase(fresh.url, 'bestays', log(0)), prepareDatabase(fresh.url, 'bestays', log(1))]);
      expect(a).toBe(b);
      const applied = logs.map((lines) => lines.filter((line) => line.startsWith('applied migrations')).length);
      expect(applied.sort()).toEqual([0, 1]);
    } finally {
      await dropScratchDatabase(fresh.name);
    }
  });

  it('the same signed delivery sent to both replicas at once is processed once', async () => {
    for (let round = 0; round < 5; round++) {
      const clerkUserId = `user_${randomUUID().replace(/-/g, '')}`;
      const body = JSON.stringify(clerkUserCreated(clerkUserId, { role: 'agent' }));
      const headers = replicas[0].signWebhook(body); // one delivery: same svix-id, timestamp and signature
      const answers = await Promise.all(replicas.map((replica) => replica.http.post('/api/v1/webhooks/clerk').set(headers).send(body)));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
      expect(answers.map((answer) => answer.body.duplicate).sort()).toEqual([false, true]);

      expect(await owner('select status from webhook_events where svix_id = $1', [headers['svix-id']])).toEqual([{ status: 'processed' }]);
      const users = await owner<{ id: string }>('select id from users where clerk_user_id = $1', [clerkUserId]);
      expect(users).toHaveLength(1);
      expect(await owner("select action from audit_log where entity_id = $1 and action = 'create'", [users[0].id])).toEqual([{ action: 'create' }]);
    }
  });

  it('the embeddings catch-up runs on one replica at a time (advisory lock); the other skips it', async () => {
    // Each test app has its own Clerk key pair: sign in and write through the first replica.
    const auth = (await replicas[0].user('admin')).auth;
    const category = await replicas[0].http.post('/api/v1/admin/categories').set(auth).send({ name: 'Shared', slug: `shared-${randomUUID().slice(0, 8)}` }).expect(201);
    for (const question of ['Is there a lift?', 'Can I park a van?', 'Is breakfast included?']) {
      await replicas[0].http.post('/api/v1/admin/faqs').set(auth).send({ categoryId: category.body.id, question, answer: 'Yes.', status: 'published' }).expect(201);
    }
    // As a model change leaves them: every vector is of another model.
    await owner("update faq_embeddings set model = 'older-model'");
    embeddingCalls = 0;
    embeddingDelayMs = 1_500; // the first replica is still embedding when the second one tries

    const results = await Promise.all(replicas.map((replica) => catchUpFaqEmbeddings(replica.app, 'bestays')));
    expect([...results].sort()).toEqual([3, null]);
    expect(embeddingCalls).toBe(1); // one batch, by one replica
    expect(await owner("select distinct model from faq_embeddings where product = 'bestays'")).toEqual([{ model: 'fake-embed-8' }]);

    // Once done, the next run (on either replica) finds nothing left: the lock is free again.
    embeddingDelayMs = 0;
    expect(await catchUpFaqEmbeddings(replicas[1].app, 'bestays')).toBe(0);
  });
});
