import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { DIRECTIONS, oneInEach, PRODUCTS, type ProductApp, type ProductName, startBothProducts, type TestUser } from './harness/product-app';

// Generated requests against every route of both products (from each app's own OpenAPI document),
// signed in and anonymous: never a 5xx, never the other product's rows, never internals, and every
// error is the contract's JSON with the request id of the X-Request-Id header.
// Every route gets its own runs (rare routes are never left out): ~45 routes x 8 x 2 products.
const RUNS_PER_ROUTE = 8;

interface Route {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
  query: string[];
  bodyFields: string[];
}

interface OpenApi {
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

function routesOf(document: OpenApi): Route[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => ['get', 'post', 'patch', 'put', 'delete'].includes(method))
      .map(([method, operation]) => {
        const ref = operation.requestBody?.content?.['application/json']?.schema?.$ref;
        const schema = ref ? document.components.schemas[ref.split('/').pop() as string] : undefined;
        return {
          method: method as Route['method'],
          path,
          query: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
          bodyFields: Object.keys(schema?.properties ?? {}),
        };
      }),
  );
}

// What a hostile client types: edge numbers, NUL, lone surrogates, SQL, paths, huge strings.
const hostileText = fc.oneof(
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.constantFrom('', ' ', '0', '-1', '1e20', '9223372036854775807', 'NaN', 'true', 'null', '[]', '{}', "' or 1=1 --", '../../etc/passwd') },
  { weight: 3, arbitrary: fc.constantFrom('a\u0000b', '\u0000', '\ud800', 'x\udfff', '%00', '\u202e', '😀'.repeat(20), 'a'.repeat(600), '<script>') },
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileText, { maxLength: 4 }),
  fc.jsonValue({ maxDepth: 3 }),
);

function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80'; // a lone surrogate cannot be UTF-8; send the bytes a client would
  }
}

