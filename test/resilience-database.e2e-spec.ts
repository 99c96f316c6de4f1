import { OwnPostgres } from './harness/own-postgres';
import { ProductApp, type TestUser } from './harness/product-app';

interface Sample {
  at: number;
  ms: number;
  status: number;
  retryAfter?: string;
  body: { statusCode?: number; requestId?: string; message?: string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The scenario: a PostgreSQL of the test's own, stopped under load and started again.
describe('database down: fail fast with 503, recover without a restart', () => {
  let db: OwnPostgres;
  let app: ProductApp;
  let user: TestUser;

  beforeAll(async () => {
    db = await OwnPostgres.start('db-down');
    app = await ProductApp.start('bestays', {}, db.url);
    user = await app.user('agent');
  }, 120_000);

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    await db?.close();
  });

  async function hit(path: string, auth = false): Promise<Sample> {
    const started = Date.now();
    const request = app.http.get(path).timeout(15_000);
    const response = await (auth ? request.set(user.auth) : request);
    return {
      at: started,
      ms: Date.now() - started,
      status: response.status,
      retryAfter: response.headers['retry-after'],
      body: response.body as Sample['body'],
    };
  }

  const routes: Array<[string, boolean]> = [
    ['/api/v1/properties', false],
    ['/api/v1/faq/search?q=pets', false],
    ['/api/v1/users/me', true],
    ['/api/v1/admin/properties', true],
  ];

  it('answers 503 with Retry-After within 2 s while the database is down (never 401 or 500), and 200 within 5 s after it returns', async () => {
    for (const [path, auth] of routes.slice(0, 3)) {
      expect((await hit(path, auth)).status).toBe(200);
    }

    // Load: four clients in a loop, through the outage and the recovery.
    const samples: Sample[] = [];
    let running = true;
    const load = Array.from({ length: 4 }, async (_, worker) => {
      for (let i = worker; running; i++) {
        const [path, auth] = routes[i % routes.length];
        samples.push(await hit(path, auth));
      }
    });

    await sleep(500);
    const stoppedAt = Date.now();
    await db.down();

    // Every route that needs the database: 503 + Retry-After + the error JSON, fast.
    await sleep(300);
    for (const [path, auth] of routes) {
      const sample = await hit(path, auth);
      expect({ path, status: sample.status }).toEqual({ path, status: 503 });
      expect(sample.ms).toBeLessThan(2_500);
      expect(Number(sample.retryAfter)).toBeGreaterThan(0);
      expect(sample.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', requestId: expect.any(String) });
      expect(JSON.stringify(sample.body)).not.toMatch(/ECONN|postgres|knex|select |at \//i);
    }
    await sleep(1_500);

    const restartedAt = Date.now();
    await db.up();
    const upAt = Date.now();
    let recoveredAt: number | undefined;
    while (Date.now() - upAt < 10_000) {
      const [publicRead, signedIn] = await Promise.all([hit('/api/v1/properties'), hit('/api/v1/users/me', true)]);
      if (publicRead.status === 200 && signedIn.status === 200) {
        recoveredAt = Date.now();
        break;
      }
      await sleep(100);
    }
    running = false;
    await Promise.all(load);

    expect(recoveredAt).toBeDefined();
    expect((recoveredAt as number) - upAt).toBeLessThan(5_000);

    // Under load, nothing but 200 and 503 came back: no 401 for a valid session, no 500, no hang.
    const during = samples.filter((s) => s.at >= stoppedAt && s.at < restartedAt);
    expect(during.length).toBeGreaterThan(0);
    expect([...new Set(samples.map((s) => s.status))].filter((status) => status !== 200 && status !== 503)).toEqual([]);
    expect(during.filter((s) => s.status === 503).every((s) => Number(s.retryAfter) > 0)).toBe(true);
    // A request that started while the database was going down may wait for its own connect timeout.
    expect(Math.max(...during.map((s) => s.ms))).toBeLessThan(4_500);
  }, 120_000);
});
