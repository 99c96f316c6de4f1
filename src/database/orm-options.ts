import { Logger } from '@nestjs/common';
import { type ResilienceConfig } from '../config/resilience.config';
import { defineConfig, EntityManager, type Options } from '@mikro-orm/postgresql';
import { TENANT_FILTER, tenantFilter } from '../tenancy/tenant-filter';
import { TenantEntityManager } from '../tenancy/tenant-entity-manager';
import { TenantGuardSubscriber } from '../tenancy/tenant-guard.subscriber';

const knexLogger = new Logger('Database');

type DatabaseLimits = ResilienceConfig['database'];

const DEFAULT_LIMITS: DatabaseLimits = { poolMax: 10, acquireTimeoutMs: 2_000, connectTimeoutMs: 2_000, statementTimeoutMs: 10_000, lockTimeoutMs: 5_000 };

export function ormOptions(runtimeUrl: string, limits: DatabaseLimits = DEFAULT_LIMITS): Options {
  return defineConfig({
    clientUrl: runtimeUrl,
    // Cast: MikroORM's option type compares knex and core connection typings that drifted apart.
    entityManager: TenantEntityManager as unknown as typeof EntityManager,
    filters: { [TENANT_FILTER]: tenantFilter },
    subscribers: [new TenantGuardSubscriber()],
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
        // Startup parameters, so they hold on every pooled connection (a session SET would not
        // survive PgBouncer's transaction pooling).
        options: `-c statement_timeout=${limits.statementTimeoutMs} -c lock_timeout=${limits.lockTimeoutMs}`,
      },
    },
    debug: false,
  });
}
