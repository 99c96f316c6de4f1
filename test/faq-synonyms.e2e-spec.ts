import { seedFaq } from '../src/faq/faq.seed';
import { seedFaqSynonyms, demoSynonymGroups } from '../src/faq/faq-synonyms.seed';
import { evaluateSearch, percent } from './harness/search-eval';
import { oneInEach, PRODUCTS, type ProductApp, type ProductName, startBothProducts, type TestUser } from './harness/product-app';
import { loadSeedData } from '../src/seed/seed-data';

const SYNONYMS = '/api/v1/admin/faq-synonyms';
// Achieved with the shipped synonyms and the local model: 30/30 and 29/29. One miss of slack for
// documents other suites add to the shared test database.
const TOP3_FLOOR = 0.96;

describe('FAQ synonyms', () => {
  let apps: Record<ProductName, ProductApp>;
  let admins: Record<ProductName, TestUser>;

  beforeAll(async () => {
    apps = await startBothProducts();
    admins = await oneInEach(apps, 'admin');
    for (const product of PRODUCTS) {
      await apps[product].inTenant(async () => {
        await seedFaq(apps[product].app, loadSeedData(product).faq);
        await seedFaqSynonyms(apps[product].app, product);
        // Idempotent.
        expect(await seedFaqSynonyms(apps[product].app, product)).toBe(0);
      });
    }
  });
  afterAll(async () => Promise.all(PRODUCTS.map((p) => apps[p].close())));

  it.each(PRODUCTS)('%s: the held-out paraphrases find their document in the top 3 (synonyms on), and better than without', async (product) => {
    const before = await evaluateSearch(apps[product], false);
    const after = await evaluateSearch(apps[product], true);
    expect(after.total).toBeGreaterThanOrEqual(25);
    console.log(
      `[faq-synonyms] ${product}: top-3 ${percent(before.top3, before.total)} -> ${percent(after.top3, after.total)}, ` +
        `top-1 ${percent(before.top1, before.total)} -> ${percent(after.top1, after.total)}${after.misses.length ? `\n${after.misses.join('\n')}` : ''}`,
    );
    expect(after.top3 / after.total).toBeGreaterThanOrEqual(TOP3_FLOOR);
    expect(after.top3).toBeGreaterThan(before.top3);
  });

  it('admins manage groups per product; validated; another product sees none of them', async () => {
    const app = apps.bestays;
    const admin = admins.bestays.auth;
    const q = { q: 'zorbly', limit: 3 };
    expect((await app.http.get('/api/v1/faq/search').query(q).expect(200)).body.items).toEqual([]);

    const created = await app.http.post(SYNONYMS).set(admin).send({ terms: ['zorbly', 'pets'] }).expect(201);
    expect(created.body).toEqual({ id: expect.any(String), terms: ['zorbly', 'pets'], createdAt: expect.any(String), updatedAt: expect.any(String) });
    // Applied at once, without re-embedding: "zorbly" now finds the pets answer.
    const found = await app.http.get('/api/v1/faq/search').query(q).expect(200);
    expect(found.body.items[0].question).toBe('Are pets allowed?');
    // Not in the other product.
    expect((await apps.realestate.http.get('/api/v1/faq/search').query(q).expect(200)).body.items).toEqual([]);
    await apps.realestate.http.get(`${SYNONYMS}/${created.body.id}`).set(admins.realestate.auth).expect(404);
    await apps.realestate.http.patch(`${SYNONYMS}/${created.body.id}`).set(admins.realestate.auth).send({ terms: ['a', 'b'] }).expect(404);
    await apps.realestate.http.delete(`${SYNONYMS}/${created.body.id}`).set(admins.realestate.auth).expect(404);
    const theirs = await apps.realestate.http.get(`${SYNONYMS}?limit=100`).set(admins.realestate.auth).expect(200);
    expect(theirs.body.items.map((g: { id: string }) => g.id)).not.toContain(created.body.id);
    expect(theirs.body.total).toBe(demoSynonymGroups('realestate').length);

    const listed = await app.http.get(`${SYNONYMS}?limit=100`).set(admin).expect(200);
    expect(listed.body.items).toContainEqual(created.body);
    expect((await app.http.get(`${SYNONYMS}/${created.body.id}`).set(admin).expect(200)).body).toEqual(created.body);

    const patched = await app.http.patch(`${SYNONYMS}/${created.body.id}`).set(admin).send({ terms: ['zorbly', 'parking'] }).expect(200);
    expect(patched.body.terms).toEqual(['zorbly', 'parking']);
    expect((await app.http.get('/api/v1/faq/search').query(q).expect(200)).body.items[0].question).toBe('Is parking available?');

    for (const bad of [
      { terms: ['alone'] },
      { terms: Array.from({ length: 31 }, (_, i) => `w${i}`) },
      { terms: ['Upper', 'case'] },
      { terms: ['two words', 'x'] },
      { terms: ['same', 'same'] },
      { terms: ['a|b', 'c'] },
      { terms: ['ok', 'fine'], product: 'realestate' },
      { terms: 'pets,dogs' },
      {},
    ]) {
      await app.http.post(SYNONYMS).set(admin).send(bad).expect(400);
    }
    await app.http.patch(`${SYNONYMS}/${created.body.id}`).set(admin).send({ terms: null }).expect(400);
    const user = await app.user();
    await app.http.get(SYNONYMS).set(user.auth).expect(403);
    await app.http.post(SYNONYMS).set(user.auth).send({ terms: ['a', 'b'] }).expect(403);
    await app.http.get(`${SYNONYMS}/not-a-uuid`).set(admin).expect(400);

    await app.http.delete(`${SYNONYMS}/${created.body.id}`).set(admin).expect(204);
    await app.http.get(`${SYNONYMS}/${created.body.id}`).set(admin).expect(404);
    expect((await app.http.get('/api/v1/faq/search').query(q).expect(200)).body.items).toEqual([]);
  });

  it('the analytics list searches whose best score was low', async () => {
    const app = apps.realestate;
    const query = `mortgage zebra giraffe walrus pelican ${Date.now().toString(36).replace(/\d/g, '')}`;
    // Asked 5 times: the report lists the 10 most asked, and other suites leave one-off low-score searches behind.
    for (let i = 0; i < 4; i++) {
      await app.http.get('/api/v1/faq/search').query({ q: query }).expect(200);
    }
    const response = await app.http.get('/api/v1/faq/search').query({ q: query }).expect(200);
    // Precondition: it found something, but nothing good.
    expect(response.body.items.length).toBeGreaterThan(0);
    expect(response.body.items[0].score).toBeLessThan(0.3);
    const good = await app.http.get('/api/v1/faq/search').query({ q: 'what is gazumping' }).expect(200);
    expect(good.body.items[0].score).toBeGreaterThanOrEqual(0.3);

    const report = await app.http.get('/api/v1/admin/faq-analytics').set(admins.realestate.auth).expect(200);
    const normalised = query.toLowerCase();
    expect(report.body.lowScoreSearches).toContainEqual({ query: normalised, count: 5, bestScore: expect.any(Number) });
    expect(report.body.lowScoreSearches.map((row: { query: string }) => row.query)).not.toContain('what is gazumping');
    const other = await apps.bestays.http.get('/api/v1/admin/faq-analytics').set(admins.bestays.auth).expect(200);
    expect(other.body.lowScoreSearches.map((row: { query: string }) => row.query)).not.toContain(normalised);
  });
});
