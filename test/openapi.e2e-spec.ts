import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openApiDocumentOf } from '../src/common/openapi';
import { OpenApiValidator } from './harness/openapi-validator';
import { useProductApp } from './harness/product-app';

// The served document is untyped JSON; the assertions below are its types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const repoRoot = path.resolve(__dirname, '..');
const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);
const VERBS = ['get', 'post', 'put', 'patch', 'delete'];

// What a client team writes against the generated types; it must compile under --strict.
const CLIENT = `
import createClient from 'openapi-fetch';
import type { paths } from './schema';

const client = createClient<paths>({ baseUrl: 'http://localhost:3000' });

export async function clientCode(token: string, id: string): Promise<string[]> {
  const seen: string[] = [];
  const auth = { Authorization: \`Bearer \${token}\` };
  // PATCHes with one field: every other field stays optional.
  const property = await client.PATCH('/api/v1/admin/properties/{id}', { params: { path: { id } }, body: { title: 'New title' }, headers: auth });
  if (property.data) {
    const price: number = property.data.priceMinor;
    seen.push(String(price));
  }
  await client.PATCH('/api/v1/admin/faqs/{id}', { params: { path: { id } }, body: { answer: 'Yes.' }, headers: auth });
  await client.PATCH('/api/v1/admin/chat-config/prompts/{id}', { params: { path: { id } }, body: { active: true }, headers: auth });
  await client.PATCH('/api/v1/admin/categories/{id}', { params: { path: { id } }, body: { position: 2 }, headers: auth });
  await client.PATCH('/api/v1/users/{id}/role', { params: { path: { id } }, body: { role: 'agent' }, headers: auth });
  // A 404 has the error body.
  const missing = await client.GET('/api/v1/properties/{id}', { params: { path: { id } } });
  if (missing.error) {
    const status: number = missing.error.statusCode;
    const message: string = missing.error.message;
    const requestId: string = missing.error.requestId;
    seen.push(\`\${status} \${message} \${requestId}\`);
  }
  const page = await client.GET('/api/v1/properties', { params: { query: { limit: 10 } } });
  seen.push(...(page.data?.items.map((item) => item.title) ?? []));
  const hits = await client.GET('/api/v1/faq/search', { params: { query: { q: 'pets' } } });
  seen.push(...(hits.data?.items.map((hit) => \`\${hit.score}\`) ?? []));
  const audit = await client.GET('/api/v1/admin/audit-log', { headers: auth });
  const changes: Record<string, unknown> | undefined = audit.data?.items[0]?.changes;
  seen.push(JSON.stringify(changes));
  // The webhook call, as a test tool or proxy would make it.
  const delivery = await client.POST('/api/v1/webhooks/clerk', {
    params: { header: { 'svix-id': 'msg_1', 'svix-timestamp': '1700000000', 'svix-signature': 'v1,abc' } },
    body: { type: 'user.created', data: { id: 'user_1' } },
  });
  if (delivery.error) {
    seen.push(delivery.error.message);
  } else {
    const duplicate: boolean = delivery.data.duplicate;
    seen.push(String(duplicate));
  }
  return seen;
}
`;

