import { ForeignKeyConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { FaqCategory } from '../src/faq/faq-category.entity';
import { FaqDocument } from '../src/faq/faq-document.entity';
import { Conversation } from '../src/llm/conversation.entity';
import { Property } from '../src/properties/property.entity';
import { User } from '../src/users/user.entity';
import { ownerQuery } from './harness/db';
import { type ProductName, useBothProducts, type TestUser } from './harness/product-app';

// Relations: populate (joined and select-in) stays inside the product, and no row can point at
// another product's row — not through the ORM, and not even for the owner (composite foreign keys).
describe('relations and references across products', () => {
  const apps = useBothProducts();
  const agent = {} as Record<ProductName, TestUser>;
  const property = {} as Record<ProductName, string>;
  const category = {} as Record<ProductName, string>;

  const listing = (title: string) => ({ title, priceMinor: 10000, currency: 'EUR', bedrooms: 2, bathrooms: 1, address: '1 Test Street', published: true });
  const inBestays = <T>(work: (em: EntityManager) => Promise<T>): Promise<T> => apps.bestays.inTenant(() => work(apps.bestays.em()));

  beforeAll(async () => {
    for (const product of ['bestays', 'realestate'] as const) {
      const app = apps[product];
      agent[product] = await app.user('agent');
      const admin = await app.user('admin');
      const created = await app.http.post('/api/v1/admin/properties').set(agent[product].auth).send(listing(`${product} relations`)).expect(201);
      property[product] = created.body.id;
      const slug = `relations-${Date.now()}-${product}`;
      const cat = await app.http.post('/api/v1/admin/categories').set(admin.auth).send({ name: 'Relations', slug }).expect(201);
      category[product] = cat.body.id;
      await app.http
        .post('/api/v1/admin/faqs')
        .set(admin.auth)
        .send({ categoryId: category[product], question: 'Relations question?', answer: 'An answer.', status: 'published' })
        .expect(201);
    }
  });

  it.each(['joined', 'select-in'] as const)('populate (%s) returns only own rows and own related rows, even with filters: false', async (strategy) => {
    for (const filters of [undefined, false] as const) {
      const found = await inBestays((em) =>
        em.find(Property, {}, { populate: ['createdBy'], strategy, ...(filters === false ? { filters } : {}) }),
      );
      expect(found.map((p) => p.id)).toContain(property.bestays);
      expect(found.map((p) => p.id)).not.toContain(property.realestate);
      for (const p of found) {
        expect(p.product).toBe('bestays');
        expect(p.createdBy.product).toBe('bestays');
      }
      const documents = await inBestays((em) => em.find(FaqDocument, {}, { populate: ['category'], strategy }));
      for (const d of documents) {
        expect([d.product, d.category.product]).toEqual(['bestays', 'bestays']);
      }
    }
  });

  it("a query through a relation never reaches the other product's rows", async () => {
    expect(await inBestays((em) => em.find(Property, { createdBy: agent.realestate.id }))).toEqual([]);
    expect(await inBestays((em) => em.find(Property, { createdBy: { clerkUserId: agent.realestate.clerkUserId } }))).toEqual([]);
    expect(await inBestays((em) => em.findOne(Property, property.realestate, { populate: ['createdBy'] }))).toBeNull();
    expect(await inBestays((em) => em.find(FaqDocument, { category: category.realestate }))).toEqual([]);
  });

  it("the ORM cannot write a row that points at another product's row (composite foreign key)", async () => {
    const attempts: Array<(em: EntityManager) => void> = [
      (em) => em.create(Property, { ...listing('pointing across'), createdBy: em.getReference(User, agent.realestate.id) }),
      (em) => em.create(FaqDocument, { category: em.getReference(FaqCategory, category.realestate), question: 'x?', answer: 'y' }),
      (em) => em.persist(new Conversation(em.getReference(User, agent.realestate.id), 'across')),
    ];
    for (const attempt of attempts) {
      await expect(
        inBestays(async (em) => {
          attempt(em);
          await em.flush();
        }),
      ).rejects.toBeInstanceOf(ForeignKeyConstraintViolationException);
    }
    expect(await ownerQuery("select count(*)::int as n from properties where title = 'pointing across'")).toEqual([{ n: 0 }]);
  });

  it("even the owner (no RLS) cannot store a reference to another product's row", async () => {
    await expect(
      ownerQuery(
        `insert into properties (id, product, title, price_minor, currency, bedrooms, bathrooms, address, created_by, created_at, updated_at)
         values (gen_random_uuid(), 'bestays', 'owner across', 1, 'EUR', 1, 1, 'x', $1, now(), now())`,
        [agent.realestate.id],
      ),
    ).rejects.toThrow(/foreign key/);
    await expect(
      ownerQuery(
        `insert into faq_documents (id, product, category_id, question, answer, created_at, updated_at)
         values (gen_random_uuid(), 'bestays', $1, 'q', 'a', now(), now())`,
        [category.realestate],
      ),
    ).rejects.toThrow(/foreign key/);
  });

  it("the public API never shows another product's property, even by id", async () => {
    await apps.bestays.http.get(`/api/v1/properties/${property.realestate}`).expect(404);
    const listed = await apps.bestays.http.get('/api/v1/properties?limit=100').expect(200);
    expect(listed.body.items.map((p: { id: string }) => p.id)).not.toContain(property.realestate);
  });
});
