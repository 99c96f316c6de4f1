import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager, type FilterQuery } from '@mikro-orm/core';
import { findRows } from '../common/lean-read';
import { paginate, type SortOrder } from '../common/pagination';
import { type Page, type PageQuery } from '../common/pagination.dto';
import { User } from '../users/user.entity';
import { type AdminPropertyQuery, type CreatePropertyBody, type PropertyRow, type UpdatePropertyBody } from './properties.dto';
import { Property } from './property.entity';

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
    return this.found(row ?? null);
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

  private list(where: FilterQuery<Property>, query: PageQuery): Promise<Page<Property>> {
    return paginate(this.em, Property, where, query, { orderBy: NEWEST_FIRST });
  }

  private found<T>(property: T | null): T {
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
