import { type ChangeSet, ChangeSetType, type EventSubscriber, type EntityProperty, type FlushEventArgs, JsonType, type Platform } from '@mikro-orm/core';
import { currentProduct, currentTenantStore } from '../tenancy/tenant-context';
import { isTenantOwned } from '../tenancy/tenant-entity';
import { loadedSnapshot } from '../tenancy/change-set';
import { AuditLog, type AuditAction } from './audit-log.entity';
import { isAudited } from './unaudited.decorator';

const NOT_CHANGES = new Set(['id', 'product', 'createdAt', 'updatedAt']);

/**
 * Writes one audit_log row per create/update/delete of every audited entity, in the same flush
 * (and so the same transaction), with the actor and request id from the tenant context.
 */
export class AuditSubscriber implements EventSubscriber {
  onFlush({ em, uow }: FlushEventArgs): void {
    const platform = em.getPlatform();
    const store = currentTenantStore();
    const entries: AuditLog[] = [];
    for (const changeSet of uow.getChangeSets()) {
      if (!isTenantOwned(changeSet.meta) || !isAudited(changeSet.meta.class)) {
        continue;
      }
      const entry = describe(changeSet, platform);
      if (entry) {
        const log = new AuditLog({
          ...entry,
          entityType: changeSet.meta.className,
          entityId: changeSet.getSerializedPrimaryKey() ?? '',
          actorId: store?.userId ?? null,
          requestId: store?.requestId ?? null,
        });
        // Stamped here: the tenant guard runs before this subscriber (see orm-options.ts), so it
        // never sees these change sets. Outside a context this throws (fail closed).
        log.product = currentProduct();
        entries.push(log);
      }
    }
    for (const entry of entries) {
      uow.computeChangeSet(entry);
    }
  }
}

function describe(
  changeSet: ChangeSet<object>,
  platform: Platform,
): { action: AuditAction; changes: Record<string, unknown> } | undefined {
  // Change sets hold database values (a bigint as a string, an array as '{a,b}'): show JS values.
  const readable = (source: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(source).map(([key, value]) => {
        const type = (changeSet.meta.properties as Record<string, EntityProperty | undefined>)[key]?.customType;
        if (!type || value == null) {
          return [key, value];
        }
        // PostgreSQL parses JSON itself, so JsonType hands the serialised string back untouched.
        const js: unknown =
          type instanceof JsonType && typeof value === 'string' ? JSON.parse(value) : type.convertToJSValue(value, platform);
        return [key, js];
      }),
    );
  const payload = readable(changeSet.payload as Record<string, unknown>);
  const original = readable(loadedSnapshot(changeSet) ?? {});
  const fields = (source: Record<string, unknown>) => Object.keys(source).filter((key) => !NOT_CHANGES.has(key));

  switch (changeSet.type) {
    case ChangeSetType.CREATE:
      return { action: 'create', changes: Object.fromEntries(fields(payload).map((key) => [key, payload[key]])) };
    case ChangeSetType.UPDATE:
    case ChangeSetType.UPDATE_EARLY: {
      const changed = fields(payload);
      if (changed.length === 0) {
        return undefined;
      }
      const changes = Object.fromEntries(changed.map((key) => [key, { from: original[key] ?? null, to: payload[key] ?? null }]));
      // A soft delete is a delete to the reader of the trail.
      const softDelete = 'deletedAt' in payload && payload.deletedAt != null && original.deletedAt == null;
      return { action: softDelete ? 'delete' : 'update', changes };
    }
    case ChangeSetType.DELETE:
    case ChangeSetType.DELETE_EARLY:
      return { action: 'delete', changes: Object.fromEntries(fields(original).map((key) => [key, original[key]])) };
  }
}
