import { ChangeSetType, type EventSubscriber, type FlushEventArgs } from '@mikro-orm/core';
import { loadedSnapshot } from './change-set';
import { currentProduct } from './tenant-context';
import { isTenantOwned, type TenantEntity, TenantViolationError } from './tenant-entity';

/**
 * Runs before anything reaches the database: stamps `product` on new rows and rejects
 * creating, changing or deleting a row of another product, or any change of `product`.
 * RLS would also stop those writes, but a blocked UPDATE/DELETE reports success with 0 rows,
 * so the guard has to fail loudly first.
 */
export class TenantGuardSubscriber implements EventSubscriber {
  onFlush({ uow }: FlushEventArgs): void {
    let product: string | undefined;
    for (const changeSet of uow.getChangeSets()) {
      if (!isTenantOwned(changeSet.meta)) {
        continue;
      }
      product ??= currentProduct();
      const entity = changeSet.entity as TenantEntity;
      const where = `${changeSet.meta.className}#${changeSet.getSerializedPrimaryKey() ?? 'new'}`;

      if (changeSet.type === ChangeSetType.CREATE) {
        if (entity.product === undefined) {
          entity.product = product;
          uow.recomputeSingleChangeSet(entity);
        } else if (entity.product !== product) {
          throw new TenantViolationError(`refusing to create ${where} for product "${entity.product}" in "${product}"`);
        }
        continue;
      }

      // A row we may change must have been loaded through the filter: its original product is known
      // and ours. A bare reference (getReference) has no loaded product and is refused.
      const original = loadedSnapshot(changeSet) as Partial<TenantEntity> | undefined;
      if (original?.product !== product) {
        throw new TenantViolationError(
          `refusing to ${changeSet.type} ${where}: it was not loaded for product "${product}"`,
        );
      }
      if (changeSet.type === ChangeSetType.UPDATE && 'product' in changeSet.payload) {
        throw new TenantViolationError(`refusing to move ${where} to another product`);
      }
    }
  }
}
