import { type EntityManager, type EntityName, type Options, Utils } from '@mikro-orm/core';

type FilterDef = NonNullable<Options['filters']>[string];
import { currentProduct } from './tenant-context';
import { isTenantOwned } from './tenant-entity';

export const TENANT_FILTER = 'tenant';

// Global and on by default: every query of a tenant-owned entity gets `product = <current>`,
// relations and populate included (filtersOnRelations). Outside a context it throws.
export const tenantFilter: FilterDef = {
  name: TENANT_FILTER,
  default: true,
  args: false,
  cond: (_args: unknown, _type: unknown, em: EntityManager, _options: unknown, entityName?: EntityName<object>) => {
    const meta = entityName ? em.getMetadata().find(Utils.className(entityName)) : undefined;
    return isTenantOwned(meta) ? { product: currentProduct() } : {};
  },
};
