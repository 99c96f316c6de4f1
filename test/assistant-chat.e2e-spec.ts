import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RequestContext } from '@mikro-orm/core';
import { seedChatConfig } from '../src/chat-config/chat-config.seed';
import { seedFaq } from '../src/faq/faq.seed';
import { FakeLlm, parseSse } from './harness/fake-llm';
import { ProductApp, startBothProducts, type TestUser } from './harness/product-app';
import { loadSeedData } from '../src/seed/seed-data';

const SSE = { Accept: 'text/event-stream' };

async function seedChatConfigIn(app: ProductApp): Promise<void> {
  const admin = await app.user('admin');
  await app.inTenant(() => RequestContext.create(app.orm.em, () => seedChatConfig(app.app, loadSeedData(app.product).chatConfig)), admin.id);
}

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('assistant: streaming, conversations, usage and budgets', () => {
  let llm: FakeLlm;
  let model: ProductApp; // bestays with the fake model
  let offline: Awaited<ReturnType<typeof startBothProducts>>;
  let alice: TestUser;
  let bob: TestUser;

  const messageCount = async (app: ProductApp, conversationId: string): Promise<number> => {
    const rows = await app.inTenant(() =>
      app.em().getConnection().execute<Array<{ n: string }>>(`select count(*) as n from chat_messages where conversation_id = ?`, [conversationId]),
    );
    return Number(rows[0].n);
  };

  beforeAll(async () => {
    llm = await FakeLlm.start();
    model = await ProductApp.start('bestays', { LLM_BASE_URL: llm.url, LLM_API_KEY: 'k', LLM_MODEL: 'fake-stream' });
    offline = await startBothProducts();
    await offline.bestays.inTenant(() => seedFaq(offline.bestays.app, loadSeedData('bestays').faq));
    alice = await model.user();
    bob = await model.user();
  });
  afterAll(async () => {
    await Promise.all([model.close(), offline.bestays.close(), offline.realestate.close()]);
    await llm.close();
  });
  beforeEach(() => llm.reset());

  describe('streaming', () => {
    it('streams deltas as the model produces them, then done with exactly the non-streaming JSON', async () => {
      llm.next(() => ({ content: 'Yes, pets are welcome in most of our homes.' }));
      const response = await model.http.post('/api/v1/llm/chat').set(alice.auth).set(SSE).send({ message: 'Pets?' }).buffer(true).parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => done(null, text));
      });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
      const events = parseSse(response.body as string);
      const deltas = events.filter((e) => e.event === 'delta');
      expect(deltas.length).toBeGreaterThan(1);
      expect(events.at(-1)?.event).toBe('done');
      expect(events.filter((e) => e.event === 'done')).toHaveLength(1);
      const done = events.at(-1)!.data as { conversationId: string; reply: string; sources: string[] };
      expect(Object.keys(done).sort()).toEqual(['conversationId', 'reply', 'sources']);
      expect(deltas.map((e) => (e.data as { text: string }).text).join('')).toBe(done.reply);
      expect(done.reply).toBe('Yes, pets are welcome in most of our homes.');
      // Upstream was asked to stream and to report usage.
      expect(llm.calls[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
      // Stored like a non-streamed answer.
      const view = await model.http.get(`/api/v1/llm/conversations/${done.conversationId}`).set(alice.auth).expect(200);
      expect(view.body.messages.map((m: { content: string }) => m.content)).toEqual(['Pets?', done.reply]);
    });

    it('streams tool rounds too (tool calls assembled from streamed pieces)', async () => {
      llm.next(() => ({ toolCalls: [{ name: 'search_faq', arguments: '{"q":"check-in time"}' }] }));
      llm.next(() => ({ content: 'Check-in is in the afternoon.' }));
      await model.inTenant(() => seedFaq(model.app, loadSeedData('bestays').faq));
      // The seed's tools (another suite may have seeded this shared database already).
      await seedChatConfigIn(model);
      const response = await model.http.post('/api/v1/llm/chat').set(alice.auth).set(SSE).send({ message: 'When can I arrive?' }).expect(200);
      const events = parseSse(response.text);
      const done = events.at(-1)!;
      expect(done.event).toBe('done');
      expect(llm.calls).toHaveLength(2);
      const toolMessage = llm.calls[1].body.messages.find((m) => m.role === 'tool');
      expect(JSON.parse(toolMessage!.content!)).toMatchObject({ faq: expect.any(Array) });
      const conversationId = (done.data as { conversationId: string }).conversationId;
      const view = await model.http.get(`/api/v1/llm/conversations/${conversationId}`).set(alice.auth).expect(200);
      expect(view.body.messages[1]).toMatchObject({ role: 'tool', toolName: 'search_faq', toolArguments: { q: 'check-in time' } });
    });

    it('the offline answerer streams too, in a few deltas', async () => {
      const user = await offline.bestays.user();
      const response = await offline.bestays.http.post('/api/v1/llm/chat').set(user.auth).set(SSE).send({ message: 'Can I bring my dog?' }).expect(200);
      const events = parseSse(response.text);
      const deltas = events.filter((e) => e.event === 'delta');
      expect(deltas.length).toBeGreaterThanOrEqual(1);
      const done = events.at(-1)!;
      expect(done.event).toBe('done');
      expect(deltas.map((e) => (e.data as { text: string }).text).join('')).toBe((done.data as { reply: string }).reply);
      // Without the header: plain JSON as before.
      const plain = await offline.bestays.http.post('/api/v1/llm/chat').set(user.auth).send({ message: 'Can I bring my dog?' }).expect(200);
      expect(plain.headers['content-type']).toMatch(/application\/json/);
      expect(plain.body.reply).toBe((done.data as { reply: string }).reply);
    });

    it('a model failure is one error event, and nothing is stored', async () => {
      llm.next(() => ({ status: 500 }), () => ({ status: 502 }));
      const before = await model.http.get('/api/v1/llm/conversations?limit=100').set(alice.auth).expect(200);
      const response = await model.http.post('/api/v1/llm/chat').set(alice.auth).set(SSE).send({ message: 'Break the stream' }).expect(200);
      const events = parseSse(response.text);
      expect(events).toEqual([{ event: 'error', data: { statusCode: 502, error: 'Bad Gateway', message: expect.any(String), requestId: expect.any(String) } }]);
      const after = await model.http.get('/api/v1/llm/conversations?limit=100').set(alice.auth).expect(200);
      expect(after.body.total).toBe(before.body.total);
    });

    it('errors known before the stream starts are plain JSON (404 for a foreign conversation)', async () => {
      const response = await model.http
        .post('/api/v1/llm/chat')
        .set(bob.auth)
        .set(SSE)
        .send({ message: 'hi', conversationId: crypto.randomUUID() })
        .expect(404);
      expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    });

    it('a client that disconnects mid-stream stops the upstream request, and nothing is stored', async () => {
      llm.next(() => ({ content: 'one two three four five six seven eight nine ten eleven twelve', chunkDelayMs: 300 }));
      const server = model.app.getHttpServer() as import('node:http').Server;
      if (!server.listening) {
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      }
      const { port } = server.address() as AddressInfo;
      const before = (await model.http.get('/api/v1/llm/conversations?limit=100').set(bob.auth).expect(200)).body.total as number;
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, path: '/api/v1/llm/chat', method: 'POST', headers: { ...bob.auth, ...SSE, 'content-type': 'application/json' } },
          (res) => {
            res.once('data', () => {
              // The first delta arrived: hang up.
              req.destroy();
              resolve();
            });
          },
        );
        req.on('error', () => undefined);
        req.end(JSON.stringify({ message: 'Hang up on me' }));
        setTimeout(() => reject(new Error('no data')), 10_000);
      });
      await waitFor(() => llm.calls.length === 1 && llm.calls[0].closedEarly);
      await new Promise((resolve) => setTimeout(resolve, 300));
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      const after = (await model.http.get('/api/v1/llm/conversations?limit=100').set(bob.auth).expect(200)).body.total as number;
      expect(after).toBe(before);
      // The call is still metered, as aborted.
      const outcomes = async (): Promise<string[]> =>
        (
          await model.inTenant(() =>
            model.em().getConnection().execute<Array<{ outcome: string }>>(`select outcome from llm_usage where user_id = ?`, [bob.id]),
          )
        ).map((row) => row.outcome);
      let seen = await outcomes();
      for (let i = 0; i < 40 && !seen.includes('aborted'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        seen = await outcomes();
      }
      expect(seen).toContain('aborted');
    });
  });

  describe('conversations', () => {
    it('lists the caller’s own, newest first, paged; deletes own (204) and 404s anyone else’s', async () => {
      const carol = await model.user();
      const dave = await model.user();
      const first = await model.http.post('/api/v1/llm/chat').set(carol.auth).send({ message: 'First question about parking' }).expect(200);
      const second = await model.http.post('/api/v1/llm/chat').set(carol.auth).send({ message: 'Second question' }).expect(200);
      await model.http.post('/api/v1/llm/chat').set(dave.auth).send({ message: 'Dave asks' }).expect(200);

      const list = await model.http.get('/api/v1/llm/conversations').set(carol.auth).expect(200);
      expect(list.body).toEqual({
        items: [
          { id: second.body.conversationId, title: 'Second question', createdAt: expect.any(String), updatedAt: expect.any(String), messageCount: 2 },
          { id: first.body.conversationId, title: 'First question about parking', createdAt: expect.any(String), updatedAt: expect.any(String), messageCount: 2 },
        ],
        limit: 20,
        offset: 0,
        nextCursor: null,
        total: 2,
        totalExact: true,
      });
      // Continuing the older one makes it the most recent.
      await model.http.post('/api/v1/llm/chat').set(carol.auth).send({ message: 'More', conversationId: first.body.conversationId }).expect(200);
      const reordered = await model.http.get('/api/v1/llm/conversations?limit=1').set(carol.auth).expect(200);
      expect(reordered.body).toMatchObject({ items: [{ id: first.body.conversationId, messageCount: 4 }], limit: 1, total: 2 });
      const secondPage = await model.http.get('/api/v1/llm/conversations?limit=1&offset=1').set(carol.auth).expect(200);
      expect(secondPage.body.items.map((c: { id: string }) => c.id)).toEqual([second.body.conversationId]);

      await model.http.get('/api/v1/llm/conversations?limit=0').set(carol.auth).expect(400);
      await model.http.get('/api/v1/llm/conversations').expect(401);

      // Someone else's: 404 (another user, another product), and nothing deleted.
      await model.http.delete(`/api/v1/llm/conversations/${first.body.conversationId}`).set(dave.auth).expect(404);
      const stranger = await offline.realestate.user();
      await offline.realestate.http.delete(`/api/v1/llm/conversations/${first.body.conversationId}`).set(stranger.auth).expect(404);
      await model.http.delete('/api/v1/llm/conversations/not-a-uuid').set(carol.auth).expect(400);
      expect(await messageCount(model, first.body.conversationId)).toBe(4);

      await model.http.delete(`/api/v1/llm/conversations/${first.body.conversationId}`).set(carol.auth).expect(204);
      expect(await messageCount(model, first.body.conversationId)).toBe(0);
      await model.http.get(`/api/v1/llm/conversations/${first.body.conversationId}`).set(carol.auth).expect(404);
      await model.http.delete(`/api/v1/llm/conversations/${first.body.conversationId}`).set(carol.auth).expect(404);
      const left = await model.http.get('/api/v1/llm/conversations').set(carol.auth).expect(200);
      expect(left.body.items.map((c: { id: string }) => c.id)).toEqual([second.body.conversationId]);
    });

    it('pages the messages of one conversation', async () => {
      const erin = await model.user();
      const start = await model.http.post('/api/v1/llm/chat').set(erin.auth).send({ message: 'm1' }).expect(200);
      const id = start.body.conversationId as string;
      await model.http.post('/api/v1/llm/chat').set(erin.auth).send({ message: 'm2', conversationId: id }).expect(200);
      await model.http.post('/api/v1/llm/chat').set(erin.auth).send({ message: 'm3', conversationId: id }).expect(200);
      const page = await model.http.get(`/api/v1/llm/conversations/${id}?limit=2&offset=2`).set(erin.auth).expect(200);
      expect(page.body.messages.map((m: { content: string }) => m.content)).toEqual(['m2', 'model says: m2']);
      expect(page.body.messagesPage).toEqual({ limit: 2, offset: 2, nextCursor: expect.any(String), total: 6, totalExact: true });
      await model.http.get(`/api/v1/llm/conversations/${id}?limit=101`).set(erin.auth).expect(400);
    });
  });

  describe('context budget', () => {
    it('drops the oldest history first to stay within LLM_CONTEXT_BUDGET_TOKENS', async () => {
      const small = await ProductApp.start('bestays', { LLM_BASE_URL: llm.url, LLM_API_KEY: 'k', LLM_CONTEXT_BUDGET_TOKENS: '2400' });
      try {
        const user = await small.user();
        const long = (n: number): string => `turn ${n} ${'words '.repeat(300)}`; // ~460 tokens each
        const first = await small.http.post('/api/v1/llm/chat').set(user.auth).send({ message: long(1) }).expect(200);
        const id = first.body.conversationId as string;
        await small.http.post('/api/v1/llm/chat').set(user.auth).send({ message: long(2), conversationId: id }).expect(200);
        await small.http.post('/api/v1/llm/chat').set(user.auth).send({ message: long(3), conversationId: id }).expect(200);
        llm.reset();
        await small.http.post('/api/v1/llm/chat').set(user.auth).send({ message: long(4), conversationId: id }).expect(200);
        const sent = llm.calls[0].body.messages;
        const chars = sent.reduce((sum, m) => sum + (m.content ?? '').length, 0) + JSON.stringify(llm.calls[0].body.tools ?? []).length;
        expect(Math.ceil(chars / 4)).toBeLessThanOrEqual(2400 + sent.length);
        expect(sent[0].role).toBe('system');
        expect(sent.at(-1)?.content).toBe(long(4));
        // Three earlier turns (~900 tokens each) do not fit: turn 1 (the oldest) is gone, turn 3 is kept whole.
        expect(sent.some((m) => m.content === long(1))).toBe(false);
        expect(sent.some((m) => m.content === long(3))).toBe(true);
        expect(sent.some((m) => m.content === `model says: ${long(3)}`.trim())).toBe(true);
      } finally {
        await small.close();
      }
    });
  });

  describe('usage and budgets', () => {
    it('records usage per call and reports it per day and top users, this product only (admin)', async () => {
      const admin = await model.user('admin');
      const frank = await model.user();
      const today = new Date().toISOString().slice(0, 10);
      const before = await model.http.get(`/api/v1/admin/llm-usage?from=${today}&to=${today}`).set(admin.auth).expect(200);
      llm.next(() => ({ content: 'big', usage: { prompt_tokens: 700, completion_tokens: 300, total_tokens: 1000 } }));
      await model.http.post('/api/v1/llm/chat').set(frank.auth).send({ message: 'Count me' }).expect(200);
      await model.http.post('/api/v1/llm/chat').set(frank.auth).set(SSE).send({ message: 'Count me streamed' }).expect(200);
      const after = await model.http.get(`/api/v1/admin/llm-usage?from=${today}&to=${today}`).set(admin.auth).expect(200);
      expect(after.body.totals.totalTokens - before.body.totals.totalTokens).toBe(1015);
      expect(after.body.totals.calls - before.body.totals.calls).toBe(2);
      expect(after.body.days).toEqual([expect.objectContaining({ day: today })]);
      expect(after.body.topUsers).toContainEqual({ userId: frank.id, email: expect.any(String), calls: 2, totalTokens: 1015 });
      const rows = await model.inTenant(() =>
        model.em().getConnection().execute<Array<{ model: string; outcome: string }>>(`select model, outcome from llm_usage where user_id = ?`, [frank.id]),
      );
      expect(rows).toEqual([
        { model: 'fake-stream', outcome: 'ok' },
        { model: 'fake-stream', outcome: 'ok' },
      ]);

      // Another product's admin sees none of it.
      const otherAdmin = await offline.realestate.user('admin');
      const other = await offline.realestate.http.get(`/api/v1/admin/llm-usage?from=${today}&to=${today}`).set(otherAdmin.auth).expect(200);
      expect(other.body.topUsers.map((u: { userId: string }) => u.userId)).not.toContain(frank.id);

      await model.http.get('/api/v1/admin/llm-usage').set(frank.auth).expect(403);
      await model.http.get('/api/v1/admin/llm-usage?from=2026-13-01').set(admin.auth).expect(400);
      await model.http.get('/api/v1/admin/llm-usage?from=2026-02-30&to=2026-03-01').set(admin.auth).expect(400);
      await model.http.get('/api/v1/admin/llm-usage?from=2026-03-02&to=2026-03-01').set(admin.auth).expect(400);
    });

    it('answers 429 once the product monthly budget is used up, with no extractive substitute', async () => {
      const capped = await ProductApp.start('realestate', { LLM_BASE_URL: llm.url, LLM_API_KEY: 'k', LLM_MONTHLY_TOKEN_BUDGET: '5000000' });
      try {
        const user = await capped.user();
        llm.next(() => ({ content: 'expensive', usage: { prompt_tokens: 5000000, completion_tokens: 0, total_tokens: 5000000 } }));
        await capped.http.post('/api/v1/llm/chat').set(user.auth).send({ message: 'Spend it all' }).expect(200);
        const calls = llm.calls.length;
        const refused = await capped.http.post('/api/v1/llm/chat').set(user.auth).send({ message: 'One more?' }).expect(429);
        expect(refused.body).toMatchObject({ statusCode: 429, message: expect.stringMatching(/monthly .*budget .*used up/i) });
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
        expect(llm.calls.length).toBe(calls);
        // Another user of the product too; streamed callers get the plain 429.
        const other = await capped.user();
        await capped.http.post('/api/v1/llm/chat').set(other.auth).set(SSE).send({ message: 'Me?' }).expect(429);
        // Leave the shared test database's monthly total as it was for other suites.
        await capped.inTenant(() => capped.em().getConnection().execute(`delete from llm_usage where user_id = ?`, [user.id]));
        await capped.http.post('/api/v1/llm/chat').set(other.auth).send({ message: 'Budget back' }).expect(200);
      } finally {
        await capped.close();
      }
    });

    it('answers 429 once a user daily budget is used up, for that user only', async () => {
      const capped = await ProductApp.start('bestays', { LLM_BASE_URL: llm.url, LLM_API_KEY: 'k', LLM_USER_DAILY_TOKEN_BUDGET: '20' });
      try {
        const greedy = await capped.user();
        const modest = await capped.user();
        await capped.http.post('/api/v1/llm/chat').set(greedy.auth).send({ message: 'one' }).expect(200); // 15 tokens
        await capped.http.post('/api/v1/llm/chat').set(greedy.auth).send({ message: 'two' }).expect(200); // 30
        const refused = await capped.http.post('/api/v1/llm/chat').set(greedy.auth).send({ message: 'three' }).expect(429);
        expect(refused.body.message).toMatch(/daily .*budget .*used up/i);
        await capped.http.post('/api/v1/llm/chat').set(modest.auth).send({ message: 'mine' }).expect(200);
      } finally {
        await capped.close();
      }
    });
  });

  it('the OpenAPI document describes the stream, tool messages and the new routes', async () => {
    const { body } = await model.http.get('/api/docs-json').expect(200);
    const chat = body.paths['/api/v1/llm/chat'].post;
    expect(Object.keys(chat.responses['200'].content).sort()).toEqual(['application/json', 'text/event-stream']);
    expect(chat.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/ChatResponse');
    expect(chat.responses['200'].description).toMatch(/event: delta/);
    expect(chat.responses['429']).toBeDefined();
    expect(body.components.schemas.ChatMessageResponse.properties.role.enum).toEqual(['user', 'assistant', 'tool']);
    expect(body.components.schemas.ChatMessageResponse.properties).toHaveProperty('toolName');
    expect(body.components.schemas.ToolResponse.properties).toHaveProperty('executable');
    expect(body.components.schemas.FaqAnalyticsResponse.properties).toHaveProperty('lowScoreSearches');
    expect(body.paths['/api/v1/llm/conversations'].get).toBeDefined();
    expect(body.paths['/api/v1/llm/conversations/{id}'].delete).toBeDefined();
    expect(body.paths['/api/v1/admin/llm-usage'].get).toBeDefined();
    expect(body.paths['/api/v1/admin/faq-synonyms'].post).toBeDefined();
    expect(body.paths['/api/v1/admin/faq-synonyms/{id}'].patch).toBeDefined();
  });
});
