import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seedFaq } from '../src/faq/faq.seed';
import { ProductApp, startBothProducts, type TestUser } from './harness/product-app';

interface FakeCall {
  authorization?: string;
  body: { model: string; messages: Array<{ role: string; content: string }> };
}

/** An OpenAI-compatible chat completions endpoint on loopback: the only outside world we mock. */
async function fakeLlm(): Promise<{ server: Server; url: string; calls: FakeCall[]; failNext: () => void }> {
  const calls: FakeCall[] = [];
  let fail = false;
  const server = createServer((request: IncomingMessage, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
        response.writeHead(404).end();
        return;
      }
      const body = JSON.parse(raw) as FakeCall['body'];
      calls.push({ authorization: request.headers.authorization, body });
      if (fail) {
        fail = false;
        response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
        return;
      }
      const question = body.messages[body.messages.length - 1]?.content ?? '';
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: `model says: ${question}` } }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/v1`, calls, failNext: () => (fail = true) };
}

describe('the FAQ chat assistant', () => {
  let apps: Awaited<ReturnType<typeof startBothProducts>>;
  let withModel: ProductApp;
  let llm: Awaited<ReturnType<typeof fakeLlm>>;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser; // realestate
  let modelUser: TestUser;

  const publishedIds = async (app: ProductApp): Promise<Set<string>> => {
    const response = await app.http.get('/api/v1/faq/documents?limit=100').expect(200);
    return new Set((response.body.items as Array<{ id: string }>).map((item) => item.id));
  };

  beforeAll(async () => {
    llm = await fakeLlm();
    apps = await startBothProducts();
    withModel = await ProductApp.start('bestays', { LLM_BASE_URL: llm.url, LLM_API_KEY: 'test-llm-key', LLM_MODEL: 'fake-1', OUTBOUND_RETRIES: '0' });
    for (const app of [apps.bestays, apps.realestate]) {
      await app.inTenant(() => seedFaq(app.app, app.product));
    }
    alice = await apps.bestays.user();
    bob = await apps.bestays.user();
    carol = await apps.realestate.user();
    modelUser = await withModel.user();
  });
  afterAll(async () => {
    await Promise.all([apps.bestays.close(), apps.realestate.close(), withModel.close()]);
    await new Promise((resolve) => llm.server.close(resolve));
  });

  it('answers offline from the best FAQ matches and cites them', async () => {
    const response = await apps.bestays.http
      .post('/api/v1/llm/chat')
      .set(alice.auth)
      .send({ message: 'Can I bring my dog with me?' })
      .expect(200);
    expect(Object.keys(response.body).sort()).toEqual(['conversationId', 'reply', 'sources']);
    expect(response.body.reply).toMatch(/pet|dog/i);
    expect(response.body.sources.length).toBeGreaterThan(0);
    const own = await publishedIds(apps.bestays);
    for (const id of response.body.sources) {
      expect(own.has(id)).toBe(true);
    }
  });

  it("says so when the FAQ has no answer, and cites nothing", async () => {
    const response = await apps.bestays.http
      .post('/api/v1/llm/chat')
      .set(alice.auth)
      .send({ message: 'zxqv blorf wibble' })
      .expect(200);
    expect(response.body.sources).toEqual([]);
    expect(response.body.reply).toMatch(/couldn't find/i);
  });

  it("cites only its own product's documents", async () => {
    const question = { message: 'How do I pay and is there a deposit?' };
    const [bestays, realestate] = await Promise.all([
      apps.bestays.http.post('/api/v1/llm/chat').set(alice.auth).send(question).expect(200),
      apps.realestate.http.post('/api/v1/llm/chat').set(carol.auth).send(question).expect(200),
    ]);
    const bestaysIds = await publishedIds(apps.bestays);
    const realestateIds = await publishedIds(apps.realestate);
    for (const id of bestays.body.sources) {
      expect(bestaysIds.has(id)).toBe(true);
      expect(realestateIds.has(id)).toBe(false);
    }
    for (const id of realestate.body.sources) {
      expect(realestateIds.has(id)).toBe(true);
    }
  });

  it('keeps a conversation per user, in order, and shows it only to its owner', async () => {
    const first = await apps.bestays.http.post('/api/v1/llm/chat').set(bob.auth).send({ message: 'What time is check-in?' }).expect(200);
    const conversationId: string = first.body.conversationId;
    const second = await apps.bestays.http
      .post('/api/v1/llm/chat')
      .set(bob.auth)
      .send({ message: 'And can I cancel my booking?', conversationId })
      .expect(200);
    expect(second.body.conversationId).toBe(conversationId);

    const view = await apps.bestays.http.get(`/api/v1/llm/conversations/${conversationId}`).set(bob.auth).expect(200);
    expect(view.body).toMatchObject({ id: conversationId, title: 'What time is check-in?' });
    expect(view.body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(view.body.messages[0].content).toBe('What time is check-in?');
    expect(view.body.messages[1].sources).toEqual(first.body.sources);
    expect(view.body.messages[3].content).toBe(second.body.reply);

    // Anyone else: as if it did not exist — another user, another product, continuing it.
    await apps.bestays.http.get(`/api/v1/llm/conversations/${conversationId}`).set(alice.auth).expect(404);
    await apps.realestate.http.get(`/api/v1/llm/conversations/${conversationId}`).set(carol.auth).expect(404);
    await apps.bestays.http.post('/api/v1/llm/chat').set(alice.auth).send({ message: 'hi', conversationId }).expect(404);
    await apps.realestate.http.post('/api/v1/llm/chat').set(carol.auth).send({ message: 'hi', conversationId }).expect(404);
    await apps.bestays.http.get(`/api/v1/llm/conversations/${crypto.randomUUID()}`).set(bob.auth).expect(404);
  });

  it('audits the creation of a conversation with its user as the actor', async () => {
    const chat = await apps.bestays.http.post('/api/v1/llm/chat').set(alice.auth).send({ message: 'Is cleaning included?' }).expect(200);
    const admin = await apps.bestays.user('admin');
    const audit = await apps.bestays.http
      .get(`/api/v1/admin/audit-log?entityType=Conversation&entityId=${chat.body.conversationId}`)
      .set(admin.auth)
      .expect(200);
    expect(audit.body.items).toEqual([expect.objectContaining({ action: 'create', actorId: alice.id })]);
  });

  it('rejects bad input and anonymous callers', async () => {
    await apps.bestays.http.post('/api/v1/llm/chat').send({ message: 'hi' }).expect(401);
    await apps.bestays.http.post('/api/v1/llm/chat').set(alice.auth).send({ message: '' }).expect(400);
    await apps.bestays.http.post('/api/v1/llm/chat').set(alice.auth).send({ message: 'hi', product: 'realestate' }).expect(400);
    await apps.bestays.http.post('/api/v1/llm/chat').set(alice.auth).send({ message: 'hi', conversationId: 'nope' }).expect(400);
    await apps.bestays.http.post('/api/v1/llm/chat').set(alice.auth).send({ message: 'x'.repeat(4001) }).expect(400);
    await apps.bestays.http.get('/api/v1/llm/conversations/not-a-uuid').set(alice.auth).expect(400);
    await apps.realestate.http.post('/api/v1/llm/chat').set(alice.auth).send({ message: 'hi' }).expect(401);
  });

  it('uses the OpenAI-compatible model when configured, with the active system prompt and the FAQ as context', async () => {
    const admin = await withModel.user('admin');
    await withModel.inTenant(() => seedFaq(withModel.app, 'bestays'));
    await withModel.http
      .post('/api/v1/admin/chat-config/prompts')
      .set(admin.auth)
      .send({ name: 'system', content: 'You are the Bestays helper. Be brief.', active: true })
      .expect(201);
    llm.calls.length = 0;

    const response = await withModel.http.post('/api/v1/llm/chat').set(modelUser.auth).send({ message: 'Are pets allowed?' }).expect(200);
    expect(response.body.reply).toBe('model says: Are pets allowed?');
    expect(llm.calls).toHaveLength(1);
    const [call] = llm.calls;
    expect(call.authorization).toBe('Bearer test-llm-key');
    expect(call.body.model).toBe('fake-1');
    const system = call.body.messages[0];
    expect(system.role).toBe('system');
    expect(system.content).toContain('You are the Bestays helper. Be brief.');
    expect(system.content).toMatch(/pets/i);
    expect(response.body.sources.length).toBeGreaterThan(0);

    // The follow-up carries the history.
    await withModel.http
      .post('/api/v1/llm/chat')
      .set(modelUser.auth)
      .send({ message: 'What about cats?', conversationId: response.body.conversationId })
      .expect(200);
    expect(llm.calls[1].body.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
  });

  // Retries are off for this app (OUTBOUND_RETRIES=0): one failed call is the model failing.
  it('answers 502 and stores nothing when the model fails', async () => {
    llm.failNext();
    const failed = await withModel.http.post('/api/v1/llm/chat').set(modelUser.auth).send({ message: 'Will this fail?' }).expect(502);
    expect(failed.body).toMatchObject({ statusCode: 502, error: 'Bad Gateway', requestId: expect.any(String) });
    const count = await withModel.inTenant(() =>
      withModel.em().getConnection().execute<Array<{ n: string }>>(`select count(*) as n from chat_messages where content = 'Will this fail?'`),
    );
    expect(Number(count[0].n)).toBe(0);
  });
});