describe('the OpenAPI document', () => {
  const app = useProductApp('realestate');
  let document: Json;
  let work: string;

  beforeAll(async () => {
    document = (await app().http.get('/api/docs-json').expect(200)).body as Json;
    mkdirSync(path.join(repoRoot, '.data'), { recursive: true });
    // Inside the project, so the generated client resolves openapi-fetch from node_modules.
    work = mkdtempSync(path.join(repoRoot, '.data', 'openapi-'));
    writeFileSync(path.join(work, 'openapi.json'), JSON.stringify(document, null, 2));
  });
  afterAll(() => {
    if (work) {
      rmSync(work, { recursive: true, force: true });
    }
  });

  const operations = (): Array<[string, string, Json]> =>
    Object.entries(document.paths as Json).flatMap(([route, item]) =>
      VERBS.filter((verb) => item[verb]).map((verb): [string, string, Json] => [verb, route, item[verb]]),
    );

  it('serves Swagger UI at /api/docs', async () => {
    const response = await app().http.get('/api/docs/').expect(200);
    expect(response.text).toContain('swagger-ui');
  });

  it('describes every route of the contract, with the bearer scheme', () => {
    expect(document.info.title).toBe('realestate API');
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    const routes = [
      ['get', '/api/health'],
      ['post', '/api/v1/webhooks/clerk'],
      ['get', '/api/v1/users/me'],
      ['get', '/api/v1/users'],
      ['get', '/api/v1/users/{id}'],
      ['patch', '/api/v1/users/{id}/role'],
      ['get', '/api/v1/admin/audit-log'],
      ['get', '/api/v1/properties'],
      ['get', '/api/v1/properties/{id}'],
      ['post', '/api/v1/admin/properties'],
      ['patch', '/api/v1/admin/properties/{id}'],
      ['delete', '/api/v1/admin/properties/{id}'],
      ['get', '/api/v1/faq/categories'],
      ['get', '/api/v1/faq/documents'],
      ['get', '/api/v1/faq/documents/{id}'],
      ['get', '/api/v1/faq/search'],
      ['post', '/api/v1/faq/documents/{id}/feedback'],
      ['post', '/api/v1/admin/categories'],
      ['post', '/api/v1/admin/faqs'],
      ['put', '/api/v1/admin/faqs/{id}/related'],
      ['get', '/api/v1/admin/faq-analytics'],
      ['post', '/api/v1/admin/chat-config/prompts'],
      ['post', '/api/v1/admin/chat-config/tools'],
      ['post', '/api/v1/llm/chat'],
      ['get', '/api/v1/llm/conversations/{id}'],
    ] as const;
    for (const [verb, route] of routes) {
      expect({ route: `${verb} ${route}`, documented: Boolean(document.paths[route]?.[verb]) }).toEqual({ route: `${verb} ${route}`, documented: true });
    }
    // The product is never a request field.
    const bodies = Object.entries(document.components.schemas as Json).filter(([name]) => name.endsWith('Body'));
    expect(bodies.length).toBeGreaterThan(5);
    for (const [name, schema] of bodies) {
      expect({ name, fields: Object.keys(schema.properties ?? {}) }).toEqual({ name, fields: expect.not.arrayContaining(['product']) });
    }
  });

  it('gives every operation a summary, a declared tag, a security statement and every status it can answer, with ErrorResponse', () => {
    expect(document.components.schemas.ErrorResponse).toMatchObject({
      required: expect.arrayContaining(['statusCode', 'error', 'message', 'requestId']),
      properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' }, requestId: { type: 'string' } },
    });
    const declared = new Set((document.tags as Array<{ name: string }>).map((tag) => tag.name));
    for (const [verb, route, operation] of operations()) {
      const where = `${verb} ${route}`;
      expect({ where, summary: typeof operation.summary }).toEqual({ where, summary: 'string' });
      for (const tag of operation.tags) {
        expect({ where, tag, declared: declared.has(tag) }).toEqual({ where, tag, declared: true });
      }
      const secured = (operation.security as Json[]).some((requirement) => 'bearer' in requirement);
      expect({ where, security: secured ? 'bearer' : operation.security }).toEqual({ where, security: secured ? 'bearer' : [] });
      const statuses = Object.keys(operation.responses);
      const hasInput = operation.requestBody || (operation.parameters ?? []).some((parameter: Json) => parameter.in !== 'header' || parameter.required);
      const expected = [
        ...(hasInput ? ['400'] : []),
        ...(secured ? ['401'] : []),
        ...(route.includes('{') ? ['404'] : []),
        ...(operation.requestBody ? ['413'] : []),
        '429',
        '503',
      ];
      expect({ where, statuses }).toEqual({ where, statuses: expect.arrayContaining(expected) });
      for (const [status, response] of Object.entries(operation.responses as Json)) {
        expect({ where, status, headers: Object.keys(response.headers ?? {}) }).toEqual({
          where,
          status,
          headers: expect.arrayContaining(['X-Product', 'X-Request-Id', ...(['429', '503'].includes(status) ? ['Retry-After'] : [])]),
        });
        if (Number(status) >= 400 && !(route === '/api/health' && status === '503')) {
          expect({ where, status, schema: response.content?.['application/json']?.schema }).toEqual({
            where,
            status,
            schema: { $ref: '#/components/schemas/ErrorResponse' },
          });
        }
      }
      for (const parameter of (operation.parameters ?? []).filter((candidate: Json) => candidate.in === 'path')) {
        expect({ where, schema: parameter.schema }).toEqual({ where, schema: { type: 'string', format: 'uuid' } });
      }
    }
    expect(document.paths['/api/v1/admin/properties/{id}'].patch.responses).toHaveProperty('403');
  });

  it('types fields as strictly as the server validates them, with no request defaults the server does not apply', () => {
    const schemas = document.components.schemas as Json;
    for (const [schema, field] of [
      ['PropertyResponse', 'priceMinor'],
      ['PropertyResponse', 'bedrooms'],
      ['PropertyResponse', 'bathrooms'],
      ['CategoryResponse', 'position'],
      ['PromptResponse', 'version'],
      ['PropertyPage', 'limit'],
      ['PropertyPage', 'total'],
      ['ViewedDocument', 'views'],
      ['RatedDocument', 'helpful'],
      ['SearchedQuery', 'count'],
    ]) {
      expect({ schema, field, type: schemas[schema].properties[field].type }).toEqual({ schema, field, type: 'integer' });
    }
    expect(schemas.CreatePropertyBody.properties.currency.pattern).toBe('^[A-Z]{3}$');
    expect(schemas.CreateCategoryBody.properties.position.maximum).toBe(2_147_483_647);
    const q = (document.paths['/api/v1/faq/search'].get.parameters as Json[]).find((parameter) => parameter.name === 'q');
    expect(q?.schema.pattern).toBe('\\S');
    expect(schemas.AuditEntryResponse.properties.changes).toMatchObject({ type: 'object', additionalProperties: true });
    for (const [name, schema] of Object.entries(schemas)) {
      if (name.endsWith('Body')) {
        for (const [field, property] of Object.entries((schema as Json).properties ?? {})) {
          expect({ name, field, default: (property as Json).default }).toEqual({ name, field, default: undefined });
        }
      }
    }
  });

  it('documents the webhook: raw JSON body, the svix headers, 401 and 422', () => {
    const operation = document.paths['/api/v1/webhooks/clerk'].post;
    expect(operation.security).toEqual([]);
    expect(operation.requestBody.content['application/json'].schema).toMatchObject({ type: 'object', required: ['type', 'data'] });
    const headers = (operation.parameters as Json[]).filter((parameter) => parameter.in === 'header' && parameter.required);
    expect(headers.map((header) => header.name).sort()).toEqual(['svix-id', 'svix-signature', 'svix-timestamp']);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '401', '422', '503']));
  });

  it('passes `redocly lint` with the recommended rules with 0 errors', () => {
    let output: string;
    try {
      output = execFileSync(bin('redocly'), ['lint', path.join(work, 'openapi.json'), '--extends', 'recommended', '--format', 'json'], {
        cwd: work,
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    const report = JSON.parse(output.slice(output.indexOf('{'))) as { totals: { errors: number }; problems: Array<{ severity: string; ruleId: string; message: string }> };
    const errors = report.problems.filter((problem) => problem.severity === 'error').map((problem) => `${problem.ruleId}: ${problem.message}`);
    expect(errors).toEqual([]);
    expect(report.totals.errors).toBe(0);
  }, 120_000);

  it('generates a client with openapi-typescript that compiles with openapi-fetch under tsc --strict', () => {
    execFileSync(bin('openapi-typescript'), [path.join(work, 'openapi.json'), '-o', path.join(work, 'schema.d.ts')], { cwd: work, stdio: 'pipe' });
    writeFileSync(path.join(work, 'client.ts'), CLIENT);
    writeFileSync(
      path.join(work, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', skipLibCheck: false, lib: ['ES2023', 'DOM'] },
        files: ['client.ts'],
      }),
    );
    try {
      execFileSync(bin('tsc'), ['-p', path.join(work, 'tsconfig.json')], { cwd: work, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      throw new Error(`the generated client does not compile:\n${(error as { stdout?: string }).stdout ?? String(error)}`);
    }
  }, 120_000);

  describe('the harness check of every response', () => {
    it('flags an undocumented status, a body off the schema, an undescribed field and an unknown operation', () => {
      const validator = new OpenApiValidator(openApiDocumentOf(app().app));
      const headers = { 'x-product': 'realestate', 'x-request-id': 'r1' };
      const page = { items: [], total: 0, limit: 20, offset: 0, nextCursor: null, totalExact: true };
      expect(validator.check('get', '/api/v1/properties?_=1', 200, headers, page, '{}')).toBeUndefined();
      expect(validator.check('get', '/api/v1/properties', 418, headers, page, '{}')).toMatch(/status 418 is not documented/);
      expect(validator.check('get', '/api/v1/properties', 200, headers, { ...page, total: 1.5 }, '{}')).toMatch(/total must be integer/);
      expect(validator.check('get', '/api/v1/properties', 200, headers, { ...page, product: 'x' }, '{}')).toMatch(/additional properties/);
      expect(validator.check('get', '/api/v1/properties', 200, { 'x-product': 'realestate' }, page, '{}')).toMatch(/X-Request-Id is missing/);
      expect(validator.check('get', '/api/v1/properties/abc', 404, headers, { statusCode: 404 }, '{}')).toMatch(/must have required property/);
      expect(validator.check('post', '/api/v1/properties', 201, headers, {}, '{}')).toMatch(/no documented operation/);
    });

    it('runs on every request made through ProductApp.http', async () => {
      const operation = openApiDocumentOf(app().app).paths['/api/health'].get as Json;
      const documented = operation.responses['200'];
      delete operation.responses['200'];
      try {
        await expect(app().http.get('/api/health').expect(200)).rejects.toThrow(/status 200 is not documented/);
      } finally {
        operation.responses['200'] = documented;
      }
      await app().http.get('/api/health').expect(200);
    });
  });
});
