import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager, type FilterQuery, type QueryOrderMap } from '@mikro-orm/core';
import { type Page, page, type PageQuery } from '../common/pagination.dto';
import { User } from '../users/user.entity';
import { type AdminPropertyQuery, type CreatePropertyBody, type UpdatePropertyBody } from './properties.dto';
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
const NEWEST_FIRST: QueryOrderMap<Property> = { createdAt: 'desc', id: 'desc' };

@Injectable()
export class PropertiesService {
  constructor(private readonly em: EntityManager) {}

  listPublished(query: PageQuery): Promise<Page<Property>> {
    return this.list({ published: true }, query);
  }

  /** A draft is as invisible to the public as a property that does not exist. */
  async getPublished(id: string): Promise<Property> {
    return this.found(await this.em.findOne(Property, { id, published: true }));
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
    return this.found(await this.em.findOne(Property, { id }));
  }

  async create(body: CreatePropertyBody, creator: User): Promise<Property> {
    const property = this.em.create(Property, {
      title: body.title,
      description: body.description ?? '',
      priceMinor: body.priceMinor,
      currency: body.currency,
      bedrooms: body.bedrooms,
      bathrooms: body.bathrooms,
      address: body.address,
      published: body.published ?? false,
      createdBy: creator,
    });
    await this.em.persist(property).flush();
    return property;
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

  private async list(where: FilterQuery<Property>, query: PageQuery): Promise<Page<Property>> {
    const [items, total] = await this.em.findAndCount(Property, where, {
      orderBy: NEWEST_FIRST,
      limit: query.limit,
      offset: query.offset,
    });
    return page(items, total, query);
  }

  private found(property: Property | null): Property {
    if (!property) {
      throw new NotFoundException('Property not found');
    }
    return property;
  }

  // Agents see every property of the product but change only their own; admins change any.
  private assertMayChange(property: Property, actor: User): void {
    if (actor.role !== 'admin' && property.createdBy.id !== actor.id) {
      throw new ForbiddenException('Agents may change or delete only the properties they created');
    }
  }
}

// Validated DTO instances carry every declared field, the omitted ones as undefined.
function definedOnly<T extends object>(body: T): Partial<T> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)) as Partial<T>;
}
