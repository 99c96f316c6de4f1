/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access --
   the overrides restate MikroORM's overloaded signatures loosely; callers type-check against the base class. */
import {
  type EntityName,
  type FilterOptions,
  type FilterQuery,
  type FindOneOptions,
  type FindOptions,
  type UpsertManyOptions,
  type UpsertOptions,
  Utils,
} from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { currentProduct } from './tenant-context';
import { TENANT_FILTER } from './tenant-filter';
import { isTenantOwned, TenantViolationError } from './tenant-entity';

/**
 * The EntityManager every module gets. It closes the ORM paths the product filter alone leaves open:
 * the filter cannot be switched off, and insert/upsert stamp and check `product` like a flush does.
 * The QueryBuilder and raw SQL stay behind RLS (and lint).
 */
export class TenantEntityManager extends EntityManager {
  override async applyFilters<Entity extends object>(
    entityName: string,
    where: FilterQuery<Entity> | undefined,
    options: FilterOptions | undefined,
    type: 'read' | 'update' | 'delete',
    findOptions?: FindOptions<any, any, any, any> | FindOneOptions<any, any, any, any>,
  ): Promise<FilterQuery<Entity> | undefined> {
    return super.applyFilters(entityName, where, this.keepTenantFilter(entityName, options), type, findOptions);
  }

  // Signatures loosened to `any`: MikroORM's overloads cannot be restated in an override, and
  // every call site still type-checks against the base EntityManager's declarations.
  override async insert(entityNameOrEntity: any, data?: any, options?: any): Promise<any> {
    this.stampRows(entityNameOrEntity, data === undefined ? [entityNameOrEntity] : [data]);
    return super.insert(entityNameOrEntity, data, options);
  }

  // The filter scopes which rows nativeUpdate touches; this keeps it from relabelling them.
  override async nativeUpdate(entityName: any, where: any, data: any, options?: any): Promise<number> {
    if (this.stampRows(entityName, []) !== undefined && data?.product !== undefined) {
      throw new TenantViolationError(`refusing to move ${Utils.className(entityName)} rows to another product`);
    }
    return super.nativeUpdate(entityName, where, data, options);
  }

  override async insertMany(entityNameOrEntities: any, data?: any, options?: any): Promise<any> {
    this.stampRows(entityNameOrEntities, data ?? entityNameOrEntities);
    return super.insertMany(entityNameOrEntities, data, options);
  }

  override async upsert(entityNameOrEntity: any, data?: any, options: UpsertOptions<any, any> = {}): Promise<any> {
    const tenant = this.stampRows(entityNameOrEntity, data === undefined ? [entityNameOrEntity] : [data]);
    const entity = await super.upsert(entityNameOrEntity, data, tenant ? scopeConflict(options, tenant) : options);
    return tenant ? this.ownRowsOnly([entity], tenant)[0] : entity;
  }

  override async upsertMany(entityNameOrEntities: any, data?: any, options: UpsertManyOptions<any, any> = {}): Promise<any> {
    const tenant = this.stampRows(entityNameOrEntities, data ?? entityNameOrEntities);
    const entities = await super.upsertMany(entityNameOrEntities, data, tenant ? scopeConflict(options, tenant) : options);
    return tenant ? this.ownRowsOnly(entities, tenant) : entities;
  }

  // `filters: false` or `{ tenant: false }` switches off every other filter, never this one.
  private keepTenantFilter(entityName: string, options: FilterOptions | undefined): FilterOptions {
    if (options === false) {
      const names = [
        ...Object.keys(this.config.get('filters')),
        ...Object.keys(this.getMetadata().find(entityName)?.filters ?? {}),
      ];
      return { ...Object.fromEntries(names.map((name) => [name, false])), [TENANT_FILTER]: true };
    }
    if (options === undefined || options === true || Array.isArray(options)) {
      return options ?? {};
    }
    return { ...options, [TENANT_FILTER]: true };
  }

  // When the scoped ON CONFLICT skips another product's row, MikroORM reloads the row by its
  // unique key with an unfiltered driver query: that row must not come back as a managed entity.
  private ownRowsOnly<T>(entities: T[], product: string): T[] {
    const foreign = entities.filter((entity) => (entity as { product?: string } | null)?.product !== product);
    if (foreign.length > 0) {
      const uow = this.getContext(false).getUnitOfWork(false);
      foreign.forEach((entity) => entity && uow.unsetIdentity(entity));
      throw new TenantViolationError(`refusing an upsert that matched a row of another product in "${product}"`);
    }
    return entities;
  }

  /** Returns the product when the entity is tenant-owned, after stamping/checking every row. */
  private stampRows(entityNameOrEntity: unknown, rows: unknown[]): string | undefined {
    const first = Array.isArray(entityNameOrEntity) ? entityNameOrEntity[0] : entityNameOrEntity;
    if (first === undefined) {
      return undefined;
    }
    const className =
      typeof first === 'string' || typeof first === 'function'
        ? Utils.className(first as EntityName<object>)
        : (first as object).constructor.name;
    if (!isTenantOwned(this.getMetadata().find(className))) {
      return undefined;
    }
    const product = currentProduct();
    for (const row of rows as Array<{ product?: string }>) {
      if (row.product === undefined) {
        row.product = product;
      } else if (row.product !== product) {
        throw new TenantViolationError(`refusing to write a ${className} row of product "${row.product}" in "${product}"`);
      }
    }
    return product;
  }
}

// On conflict, only update a row of this product and never its product column.
function scopeConflict<T extends UpsertOptions<any, any>>(options: T, product: string): T {
  const onConflictWhere = options.onConflictWhere ? { $and: [options.onConflictWhere, { product }] } : { product };
  return {
    ...options,
    onConflictWhere,
    onConflictExcludeFields: [...(options.onConflictExcludeFields ?? []), 'product'],
  };
}
