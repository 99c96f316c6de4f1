import { type ChangeSet, type EntityData, helper } from '@mikro-orm/core';

/**
 * The row as it was loaded from the database. Update change sets carry it; delete change sets do
 * not, so it is read from the entity's own snapshot (absent or PK-only for a bare reference).
 */
export function loadedSnapshot<T extends object>(changeSet: ChangeSet<T>): EntityData<T> | undefined {
  return changeSet.originalEntity ?? helper(changeSet.entity).__originalEntityData;
}
