import { type INestApplicationContext } from '@nestjs/common';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import { type CreateCategoryBody } from './faq.dto';
import { FaqCategoriesService } from './faq-categories.service';
import { FaqCategory } from './faq-category.entity';
import { FaqDocumentsService } from './faq-documents.service';

/** A product's demo FAQ (validated seed data, see src/seed/seed-data.ts). */
export interface FaqSeedSet {
  categories: CreateCategoryBody[];
  documents: Array<{ category: string; question: string; answer: string; tags?: string[]; status?: 'draft' | 'published' | 'archived' }>;
}

/**
 * Creates the product's demo FAQ through the services (scoped, validated, embedded and audited like
 * the API). Idempotent: existing slugs and questions are skipped; returns how many documents it created.
 * The caller provides the tenant context; the work gets its own EntityManager context.
 */
export function seedFaq(app: INestApplicationContext, set: FaqSeedSet): Promise<number> {
  return RequestContext.create(app.get(MikroORM).em, () => seed(app, set));
}

async function seed(app: INestApplicationContext, set: FaqSeedSet): Promise<number> {
  const categories = app.get(FaqCategoriesService, { strict: false });
  const documents = app.get(FaqDocumentsService, { strict: false });

  const bySlug = new Map<string, FaqCategory>();
  for (const seed of set.categories) {
    bySlug.set(seed.slug, (await categories.findBySlug(seed.slug)) ?? (await categories.create(seed)));
  }
  const existing = await documents.existingQuestions(set.documents.map((seed) => seed.question));
  const missing = set.documents
    .filter((seed) => !existing.has(seed.question))
    .map((seed) => {
      const category = bySlug.get(seed.category);
      if (!category) {
        throw new Error(`FAQ seed: document "${seed.question}" names unknown category "${seed.category}"`);
      }
      // Demo documents are published unless the data says otherwise.
      return { categoryId: category.id, question: seed.question, answer: seed.answer, tags: seed.tags, status: seed.status ?? 'published' };
    });
  // One flush for all of them (a hundred round trips fewer on a first start), in a clean EntityManager context.
  const created = (await RequestContext.create(app.get(MikroORM).em, () => documents.createMany(missing))).length;
  // Documents seeded while an embeddings endpoint was down (or under another model) catch up in the
  // faq-embeddings boot task (the server runs it after listen, `npm run seed` after the seed).
  return created;
}