const FORBIDDEN = [/\n\s+at\s/, /node_modules/, /\/work\//, /\.(ts|js):\d+/, /\bselect\b[^"]{0,80}\bfrom\b/i, /insert into/i, /violates .*constraint/i, /relation "/, /syntax error at/i, /knex|mikro-?orm|postgres/i];

describe('property-based: generated requests to every route of both products', () => {
  let apps: Record<ProductName, ProductApp>;
  const users: Partial<Record<ProductName, Record<'user' | 'agent' | 'admin', TestUser>>> = {};
  const seeded: Partial<Record<ProductName, string[]>> = {};

  beforeAll(async () => {
    apps = await startBothProducts();
    const [user, agent, admin] = [await oneInEach(apps, 'user'), await oneInEach(apps, 'agent'), await oneInEach(apps, 'admin')];
    for (const product of PRODUCTS) {
      users[product] = { user: user[product], agent: agent[product], admin: admin[product] };
      const app = apps[product];
      const auth = admin[product].auth;
      const tag = randomUUID().slice(0, 8);
      const property = await app.http
        .post('/api/v1/admin/properties')
        .set(auth)
        .send({ title: `Villa ${tag}`, priceMinor: 100, currency: 'EUR', bedrooms: 1, bathrooms: 1, address: '1 Road', published: true })
        .expect(201);
      const category = await app.http.post('/api/v1/admin/categories').set(auth).send({ name: `Cat ${tag}`, slug: `cat-${tag}` }).expect(201);
      const faq = await app.http
        .post('/api/v1/admin/faqs')
        .set(auth)
        .send({ categoryId: category.body.id, question: `Question ${tag}?`, answer: `Answer ${tag}.`, status: 'published' })
        .expect(201);
      const prompt = await app.http.post('/api/v1/admin/chat-config/prompts').set(auth).send({ name: `p${tag}`, content: 'Hello' }).expect(201);
      const tool = await app.http
        .post('/api/v1/admin/chat-config/tools')
        .set(auth)
        .send({ name: `t${tag}`, description: 'x', parameters: { type: 'object', properties: {} } })
        .expect(201);
      const chat = await app.http.post('/api/v1/llm/chat').set(user[product].auth).send({ message: `question ${tag}` }).expect(200);
      seeded[product] = [property.body.id, category.body.id, faq.body.id, prompt.body.id, tool.body.id, chat.body.conversationId, ...Object.values(users[product]).map((u) => u.id)].filter(
        (id): id is string => typeof id === 'string',
      );
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(PRODUCTS.map((product) => apps?.[product]?.close()));
  });

  it.each(DIRECTIONS)('%s: no 5xx, no %s rows, no internals, always the error JSON', async (product, other) => {
    const app = apps[product];
    const document = (await app.http.get('/api/docs-json').expect(200)).body as OpenApi;
    const routes = routesOf(document);
    expect(routes.length).toBeGreaterThan(20);
    const own = seeded[product] as string[];
    const foreign = seeded[other] as string[];
    const mine = users[product] as Record<'user' | 'agent' | 'admin', TestUser>;
    const theirs = users[other] as Record<'user' | 'agent' | 'admin', TestUser>;

    const pathId = fc.oneof(fc.constantFrom(...own), fc.constantFrom(...foreign), fc.uuid(), hostileText);
    const auth = fc.oneof(
      { weight: 4, arbitrary: fc.constant(mine.admin.auth) },
      { weight: 1, arbitrary: fc.constantFrom(mine.user.auth, mine.agent.auth) },
      { weight: 2, arbitrary: fc.constant<Record<string, string>>({}) },
      { weight: 1, arbitrary: fc.constantFrom<Record<string, string>>(theirs.admin.auth, { Authorization: 'Bearer not.a.jwt' }, { Authorization: 'Basic Zm9vOmJhcg==' }) },
    );
    const request = fc.record({
      id: pathId,
      // Values for the route's own query parameters and body fields (so requests get past whitelisting),
      // sometimes with an unknown extra key.
      values: fc.array(hostileValue, { minLength: 8, maxLength: 8 }),
      // Plausible values keep the other parameters valid, so the hostile one is what the route sees.
      texts: fc.array(fc.oneof(hostileText, fc.constantFrom('a\u0000b', '\ud800x'), fc.constantFrom('1', '5', '20', 'pets', 'published', 'Property')), { minLength: 8, maxLength: 8 }),
      mask: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
      extraQuery: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 8 }), hostileText) }),
      body: fc.oneof(
        { weight: 6, arbitrary: fc.constant('schema' as const) },
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
        { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('product', '__proto__', 'constructor', 'id', 'createdBy'), hostileValue, { maxKeys: 3 }) },
      ),
      auth,
      requestId: fc.oneof(fc.constant(undefined), fc.stringMatching(/^[\x20-\x7e]{0,40}$/)),
      contentType: fc.constantFrom('application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded'),
      encoding: fc.constantFrom(undefined, undefined, undefined, undefined, undefined, 'gzip', 'br', 'identity', 'x-bogus'),
    });

    const statuses = new Map<number, number>();
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2_147_483_647);
    for (const [index, route] of routes.entries()) {
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const path = route.path.replace(/\{[^}]+\}/g, encode(input.id));
        const queryEntries: Array<[string, string]> = route.query.slice(0, 8).flatMap((name, i): Array<[string, string]> => (input.mask[i] ? [[name, input.texts[i]]] : []));
        if (input.extraQuery) {
          queryEntries.push(input.extraQuery);
        }
        const query = queryEntries.map(([key, value]) => `${encode(key)}=${encode(value)}`).join('&');
        const body =
          input.body === 'schema'
            ? Object.fromEntries(route.bodyFields.slice(0, 8).flatMap((field, i) => (input.mask[i] || i === 0 ? [[field, input.values[i]]] : [])))
            : input.body;
        let pending = app.http[route.method](`${path}${query ? `?${query}` : ''}`).set(input.auth);
        if (input.requestId !== undefined) {
          pending = pending.set('X-Request-Id', input.requestId);
        }
        if (body !== undefined && route.method !== 'get') {
          pending = pending.set('Content-Type', input.contentType);
          if (input.encoding) {
            pending = pending.set('Content-Encoding', input.encoding);
          }
          pending = pending.send(JSON.stringify(body));
        }
        const response = await pending;
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const sent = JSON.stringify(input);
        const text = response.text ?? '';
        const where = `${route.method.toUpperCase()} ${path}?${query} -> ${response.status} ${text.slice(0, 300)}`;

        expect({ where, fiveHundred: response.status >= 500 }).toEqual({ where, fiveHundred: false });
        for (const pattern of FORBIDDEN) {
          expect({ where, leaks: pattern.test(text) && !pattern.test(sent) }).toEqual({ where, leaks: false });
        }
        for (const id of foreign) {
          expect({ where, foreignId: text.includes(id) && !sent.includes(id) }).toEqual({ where, foreignId: false });
        }
        expect(response.headers['x-product']).toBe(product);
        if (response.status >= 400) {
          expect({ where, body: response.body as unknown }).toEqual({
            where,
            body: { statusCode: response.status, error: expect.any(String), message: expect.any(String), requestId: response.headers['x-request-id'] },
          });
        }
      }),
      { numRuns: RUNS_PER_ROUTE, seed: seed + index, verbose: 1 },
    );
    }
    // The generator reaches past the guards too: successes, validation errors and misses all occur.
    expect([...statuses.keys()].some((status) => status < 300)).toBe(true);
    expect(statuses.has(400)).toBe(true);
    expect([...statuses.keys()].some((status) => status === 401 || status === 403 || status === 404)).toBe(true);
  }, 120_000);
});
