import { ProductApp, useBothProducts } from './harness/product-app';

describe('health and the HTTP basics', () => {
  const apps = useBothProducts();

  it.each(['bestays', 'realestate'] as const)('%s reports itself healthy with a real database check', async (product) => {
    const response = await apps[product].http.get('/api/health').expect(200);
    expect(response.body).toEqual({ status: 'ok', product, database: 'up' });
    expect(response.headers['x-product']).toBe(product);
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('echoes a sane X-Request-Id and replaces an insane one', async () => {
    const sane = await apps.bestays.http.get('/api/health').set('X-Request-Id', 'trace-abc.123').expect(200);
    expect(sane.headers['x-request-id']).toBe('trace-abc.123');
    const insane = await apps.bestays.http.get('/api/health').set('X-Request-Id', 'x'.repeat(500)).expect(200);
    expect(insane.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers errors as contract JSON with the request id, everywhere', async () => {
    const missing = await apps.bestays.http.get('/api/no-such-route').set('X-Request-Id', 'req-404').expect(404);
    expect(missing.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String), requestId: 'req-404' });
    expect(missing.headers['x-product']).toBe('bestays');

    const malformed = await apps.bestays.http
      .patch(`/api/v1/users/${crypto.randomUUID()}/role`)
      .set('Content-Type', 'application/json')
      .send('{"role": ')
      .expect(400);
    expect(malformed.body).toMatchObject({ statusCode: 400, error: 'Bad Request', requestId: expect.any(String) });
    expect(malformed.headers['x-product']).toBe('bestays');

    const huge = await apps.realestate.http
      .patch(`/api/v1/users/${crypto.randomUUID()}/role`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ role: 'x'.repeat(1024 * 1024 + 10) }))
      .expect(413);
    expect(huge.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    expect(huge.headers['x-product']).toBe('realestate');
  });

  it('answers 503 with database "down" when the database is unreachable', async () => {
    const doomed = await ProductApp.start('bestays');
    try {
      await doomed.orm.close(true);
      const response = await doomed.http.get('/api/health').expect(503);
      expect(response.body).toEqual({ status: 'error', product: 'bestays', database: 'down' });
    } finally {
      await doomed.close().catch(() => undefined);
    }
  });
});
