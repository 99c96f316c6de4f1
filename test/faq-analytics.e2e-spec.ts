import { randomInt } from 'node:crypto';
import { ownerQuery } from './harness/db';
import { type ProductName, useBothProducts, type TestUser, oneInEach } from './harness/product-app';

interface Report {
  topViewed: Array<{ documentId: string; question: string; views: number }>;
  mostHelpful: Array<{ documentId: string; question: string; helpful: number; notHelpful: number }>;
  leastHelpful: Array<{ documentId: string; question: string; helpful: number; notHelpful: number }>;
  topSearches: Array<{ query: string; count: number; averageHits: number }>;
  noResultSearches: Array<{ query: string; count: number }>;
}

// A made-up word no other document or test uses (and that shares few trigrams with another one).
const word = () => Array.from({ length: 12 }, () => String.fromCharCode(97 + randomInt(26))).join('');
const max = (values: number[]) => Math.max(0, ...values);
const times = async (n: number, work: (i: number) => Promise<unknown>) => {
  for (let i = 0; i < n; i++) {
    await work(i);
  }
};

describe('FAQ analytics', () => {
  const apps = useBothProducts();
  let admin: Record<ProductName, TestUser>;

  beforeAll(async () => {
    admin = await oneInEach(apps, 'admin');
  });

  async function report(product: ProductName): Promise<Report> {
    const response = await apps[product].http.get('/api/v1/admin/faq-analytics').set(admin[product].auth).expect(200);
    return response.body as Report;
  }

  it.each([
    ['bestays', 'realestate'],
    ['realestate', 'bestays'],
  ] as const)('%s: counts are exact after a known sequence of views, feedback and searches; %s is unaffected', async (product, other) => {
    const { http } = apps[product];
    const auth = admin[product].auth;
    // Other test files may have left events in this database: the sequence below outnumbers them,
    // so our rows lead every list, and their counts must be exact.
    const before = await report(product);
    const otherBefore = await report(other);

    const categoryBody = { name: 'Analytics', slug: `analytics-${word()}` };
    const category = (await http.post('/api/v1/admin/categories').set(auth).send(categoryBody).expect(201)).body;
    const tokens = { a: word(), b: word(), c: word(), d: word() };
    const docs = {} as Record<keyof typeof tokens, { id: string; question: string }>;
    for (const [label, token] of Object.entries(tokens) as Array<[keyof typeof tokens, string]>) {
      const question = `Analytics ${label.toUpperCase()}: what is a ${token}?`;
      const created = await http
        .post('/api/v1/admin/faqs')
        .set(auth)
        .send({ categoryId: category.id, question, answer: `A ${token} is a test fixture.`, status: 'published' })
        .expect(201);
      docs[label] = { id: created.body.id, question };
    }
    const draft = await http
      .post('/api/v1/admin/faqs')
      .set(auth)
      .send({ categoryId: category.id, question: `Analytics draft ${word()}?`, answer: 'Hidden.', status: 'draft' })
      .expect(201);

    // Views: A leads; B and C tie (broken by question); D last. A draft's view is a 404 and counts nothing.
    const v = max(before.topViewed.map((row) => row.views));
    const view = (id: string) => http.get(`/api/v1/faq/documents/${id}`).expect(200);
    await times(v + 3, () => view(docs.a.id));
    await times(v + 2, () => view(docs.b.id));
    await times(v + 2, () => view(docs.c.id));
    await times(v + 1, () => view(docs.d.id));
    await http.get(`/api/v1/faq/documents/${draft.body.id}`).expect(404);

    // Feedback: A and B tie on helpful votes, B has no unhelpful one; C and D tie on unhelpful votes, D has no helpful one.
    const h = max(before.mostHelpful.map((row) => row.helpful));
    const n = max(before.leastHelpful.map((row) => row.notHelpful));
    const feedback = (id: string, helpful: boolean) => http.post(`/api/v1/faq/documents/${id}/feedback`).send({ helpful }).expect(201);
    await times(h + 3, () => feedback(docs.a.id, true));
    await feedback(docs.a.id, false);
    await times(h + 3, () => feedback(docs.b.id, true));
    await feedback(docs.c.id, true);
    await times(n + 3, () => feedback(docs.c.id, false));
    await times(n + 3, () => feedback(docs.d.id, false));
    await http.post(`/api/v1/faq/documents/${draft.body.id}/feedback`).send({ helpful: true }).expect(404);

    // Searches, written differently but normalised to one query each.
    const s = max(before.topSearches.map((row) => row.count));
    const z = max(before.noResultSearches.map((row) => row.count));
    const search = async (q: string, expectedHits: number, limit?: number) => {
      const response = await http.get('/api/v1/faq/search').query(limit ? { q, limit } : { q }).expect(200);
      expect(response.body.items).toHaveLength(expectedHits);
    };
    const single = tokens.a;
    const pair = `${tokens.a} ${tokens.b}`;
    await times(s + 5, (i) => search(i % 2 === 0 ? `  ${single.toUpperCase()} ` : single, 1));
    await times(s + 3, (i) => search(i === 0 ? `${tokens.a}\t\n ${tokens.b.toUpperCase()}` : pair, 2));
    await search(pair, 1, 1);
    const nothing = `${word()} ${word()}`;
    const nothingElse = word();
    await times(z + 2, (i) => search(i === 0 ? `  ${nothing.replace(' ', '   ')}  ` : nothing, 0));
    await times(z + 1, () => search(nothingElse.toUpperCase(), 0));

    const after = await report(product);
    expect(Object.keys(after).sort()).toEqual(['leastHelpful', 'lowScoreSearches', 'mostHelpful', 'noResultSearches', 'topSearches', 'topViewed']);
    for (const list of Object.values(after)) {
      expect((list as unknown[]).length).toBeLessThanOrEqual(10);
    }
    expect(after.topViewed.slice(0, 4)).toEqual([
      { documentId: docs.a.id, question: docs.a.question, views: v + 3 },
      { documentId: docs.b.id, question: docs.b.question, views: v + 2 },
      { documentId: docs.c.id, question: docs.c.question, views: v + 2 },
      { documentId: docs.d.id, question: docs.d.question, views: v + 1 },
    ]);
    expect(after.mostHelpful.slice(0, 2)).toEqual([
      { documentId: docs.b.id, question: docs.b.question, helpful: h + 3, notHelpful: 0 },
      { documentId: docs.a.id, question: docs.a.question, helpful: h + 3, notHelpful: 1 },
    ]);
    expect(after.leastHelpful.slice(0, 2)).toEqual([
      { documentId: docs.d.id, question: docs.d.question, helpful: 0, notHelpful: n + 3 },
      { documentId: docs.c.id, question: docs.c.question, helpful: 1, notHelpful: n + 3 },
    ]);
    // Documents without helpful (or unhelpful) votes are not on that list at all.
    expect(after.mostHelpful.map((row) => row.documentId)).not.toContain(docs.d.id);
    expect(after.leastHelpful.map((row) => row.documentId)).not.toContain(docs.b.id);

    const pairCount = s + 4;
    const pairAverage = Math.round((100 * (2 * (s + 3) + 1)) / pairCount) / 100;
    expect(after.topSearches.slice(0, 2)).toEqual([
      { query: single, count: s + 5, averageHits: 1 },
      { query: pair, count: pairCount, averageHits: pairAverage },
    ]);
    expect(after.noResultSearches.slice(0, 2)).toEqual([
      { query: nothing, count: z + 2 },
      { query: nothingElse, count: z + 1 },
    ]);

    // Every event is this product's row; the other product's report did not move.
    const rows = await ownerQuery<{ product: string; n: number }>(
      `select product, count(*)::int as n from faq_analytics where document_id = any($1::uuid[]) or query = any($2::text[]) group by product`,
      [Object.values(docs).map((doc) => doc.id), [single, pair, nothing, nothingElse]],
    );
    expect(rows).toEqual([{ product, n: 4 * v + 8 + (2 * h + 7) + (2 * n + 7) + (s + 5) + (s + 4) + (z + 2) + (z + 1) }]);
    expect(await report(other)).toEqual(otherBefore);
  });

  it('is admin-only', async () => {
    const member = await apps.bestays.user('user');
    await apps.bestays.http.get('/api/v1/admin/faq-analytics').set(member.auth).expect(403);
    await apps.bestays.http.get('/api/v1/admin/faq-analytics').expect(401);
  });
});
