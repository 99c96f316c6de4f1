import { AuditSubscriber } from '../audit/audit.subscriber';
import { defineConfig, EntityManager, type Options } from '@mikro-orm/postgresql';
import { ReadYourWritesDriver, replicaOptions } from './read-replicas';
import { TENANT_FILTER, tenantFilter } from '../tenancy/tenant-filter';
import { TenantEntityManager } from '../tenancy/tenant-entity-manager';
import { TenantGuardSubscriber } from '../tenancy/tenant-guard.subscriber';

export function ormOptions(runtimeUrl: string, replicaUrls: string[] = []): Options {
  return defineConfig({
    clientUrl: runtimeUrl,
    // Read-only queries outside transactions go to the replicas (when any); see read-replicas.ts.
    driver: ReadYourWritesDriver,
    replicas: replicaOptions(replicaUrls, runtimeUrl),
    preferReadReplicas: true,
    // Cast: MikroORM's option type compares knex and core connection typings that drifted apart.
    entityManager: TenantEntityManager as unknown as typeof EntityManager,
    filters: { [TENANT_FILTER]: tenantFilter },
    // Every ORM subscriber is listed here, in the order they run on a flush: the guard first
    // (stamps and checks product), then the audit trail (writes one row per change it let through).
    subscribers: [new TenantGuardSubscriber(), new AuditSubscriber()],
    // Filters apply to populated relations too. Auto-joining every filtered to-one relation on
    // every query is off: a reference can only point at a row of the same product (composite
    // foreign keys on (product, id)), so the join could never filter anything out.
    filtersOnRelations: true,
    autoJoinRefsForFilters: false,
    forceUtcTimezone: true,
    // The runtime role cannot read the migrations table, and the schema is not the ORM's to check.
    ensureDatabase: false,
    pool: { min: 1, max: 10 },
    debug: false,
  });
}
