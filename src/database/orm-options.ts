import { AuditSubscriber } from '../audit/audit.subscriber';
import { Logger } from '@nestjs/common';
import { type ResilienceConfig } from '../config/resilience.config';
import { defineConfig, EntityManager, type Options } from '@mikro-orm/postgresql';
import { ReadYourWritesDriver, replicaOptions } from './read-replicas';
import { TENANT_FILTER, tenantFilter } from '../tenancy/tenant-filter';
import { TenantEntityManager } from '../tenancy/tenant-entity-manager';
import { TenantGuardSubscriber } from '../tenancy/tenant-guard.subscriber';

const knexLogger = new Logger('Database');

type DatabaseLimits = ResilienceConfig['database'];

const DEFAULT_LIMITS: DatabaseLimits = { poolMax: 10, acquireTimeoutMs: 2_000, connectTimeoutMs: 2_000, statementTimeoutMs: 10_000, lockTimeoutMs: 5_000 };

export function ormOptions(runtimeUrl: string, limits: DatabaseLimits = DEFAULT_LIMITS, replicaUrls: string[] = []): Options {
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
    // Fail fast: a connection that cannot be made or borrowed in time, a statement that runs too long
    // or waits too long for a lock, is an error the global filter answers with 503 + Retry-After.
    pool: { min: 1, max: limits.poolMax, acquireTimeoutMillis: limits.acquireTimeoutMs, createTimeoutMillis: limits.connectTimeoutMs },
    driverOptions: {
      // knex reports lost connections on console.log; one line through Nest's logger instead.
      log: { warn: (message: string) => knexLogger.warn(message), error: (message: string) => knexLogger.error(message), debug: () => undefined, deprecate: () => undefined },
      acquireConnectionTimeout: limits.acquireTimeoutMs,
      connection: {
        connectionTimeoutMillis: limits.connectTimeoutMs,
        keepAlive: true,
        // statement_timeout and lock_timeout are settings of the runtime role itself (set when it is
        // provisioned, see migrate.ts): a session SET or an `options` startup parameter would not
        // survive PgBouncer's transaction pooling, which refuses `options` outright.
      },
    },
    debug: false,
  });
}
