/**
 * Entities made in one go (one flush) get distinct `createdAt` values, 1 ms apart in array order and
 * ending now: lists ordered by `(createdAt, id)` then show them in the order one-by-one creation would.
 */
export function inCreationOrder<T extends { createdAt: Date }>(entities: T[]): T[] {
  const last = Date.now();
  entities.forEach((entity, index) => (entity.createdAt = new Date(last - (entities.length - 1 - index))));
  return entities;
}
