import { Client } from 'pg';
import { loadConfig } from '../src/config/app-config';
import { createScratchDatabase, dropScratchDatabase } from './harness/db';
import { ProductApp, type TestUser } from './harness/product-app';

// One table locked for a long time (a migration, a stuck admin session) must not stall the rest.
describe('statement and lock timeouts, bounded pool acquisition', () => {
  let app: ProductApp;
  let user: TestUser;
  let owner: Client;
  let scratch: { name: string; url: string };

  // A database (and so runtime role) of its own: the timeouts are settings of the role, which new
  // server connections pick up; a pooler's (PgBouncer's) older ones to the shared test database would not.
  beforeAll(async () => {
    scratch = await createScratchDatabase('timeouts');
    app = await ProductApp.start(
      'bestays',
      {
        DATABASE_POOL_MAX: '3',
        DATABASE_ACQUIRE_TIMEOUT_MS: '1000',
        DATABASE_LOCK_TIMEOUT_MS: '1000',
        DATABASE_STATEMENT_TIMEOUT_MS: '4000',
      },
      scratch.url,
    );
    user = await app.user('user');
    owner = new Client({ connectionString: scratch.url });
    await owner.connect();
  });

  afterAll(async () => {
    await owner?.query('rollback').catch(() => undefined);
    await owner?.end();
    await app?.close();
    if (scratch) {
      await dropScratchDatabase(scratch.name);
    }
  });

  async function timed(path: string, auth = false): Promise<{ status: number; ms: number; retryAfter?: string; body: unknown }> {
    const started = Date.now();
    const request = app.http.get(path).timeout(20_000);
    const response = await (auth ? request.set(user.auth) : request);
    return { status: response.status, ms: Date.now() - started, retryAfter: response.headers['retry-after'], body: response.body };
  }

  it('has defaults and refuses a bad value naming the variable', () => {
    expect(loadConfig({}).resilience.database).toEqual({
      poolMax: 10,
      acquireTimeoutMs: 2000,
      connectTimeoutMs: 2000,
      statementTimeoutMs: 10000,
      lockTimeoutMs: 5000,
    });
    expect(() => loadConfig({ DATABASE_POOL_MAX: '0' })).toThrow(/DATABASE_POOL_MAX/);
    expect(() => loadConfig({ DATABASE_LOCK_TIMEOUT_MS: '1e3' })).toThrow(/DATABASE_LOCK_TIMEOUT_MS/);
  });

  it('applies the timeouts to every runtime connection', async () => {
    const rows = await app.em().getConnection().execute<Array<{ s: string; l: string }>>(
      `select current_setting('statement_timeout') as s, current_setting('lock_timeout') as l`,
    );
    expect(rows[0]).toEqual({ s: '4s', l: '1s' });
  });

  it('serves other tables at once and answers the locked one 503 within the lock timeout, then recovers', async () => {
    await owner.query('begin');
    await owner.query('lock table properties in access exclusive mode');
    try {
      for (const [path, auth] of [
        ['/api/v1/faq/search?q=pets', false],
        ['/api/v1/users/me', true],
        ['/api/health', false],
      ] as const) {
        const result = await timed(path, auth);
        expect({ path, status: result.status }).toEqual({ path, status: 200 });
        expect(result.ms).toBeLessThan(900);
      }

      const locked = await timed('/api/v1/properties');
      expect(locked.status).toBe(503);
      expect(Number(locked.retryAfter)).toBeGreaterThan(0);
      expect(locked.body).toMatchObject({ statusCode: 503, requestId: expect.any(String) });
      expect(JSON.stringify(locked.body)).not.toMatch(/lock|properties|55P03|select/i);
      expect(locked.ms).toBeLessThan(3_000);

      // More requests than the pool has connections: each waits at most the acquire timeout, then 503.
      const burst = await Promise.all(Array.from({ length: 9 }, () => timed('/api/v1/properties')));
      expect(burst.map((r) => r.status)).toEqual(burst.map(() => 503));
      expect(Math.max(...burst.map((r) => r.ms))).toBeLessThan(6_000);
      expect(burst.every((r) => Number(r.retryAfter) > 0)).toBe(true);
    } finally {
      await owner.query('rollback');
    }
    expect((await timed('/api/v1/properties')).status).toBe(200);
  });
});
