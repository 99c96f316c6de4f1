import { seedProduct } from '../src/seed/seed-product';
import { FakeLlm, type FakeRequestBody } from './harness/fake-llm';
import { PRODUCTS, type ProductApp, type ProductName, otherProduct, startBothProducts, type TestUser } from './harness/product-app';

const TOOLS = '/api/v1/admin/chat-config/tools';
const toolResults = (body: FakeRequestBody): Array<Record<string, unknown>> =>
  body.messages.filter((m) => m.role === 'tool').map((m) => JSON.parse(m.content ?? 'null') as Record<string, unknown>);

describe('the assistant calls the product tools', () => {
  let llm: FakeLlm;
  let apps: Record<ProductName, ProductApp>;
  const users = {} as Record<ProductName, TestUser>;
  const admins = {} as Record<ProductName, TestUser>;
  const published = {} as Record<ProductName, { properties: Set<string>; faq: Set<string> }>;

  beforeAll(async () => {
    llm = await FakeLlm.start();
    const env = { LLM_BASE_URL: llm.url, LLM_API_KEY: 'k', LLM_MODEL: 'fake-tools' };
    apps = await startBothProducts({ bestays: env, realestate: env });
    for (const product of PRODUCTS) {
      await seedProduct(apps[product].app, product);
      users[product] = await apps[product].user();
      admins[product] = await apps[product].user('admin');
      const properties = await apps[product].http.get('/api/v1/properties?limit=100').expect(200);
      const faq = await apps[product].http.get('/api/v1/faq/documents?limit=100').expect(200);
      published[product] = {
        properties: new Set((properties.body.items as Array<{ id: string }>).map((p) => p.id)),
        faq: new Set((faq.body.items as Array<{ id: string }>).map((d) => d.id)),
      };
      expect(published[product].properties.size).toBeGreaterThan(0);
    }
  });
  afterAll(async () => {
    await Promise.all(PRODUCTS.map((p) => apps[p].close()));
    await llm.close();
  });
  beforeEach(() => llm.reset());

  const chat = (product: ProductName, message: string, conversationId?: string) =>
    apps[product].http.post('/api/v1/llm/chat').set(users[product].auth).send({ message, ...(conversationId ? { conversationId } : {}) });

  it.each(PRODUCTS)('%s: offers only enabled tools that have a handler, and the tools API says which are executable', async (product) => {
    const app = apps[product];
    const admin = admins[product].auth;
    await app.http
      .post(TOOLS)
      .set(admin)
      .send({ name: 'weather', description: 'No handler for this one', parameters: { type: 'object', properties: {} } })
      .expect(201);
    const listed = await app.http.get(`${TOOLS}?limit=100`).set(admin).expect(200);
    const byName = new Map((listed.body.items as Array<{ id: string; name: string; executable: boolean }>).map((t) => [t.name, t]));
    expect(byName.get('weather')?.executable).toBe(false);
    for (const name of ['search_properties', 'get_property', 'search_faq']) {
      expect(byName.get(name)?.executable).toBe(true);
    }

    await chat(product, 'Hello there').expect(200);
    expect(llm.calls[0].body.tools?.map((t) => t.function.name).sort()).toEqual(['get_property', 'search_faq', 'search_properties']);
    const offered = llm.calls[0].body.tools?.find((t) => t.function.name === 'search_faq');
    expect(offered).toMatchObject({ type: 'function', function: { description: expect.any(String), parameters: { type: 'object' } } });

    // Disabled: never offered, even though it has a handler.
    const faqTool = byName.get('search_faq')!;
    await app.http.patch(`${TOOLS}/${faqTool.id}`).set(admin).send({ enabled: false }).expect(200);
    llm.reset();
    await chat(product, 'Hello again').expect(200);
    expect(llm.calls[0].body.tools?.map((t) => t.function.name).sort()).toEqual(['get_property', 'search_properties']);
    // A model that calls it anyway gets an error back, not the data.
    llm.reset();
    llm.next(() => ({ toolCalls: [{ name: 'search_faq', arguments: '{"q":"pets"}' }] }));
    await chat(product, 'Sneaky').expect(200);
    expect(toolResults(llm.calls[1].body)).toEqual([{ error: 'there is no tool named "search_faq"' }]);
    await app.http.patch(`${TOOLS}/${faqTool.id}`).set(admin).send({ enabled: true }).expect(200);
    await app.http.delete(`${TOOLS}/${byName.get('weather')!.id}`).set(admin).expect(204);
  });

  it.each(PRODUCTS)("%s: the tool results the model receives hold only this product's published rows", async (product) => {
    const other = otherProduct(product);
    const foreignProperty = [...published[other].properties][0];
    llm.next(() => ({
      toolCalls: [
        { name: 'search_properties', arguments: '{}' },
        { name: 'search_faq', arguments: '{"q":"How do I pay and is there a deposit?"}' },
        { name: 'get_property', arguments: JSON.stringify({ id: foreignProperty }) },
        { name: 'get_property', arguments: JSON.stringify({ id: [...published[product].properties][0] }) },
      ],
    }));
    llm.next(() => ({ content: 'Here is what I found.' }));
    const response = await chat(product, 'Show me homes and the cancellation rules').expect(200);
    expect(response.body.reply).toBe('Here is what I found.');
    expect(llm.calls).toHaveLength(2);

    const [properties, faq, foreign, own] = toolResults(llm.calls[1].body);
    const propertyIds = (properties.properties as Array<{ id: string }>).map((p) => p.id);
    const faqIds = (faq.faq as Array<{ id: string }>).map((d) => d.id);
    expect(propertyIds.length).toBeGreaterThan(0);
    expect(faqIds.length).toBeGreaterThan(0);
    for (const id of propertyIds) {
      expect(published[product].properties.has(id)).toBe(true);
      expect(published[other].properties.has(id)).toBe(false);
    }
    for (const id of faqIds) {
      expect(published[product].faq.has(id)).toBe(true);
    }
    expect(foreign).toEqual({ error: 'not found' });
    expect((own.property as { id: string }).id).toBe([...published[product].properties][0]);

    // The reply cites what the tools returned (properties and FAQ documents), nothing of the other product.
    for (const id of [...propertyIds, ...faqIds]) {
      expect(response.body.sources).toContain(id);
    }
    for (const id of response.body.sources as string[]) {
      expect(published[product].properties.has(id) || published[product].faq.has(id)).toBe(true);
    }

    // Every call and its result is in the conversation, as `tool` messages with name and arguments.
    const view = await apps[product].http.get(`/api/v1/llm/conversations/${response.body.conversationId}`).set(users[product].auth).expect(200);
    expect(view.body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'tool', 'tool', 'tool', 'tool', 'assistant']);
    expect(view.body.messages[1]).toMatchObject({ toolName: 'search_properties', toolArguments: {} });
    expect(view.body.messages[2]).toMatchObject({ toolName: 'search_faq', toolArguments: { q: 'How do I pay and is there a deposit?' } });
    expect(JSON.parse(view.body.messages[3].content)).toEqual({ error: 'not found' });
    expect(view.body.messages[5]).toMatchObject({ role: 'assistant', content: 'Here is what I found.', toolName: null, toolArguments: null });
  });

  it('never hands a draft to the model, by search or by id', async () => {
    const word = `zq${Date.now().toString(36).replace(/\d/g, 'x')}`;
    const draft = await apps.bestays.http
      .post('/api/v1/admin/properties')
      .set(admins.bestays.auth)
      .send({ title: `Draft ${word} villa`, priceMinor: 100, currency: 'EUR', bedrooms: 9, bathrooms: 1, address: `${word} street`, published: false })
      .expect(201);
    llm.next(() => ({
      toolCalls: [
        { name: 'search_properties', arguments: JSON.stringify({ query: word }) },
        { name: 'get_property', arguments: JSON.stringify({ id: draft.body.id }) },
      ],
    }));
    const response = await chat('bestays', `Anything called ${word}?`).expect(200);
    expect(toolResults(llm.calls[1].body)).toEqual([{ properties: [] }, { error: 'not found' }]);
    expect(response.body.sources).not.toContain(draft.body.id);

    // Published, the same calls find it.
    await apps.bestays.http.patch(`/api/v1/admin/properties/${draft.body.id}`).set(admins.bestays.auth).send({ published: true }).expect(200);
    llm.reset();
    llm.next(() => ({ toolCalls: [{ name: 'search_properties', arguments: JSON.stringify({ query: word }) }] }));
    const found = await chat('bestays', `And now, ${word}?`).expect(200);
    const [result] = toolResults(llm.calls[1].body);
    expect((result.properties as Array<{ id: string }>).map((p) => p.id)).toEqual([draft.body.id]);
    expect(found.body.sources).toContain(draft.body.id);
    // The other product's tools never see it.
    llm.reset();
    llm.next(() => ({ toolCalls: [{ name: 'search_properties', arguments: JSON.stringify({ query: word }) }] }));
    await chat('realestate', `Do you have ${word}?`).expect(200);
    expect(toolResults(llm.calls[1].body)).toEqual([{ properties: [] }]);
    await apps.bestays.http.delete(`/api/v1/admin/properties/${draft.body.id}`).set(admins.bestays.auth).expect(204);
  });

  it('search_properties applies bedrooms at least, price at most and currency', async () => {
    llm.next(() => ({ toolCalls: [{ name: 'search_properties', arguments: '{"minBedrooms":3,"maxPriceMinor":100000000,"currency":"EUR"}' }] }));
    await chat('bestays', 'Big and cheap').expect(200);
    const [result] = toolResults(llm.calls[1].body);
    const found = result.properties as Array<{ bedrooms: number; priceMinor: number; currency: string }>;
    expect(found.length).toBeGreaterThan(0);
    for (const property of found) {
      expect(property.bedrooms).toBeGreaterThanOrEqual(3);
      expect(property.priceMinor).toBeLessThanOrEqual(100000000);
      expect(property.currency).toBe('EUR');
    }
  });

  it('hands bad arguments back to the model as tool errors, never a 500', async () => {
    llm.next(() => ({
      toolCalls: [
        { name: 'search_properties', arguments: '{"minBedrooms":"three"}' },
        { name: 'search_properties', arguments: '{"query":' },
        { name: 'get_property', arguments: '{"id":"not-a-uuid"}' },
        { name: 'get_property', arguments: '{"id":"00000000-0000-4000-8000-000000000000","product":"realestate"}' },
        { name: 'drop_tables', arguments: '{}' },
        { name: 'get_property', arguments: '[1,2,3]' },
      ],
    }));
    const response = await chat('bestays', 'Break things').expect(200);
    expect(response.body.reply).toBe('model says: Break things');
    const results = toolResults(llm.calls[1].body);
    expect(results[0].error).toMatch(/^invalid arguments: \/minBedrooms must be integer/);
    expect(results[1]).toEqual({ error: 'arguments are not valid JSON' });
    expect(results[2].error).toMatch(/^invalid arguments: \/id must match format "uuid"/);
    expect(results[3].error).toMatch(/must NOT have additional properties/);
    expect(results[4]).toEqual({ error: 'there is no tool named "drop_tables"' });
    expect(results[5].error).toMatch(/must be object/);
    const view = await apps.bestays.http.get(`/api/v1/llm/conversations/${response.body.conversationId}`).set(users.bestays.auth).expect(200);
    expect(view.body.messages[2]).toMatchObject({ role: 'tool', toolName: 'search_properties', toolArguments: '{"query":' });
  });

  it('stops after 4 tool rounds and answers without tools', async () => {
    llm.always(() => ({ toolCalls: [{ name: 'search_faq', arguments: '{"q":"pets"}' }] }));
    const response = await chat('bestays', 'Loop forever').expect(200);
    expect(llm.calls).toHaveLength(5);
    expect(llm.calls.slice(0, 4).every((c) => (c.body.tools ?? []).length > 0)).toBe(true);
    expect(llm.calls[4].body.tools).toBeUndefined();
    expect(response.body.reply).toMatch(/could not finish/i);
    const view = await apps.bestays.http.get(`/api/v1/llm/conversations/${response.body.conversationId}`).set(users.bestays.auth).expect(200);
    expect(view.body.messages.filter((m: { role: string }) => m.role === 'tool')).toHaveLength(4);
  });

  it('retries an upstream 429 or 5xx once; a second failure is a 502 with nothing stored', async () => {
    llm.next(() => ({ status: 429 }));
    await chat('bestays', 'Retried once').expect(200);
    expect(llm.calls).toHaveLength(2);

    llm.reset();
    llm.next(() => ({ status: 503 }), () => ({ status: 500 }));
    const failed = await chat('realestate', 'Fails twice').expect(502);
    expect(failed.body).toMatchObject({ statusCode: 502, error: 'Bad Gateway' });
    expect(llm.calls).toHaveLength(2);
    const list = await apps.realestate.http.get('/api/v1/llm/conversations?limit=100').set(users.realestate.auth).expect(200);
    expect(list.body.items.map((c: { title: string }) => c.title)).not.toContain('Fails twice');
  });
});
