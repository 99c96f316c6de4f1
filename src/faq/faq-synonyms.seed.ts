import { type INestApplicationContext } from '@nestjs/common';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import bestays from '../seed/data/bestays/faq-synonyms.json';
import realestate from '../seed/data/realestate/faq-synonyms.json';
import { CreateSynonymGroupBody } from './faq-synonyms.dto';
import { FaqSynonymsService } from './faq-synonyms.service';

// Demo synonym groups per product (data, not code). The generic JSON seed loader may replace this step.
const DEMO: Record<string, { groups: string[][] }> = { bestays, realestate };

export function demoSynonymGroups(product: string): string[][] {
  return DEMO[product]?.groups ?? [];
}

/**
 * The product's demo synonym groups, in the caller's tenant context (the work gets its own EntityManager context). Idempotent: a group whose
 * terms are already stored (in any order) is left alone. Returns how many groups it created.
 */
export function seedFaqSynonyms(app: INestApplicationContext, product: string): Promise<number> {
  return RequestContext.create(app.get(MikroORM).em, () => seed(app, product));
}

async function seed(app: INestApplicationContext, product: string): Promise<number> {
  const synonyms = app.get(FaqSynonymsService);
  const key = (terms: string[]): string => [...terms].sort().join(',');
  const existing = new Set((await synonyms.groups()).map(key));
  const missing: CreateSynonymGroupBody[] = [];
  for (const terms of demoSynonymGroups(product)) {
    if (!existing.has(key(terms))) {
      // Seed data goes through the same validation as a request body.
      const body = plainToInstance(CreateSynonymGroupBody, { terms });
      const errors = await validate(body, { whitelist: true, forbidNonWhitelisted: true });
      if (errors.length > 0) {
        throw new Error(`invalid seed synonym group ${terms.join(',')}: ${errors.map((error) => error.toString()).join('; ')}`);
      }
      missing.push(body);
      existing.add(key(terms));
    }
  }
  // One flush for all of them, in a clean EntityManager context.
  return (await RequestContext.create(app.get(MikroORM).em, () => synonyms.createMany(missing))).length;
}
