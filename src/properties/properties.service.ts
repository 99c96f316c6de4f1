import { ForbiddenException, Injectable } from '@nestjs/common';
import { EntityManager, type FilterQuery } from '@mikro-orm/core';
import { inCreationOrder } from '../common/creation-order';
import { orNotFound } from '../common/not-found';
import { findRows } from '../common/lean-read';
import { paginate, type SortOrder } from '../common/pagination';
import { type Page, type PageQuery } from '../common/pagination.dto';
import { definedOnly } from '../common/validation';
import { User } from '../users/user.entity';
import { type AdminPropertyQuery, type CreatePropertyBody, type PropertyRow, type UpdatePropertyBody } from './properties.dto';
import { Property } from './property.entity';

export interface PropertySearch {
  text?: string;
  minBedrooms?: number;
  maxPriceMinor?: number;
  currency?: string;
}

// Words of a description that say nothing about which place is meant.
const FILLER = new Set('the and with for near any some from that this have has who are all one per'.split(' '));

// Served by the (product, published, created_at desc) index; id makes the order total.
const NEWEST_FIRST: { createdAt: SortOrder; id: SortOrder } = { createdAt: 'desc', id: 'desc' };

@Injectable()
export class PropertiesService {
  constructor(private readonly em: EntityManager) {}

  // The public reads are the hot path: plain rows, no entity hydration or identity map.
  listPublished(query: PageQuery): Promise<Page<PropertyRow>> {
    return paginate<Property, PropertyRow>(this.em, Property, { published: true }, query, { orderBy: NEWEST_FIRST, rows: true });
  }

  /** A draft is as invisible to the public as a property that does not exist. */
  async getPublished(id: string): Promise<PropertyRow> {
    const [row] = await findRows<PropertyRow>(this.em, Property, { id, published: true }, { limit: 1 });
    return orNotFound(row ?? null, 'Property not found');
  }

  /** Published properties matching every given criterion (the assistant's `search_properties` tool). */
  searchPublished(filter: PropertySearch, limit: number): Promise<Property[]> {
    const where: FilterQuery<Property>[] = [{ published: true }];
    const words = (filter.text ?? '')
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((word) => word.length >= 3 && !FILLER.has(word))
      .slice(0, 8);
    if (words.length > 0) {
      // Any of the words, in any of the fields a reader would describe a place by.
      where.push({
        $or: words.flatMap((word) => {
          // Letters and digits only (split above), so nothing to escape for LIKE.
          const like = `%${word}%`;
          return [{ title: { $ilike: like } }, { description: { $ilike: like } }, { address: { $ilike: like } }];
        }),
      });
    }
    if (filter.minBedrooms !== undefined) {
      where.push({ bedrooms: { $gte: filter.minBedrooms } });
    }
    if (filter.maxPriceMinor !== undefined) {
      where.push({ priceMinor: { $lte: filter.maxPriceMinor } });
    }
    if (filter.currency !== undefined) {
      where.push({ currency: filter.currency.toUpperCase() });
    }
    return this.em.find(Property, { $and: where }, { orderBy: NEWEST_FIRST, limit });
  }

  listAll(query: AdminPropertyQuery): Promise<Page<Property>> {
    return this.list(query.published === undefined ? {} : { published: query.published }, query);
  }

  async get(id: string): Promise<Property> {
    return orNotFound(await this.em.findOne(Property, { id }), 'Property not found');
  }

  async create(body: CreatePropertyBody, creator: User): Promise<Property> {
    const property = new Property({ ...body, createdBy: creator });
    await this.em.persist(property).flush();
    return property;
  }

  /** Several listings in one flush (the seed's bulk path), in the order given. */
  async createMany(bodies: CreatePropertyBody[], creator: User): Promise<Property[]> {
    const properties = inCreationOrder(bodies.map((body) => new Property({ ...body, createdBy: creator })));
    await this.em.persist(properties).flush();
    return properties;
  }

  async update(id: string, body: UpdatePropertyBody, actor: User): Promise<Property> {
    const property = await this.get(id);
    this.assertMayChange(property, actor);
    this.em.assign(property, definedOnly(body));
    await this.em.flush();
    return property;
  }

  async remove(id: string, actor: User): Promise<void> {
    const property = await this.get(id);
    this.assertMayChange(property, actor);
    await this.em.remove(property).flush();
  }

  /** Which of these titles already exist (lets the seed stay idempotent). */
  async existingTitles(titles: string[]): Promise<Set<string>> {
    const found = await this.em.find(Property, { title: { $in: titles } }, { fields: ['title'] });
    return new Set(found.map((property) => property.title));
  }

  private list(where: FilterQuery<Property>, query: PageQuery): Promise<Page<Property>> {
    return paginate(this.em, Property, where, query, { orderBy: NEWEST_FIRST });
  }

  // Agents see every property of the product but change only their own; admins change any.
  private assertMayChange(property: Property, actor: User): void {
    if (actor.role !== 'admin' && property.createdBy.id !== actor.id) {
      throw new ForbiddenException('Agents may change or delete only the properties they created');
    }
  }
}
