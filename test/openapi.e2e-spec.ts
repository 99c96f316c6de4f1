import { ProductApp } from './harness/product-app';

describe('the OpenAPI document', () => {
  let app: ProductApp;

  beforeAll(async () => {
    app = await ProductApp.start('realestate');
  });
  afterAll(async () => {
    await app.close();
  });

  it('serves Swagger UI at /api/docs', async () => {
    const response = await app.http.get('/api/docs/').expect(200);
    expect(response.text).toContain('swagger-ui');
  });

  it('describes every route of the contract, generated from the DTOs, with the bearer scheme', async () => {
    const { body } = await app.http.get('/api/docs-json').expect(200);
    expect(body.info.title).toBe('realestate API');
    expect(body.info.description).toContain('X-Product');
    expect(body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
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
    for (const [verb, path] of routes) {
      expect({ route: `${verb} ${path}`, documented: Boolean(body.paths[path]?.[verb]) }).toEqual({ route: `${verb} ${path}`, documented: true });
    }
    // Signed-in routes carry the bearer requirement; the public ones do not.
    expect(body.paths['/api/v1/users/me'].get.security).toEqual([{ bearer: [] }]);
    expect(body.paths['/api/v1/properties'].get.security).toBeUndefined();
    // List responses are documented with their item type.
    expect(body.components.schemas.UserPage.properties.items).toEqual({ type: 'array', items: { $ref: '#/components/schemas/UserResponse' } });
    expect(body.components.schemas.PropertyPage.properties.total).toBeDefined();
    // The product is never a request field.
    const bodies = Object.entries(body.components.schemas as Record<string, { properties?: object }>).filter(([name]) => name.endsWith('Body'));
    expect(bodies.length).toBeGreaterThan(5);
    for (const [name, schema] of bodies) {
      expect({ name, fields: Object.keys(schema.properties ?? {}) }).toEqual({ name, fields: expect.not.arrayContaining(['product']) });
    }
  });
});
