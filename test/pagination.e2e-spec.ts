import { randomUUID } from 'node:crypto';
import { ownerQuery } from './harness/db';
import { DIRECTIONS, oneInEach, type ProductApp, type ProductName, startBothProducts, type TestUser } from './harness/product-app';

interface PageJson {
  items: Array<{ id: string; createdAt?: string }>;
  limit: number;
  offset: number | null;
  nextCursor: string | null;
  total: number;
  totalExact: boolean;
}

// The paging contract of every list: limit + offset or cursor, keyset cursors, a capped total.
describe('paging', () => {
  let apps: Record<ProductName, ProductApp>;
  let admin: Record<ProductName, TestUser>;
  const tag = `paging-${randomUUID().slice(0, 8)}`;
  const ROWS = 45;

  beforeAll(async () => {
    apps = await startBothProducts();
    admin = await oneInEach(apps, 'admin');
    // Rows of both products, most of them sharing one created_at (inserted by SQL in one statement): the id
    // must break the ties, and the millisecond column keeps the cursor exact.
    for (const product of ['bestays', 'realestate'] as const) {
      await ownerQuery(
        `insert into properties (id, product, title, description, price_minor, currency, bedrooms, bathrooms, address, published, created_by, created_at, updated_at)
         select gen_random_uuid(), $1, $2 || ' ' || g, '', 100, 'EUR', 1, 1, 'x', g % 5 <> 0, $3,
                case when g <= 30 then now() else now() - g * interval '1 second' end, now()
         from generate_series(1, $4::int) g`,
        [product, tag, admin[product].id, ROWS],
      );
    }
  });
  afterAll(async () => {
    await ownerQuery(`delete from properties where title like $1`, [`${tag} %`]);
    await Promise.all(Object.values(apps ?? {}).map((app) => app.close()));
  });

  async function get(product: ProductName, path: string, as?: TestUser, status = 200): Promise<PageJson & { message?: string }> {
    const request = apps[product].http.get(path);
    return (await (as ? request.set(as.auth) : request).expect(status)).body;
  }

  async function walkByCursor(product: ProductName, path: string, limit: number, as?: TestUser): Promise<PageJson['items']> {
    const sep = path.includes('?') ? '&' : '?';
    let page = await get(product, `${path}${sep}limit=${limit}`, as);
    expect(page).toMatchObject({ offset: 0, limit });
    const items = [...page.items];
    while (page.nextCursor !== null) {
      page = await get(product, `${path}${sep}limit=${limit}&cursor=${encodeURIComponent(page.nextCursor)}`, as);
      expect(page.offset).toBeNull();
      expect(page.items.length).toBeGreaterThan(0);
      items.push(...page.items);
    }
    return items;
  }

  async function ownIds(product: ProductName, publishedOnly: boolean): Promise<string[]> {
    const rows = await ownerQuery<{ id: string }>(
      `select id from properties where product = $1 ${publishedOnly ? 'and published' : ''} order by created_at desc, id desc`,
      [product],
    );
    return rows.map((row) => row.id);
  }

  it.each(DIRECTIONS)('a cursor walk returns every %s row once, in order, and nothing of %s', async (product, other) => {
    for (const [path, as, publishedOnly] of [
      ['/api/v1/properties', undefined, true],
      ['/api/v1/admin/properties', admin[product], false],
    ] as const) {
      const walked = await walkByCursor(product, path, 7, as);
      const expected = await ownIds(product, publishedOnly);
      expect(walked.map((item) => item.id)).toEqual(expected);
      const foreign = new Set(await ownIds(other, false));
      expect(walked.filter((item) => foreign.has(item.id))).toEqual([]);
      const first = await get(product, `${path}?limit=7`, as);
      expect(first).toMatchObject({ total: expected.length, totalExact: true, offset: 0 });
    }
  });

  it('every list pages by cursor with the same shape', async () => {
    const lists = [
      '/api/v1/users',
      '/api/v1/admin/audit-log',
      '/api/v1/admin/categories',
      '/api/v1/admin/faqs',
      '/api/v1/admin/chat-config/prompts',
      '/api/v1/admin/chat-config/tools',
    ];
    for (const path of lists) {
      const first = await get('bestays', `${path}?limit=100`, admin.bestays);
      const walked = await walkByCursor('bestays', path, 2, admin.bestays);
      // Rows written meanwhile (the audit of this very test's sign-ins) may only appear at the front.
      expect(new Set(walked.map((item) => item.id)).size).toBe(walked.length);
      expect(walked.length).toBeGreaterThanOrEqual(Math.min(first.items.length, first.total));
      expect(Object.keys(first).sort()).toEqual(['items', 'limit', 'nextCursor', 'offset', 'total', 'totalExact']);
    }
    for (const path of ['/api/v1/faq/categories', '/api/v1/faq/documents']) {
      const first = await get('bestays', `${path}?limit=100`);
      const walked = await walkByCursor('bestays', path, 3);
      expect(walked.map((item) => item.id)).toEqual(first.items.map((item) => item.id));
    }
  });

  it.each(DIRECTIONS)('a cursor of %s is refused by %s, and one of another list too', async (product, other) => {
    const page = await get(product, '/api/v1/properties?limit=2');
    expect(page.nextCursor).toEqual(expect.any(String));
    const cursor = encodeURIComponent(page.nextCursor!);
    const refused = await get(other, `/api/v1/properties?cursor=${cursor}`, undefined, 400);
    expect(refused.message).toMatch(/cursor/);
    await get(product, `/api/v1/admin/properties?cursor=${cursor}`, admin[product], 400);
    await get(product, `/api/v1/faq/documents?cursor=${cursor}`, undefined, 400);
    await get(product, `/api/v1/properties?cursor=${cursor}`);
  });

  it('a tampered, malformed or forged cursor is 400', async () => {
    const cursor = (await get('bestays', '/api/v1/properties?limit=2')).nextCursor!;
    const [payload, signature] = cursor.split('.');
    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    const forgedPayload = Buffer.from(JSON.stringify([{ d: new Date().toISOString() }, randomUUID()])).toString('base64url');
    for (const bad of [
      flip(cursor, 0),
      `${payload}.${flip(signature, signature.length - 1)}`,
      `${flip(payload, payload.length - 1)}.${signature}`,
      `${forgedPayload}.${signature}`,
      'not-a-cursor',
      `${payload}.`,
      '',
      'x'.repeat(5000),
    ]) {
      const body = await get('bestays', `/api/v1/properties?cursor=${encodeURIComponent(bad)}`, undefined, 400);
      expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/cursor/) });
    }
  });

  it('offset and cursor together, a deep offset and absurd numbers are 400, never 500', async () => {
    const cursor = encodeURIComponent((await get('bestays', '/api/v1/properties?limit=2')).nextCursor!);
    const both = await get('bestays', `/api/v1/properties?offset=0&cursor=${cursor}`, undefined, 400);
    expect(both.message).toMatch(/offset or cursor/);
    const deep = await get('bestays', '/api/v1/properties?offset=10001', undefined, 400);
    expect(deep.message).toMatch(/cursor/);
    await get('bestays', '/api/v1/properties?offset=10000');
    for (const query of [
      'limit=1e20',
      'offset=1e20',
      'offset=9223372036854775807',
      'limit=9223372036854775807',
      'offset=-9223372036854775808',
      'offset=Infinity',
      'limit=NaN',
      'limit=0',
      'limit=101',
      'offset=1.5',
    ]) {
      await get('bestays', `/api/v1/properties?${query}`, undefined, 400);
      await get('bestays', `/api/v1/admin/audit-log?${query}`, admin.bestays, 400);
    }
  });

  it('total is exact up to 10,000 and capped past it, per product', async () => {
    const entityType = `Bulk${randomUUID().slice(0, 8)}`;
    await ownerQuery(
      `insert into audit_log (id, product, action, entity_type, entity_id, actor_id, changes, request_id, created_at, updated_at)
       select gen_random_uuid(), 'bestays', 'create', $1, g::text, null, '{}', null, now() - g * interval '1 ms', now()
       from generate_series(1, 10050) g`,
      [entityType],
    );
    try {
      const path = `/api/v1/admin/audit-log?entityType=${entityType}`;
      expect(await get('bestays', `${path}&limit=5`, admin.bestays)).toMatchObject({ total: 10000, totalExact: false });
      const last = await get('bestays', `${path}&limit=100&offset=10000`, admin.bestays);
      expect(last).toMatchObject({ total: 10000, totalExact: false, offset: 10000, nextCursor: null });
      expect(last.items).toHaveLength(50);
      // Deeper than any offset: by cursor, still capped, still every row.
      let page = await get('bestays', `${path}&limit=100&offset=9900`, admin.bestays);
      let seen = page.items.length;
      while (page.nextCursor) {
        page = await get('bestays', `${path}&limit=100&cursor=${encodeURIComponent(page.nextCursor)}`, admin.bestays);
        expect(page).toMatchObject({ total: 10000, totalExact: false, offset: null });
        seen += page.items.length;
      }
      expect(seen).toBe(150);
      const exact = await get('bestays', `${path}&limit=5&offset=10`, admin.bestays);
      expect(exact.items.map((item) => item.id)).toHaveLength(5);
      // The other product sees none of them.
      expect(await get('realestate', `${path}&limit=5`, admin.realestate)).toMatchObject({ items: [], total: 0, totalExact: true, nextCursor: null });
    } finally {
      await ownerQuery(`delete from audit_log where entity_type = $1`, [entityType]);
    }
  });

  it('the OpenAPI document describes the page shape with integers', async () => {
    const doc = (await apps.bestays.http.get('/api/docs-json').expect(200)).body;
    const params = doc.paths['/api/v1/properties'].get.parameters as Array<{ name: string; schema: { type: string; maximum?: number } }>;
    expect(params.find((p) => p.name === 'limit')?.schema).toMatchObject({ type: 'integer', maximum: 100 });
    expect(params.find((p) => p.name === 'offset')?.schema).toMatchObject({ type: 'integer', maximum: 10000 });
    expect(params.find((p) => p.name === 'cursor')?.schema).toMatchObject({ type: 'string' });
    const schema = JSON.stringify(doc.components.schemas.PropertyPage);
    for (const field of ['nextCursor', 'totalExact', 'offset', 'total', 'limit', 'items']) {
      expect(schema).toContain(field);
    }
  });
});
