import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { inCreationOrder } from '../common/creation-order';
import { orNotFound } from '../common/not-found';
import { paginate } from '../common/pagination';
import { type Page, type PageQuery } from '../common/pagination.dto';
import { lightStem } from './text';
import { FaqSynonymGroup } from './faq-synonym.entity';
import type { CreateSynonymGroupBody, UpdateSynonymGroupBody } from './faq-synonyms.dto';

@Injectable()
export class FaqSynonymsService {
  constructor(private readonly em: EntityManager) {}

  async list(query: PageQuery): Promise<Page<FaqSynonymGroup>> {
    return paginate(this.em, FaqSynonymGroup, {}, query, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  async get(id: string): Promise<FaqSynonymGroup> {
    return orNotFound(await this.em.findOne(FaqSynonymGroup, { id }), 'Synonym group not found');
  }

  async create(body: CreateSynonymGroupBody): Promise<FaqSynonymGroup> {
    const group = this.em.create(FaqSynonymGroup, { terms: body.terms });
    await this.em.persist(group).flush();
    return group;
  }

  /** Several groups in one flush (the seed's bulk path), in the order given. */
  async createMany(bodies: CreateSynonymGroupBody[]): Promise<FaqSynonymGroup[]> {
    const groups = inCreationOrder(bodies.map((body) => this.em.create(FaqSynonymGroup, { terms: body.terms })));
    await this.em.persist(groups).flush();
    return groups;
  }

  async update(id: string, body: UpdateSynonymGroupBody): Promise<FaqSynonymGroup> {
    const group = await this.get(id);
    if (body.terms !== undefined) {
      group.terms = body.terms;
    }
    await this.em.flush();
    return group;
  }

  async remove(id: string): Promise<void> {
    await this.em.remove(await this.get(id)).flush();
  }

  /** Every group of the product (a small table: a few dozen rows), for query expansion. */
  async groups(): Promise<string[][]> {
    const groups = await this.em.find(FaqSynonymGroup, {}, { fields: ['terms'], orderBy: { createdAt: 'asc', id: 'asc' } });
    return groups.map((group) => group.terms);
  }
}

/** Synonym groups with their words' stems worked out once (a search expands against them). */
export interface SynonymGroups {
  groups: Array<{ words: string[]; stems: Set<string> }>;
}

export function synonymGroups(groups: string[][]): SynonymGroups {
  return { groups: groups.map((words) => ({ words, stems: new Set(words.map(lightStem)) })) };
}

/**
 * For each query term, the term and its synonyms: a term belongs to a group when it is one of the
 * group's words or shares its stem ("kids" finds the group of "kid"). Terms of no group stay alone.
 */
export function expandTerms(terms: string[], groups: string[][] | SynonymGroups): string[][] {
  const indexed = Array.isArray(groups) ? synonymGroups(groups) : groups;
  return terms.map((term) => {
    const stem = lightStem(term);
    const alternatives = new Set([term]);
    for (const group of indexed.groups) {
      if (group.stems.has(stem) || group.words.includes(term)) {
        group.words.forEach((word) => alternatives.add(word));
      }
    }
    return [...alternatives];
  });
}
