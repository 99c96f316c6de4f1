import { createHash, randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { BootTasks } from '../../src/boot/boot-tasks';
import { ownerQuery } from './db';
import { oneInEach, type ProductName, type TestUser, useBothProducts } from './product-app';

export interface CategoryJson {
  id: string;
  name: string;
  slug: string;
  position: number;
}

export interface FaqJson {
  id: string;
  categoryId: string;
  question: string;
  answer: string;
  status: 'draft' | 'published' | 'archived';
  tags: string[];
  createdAt: string;
  updatedAt: string;
  relatedIds?: string[];
}

export interface EmbeddingRow {
  model: string;
  content_hash: string;
  dims: number;
  updated_at: Date;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const unique = (): string => randomUUID().slice(0, 8);

export function embeddingHash(question: string, tags: string[], answer: string): string {
  return createHash('sha256').update([question, tags.join(', '), answer].join('\n')).digest('hex');
}

export async function embeddingOf(documentId: string): Promise<EmbeddingRow | undefined> {
  const rows = await ownerQuery<EmbeddingRow>(
    'select model, content_hash, array_length(vector, 1) as dims, updated_at from faq_embeddings where document_id = $1',
    [documentId],
  );
  return rows[0];
}

// The FAQ's boot task, run now for `product` (the runner refuses any product but the app's own).
export const catchUp = (app: INestApplication, product: string): Promise<string | undefined> =>
  app.get(BootTasks).run('faq-embeddings', product);

/** Both products with an admin and a user in each, and builders for categories and documents (the FAQ specs). */
export function useFaqSuite() {
  const apps = useBothProducts();
  const admin = {} as Record<ProductName, TestUser>;
  const user = {} as Record<ProductName, TestUser>;

  beforeAll(async () => {
    Object.assign(admin, await oneInEach(apps, 'admin'));
    Object.assign(user, await oneInEach(apps, 'user'));
  });

  async function createCategory(product: ProductName, overrides: Partial<CategoryJson> = {}): Promise<CategoryJson> {
    const id = unique();
    const response = await apps[product].http
      .post('/api/v1/admin/categories')
      .set(admin[product].auth)
      .send({ name: `Category ${id}`, slug: `category-${id}`, position: 5, ...overrides })
      .expect(201);
    return response.body as CategoryJson;
  }

  async function createFaq(product: ProductName, categoryId: string, overrides: Record<string, unknown> = {}): Promise<FaqJson> {
    const response = await apps[product].http
      .post('/api/v1/admin/faqs')
      .set(admin[product].auth)
      .send({ categoryId, question: `Question ${unique()}?`, answer: 'An answer of a few words.', status: 'published', ...overrides })
      .expect(201);
    return response.body as FaqJson;
  }

  async function auditOf(product: ProductName, entityType: string, entityId: string) {
    const response = await apps[product].http
      .get('/api/v1/admin/audit-log')
      .query({ entityType, entityId, limit: 100 })
      .set(admin[product].auth)
      .expect(200);
    return response.body.items as Array<{ action: string; actorId: string | null; changes: Record<string, unknown> }>;
  }

  return { apps, admin, user, createCategory, createFaq, auditOf };
}
