import type { MigrationObject } from '@mikro-orm/core';
import type { Migration } from '@mikro-orm/migrations';
import { Client } from 'pg';
import { assertRuntimeRole, provisionRuntimeRole, runtimeRoleName } from '../tenancy/runtime-role';
import { MIGRATION_NAMES } from './migrations/names';

// One key for the whole project: both products (and replicas) may boot at once against one database.
const MIGRATION_LOCK_KEY = 7_301_964_211;

export interface Log {
  log(message: string): void;
  warn(message: string): void;
}

// MikroORM's migrator records what it ran here (its default table).
const MIGRATIONS_TABLE = 'mikro_orm_migrations';

/** True when every migration of the list is recorded as run: a query or two, instead of starting the migrator. */
async function schemaIsCurrent(owner: Client, names: string[]): Promise<boolean> {
  const table = await owner.query<{ exists: boolean }>('select to_regclass($1) is not null as exists', [`public.${MIGRATIONS_TABLE}`]);
  if (!table.rows[0]?.exists) {
    return false;
  }
  const { rows } = await owner.query<{ run: number }>(`select count(distinct name)::int as run from ${MIGRATIONS_TABLE} where name = any($1::text[])`, [names]);
  return rows[0]?.run === new Set(names).size;
}

async function runMigrations(ownerUrl: string, log: Log, owner: Client): Promise<void> {
  // Most starts find nothing to do: one look at the migrations table, instead of starting an ORM for the migrator.
  if (await schemaIsCurrent(owner, [...MIGRATION_NAMES])) {
    return;
  }
  // Loaded only when there is something to run: the migrator (umzug and co.) is ~100 ms of loading
  // that a start on a current schema does not need.
  // require, not import(): this module also runs under Jest, which transforms it to CommonJS.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { MikroORM } = require('@mikro-orm/postgresql') as typeof import('@mikro-orm/postgresql');
  const { Migrator } = require('@mikro-orm/migrations') as typeof import('@mikro-orm/migrations');
  const { migrationsList } = require('./migrations') as typeof import('./migrations');
  /* eslint-enable @typescript-eslint/no-require-imports */
  if (migrationsList.map((migration) => migration.name).join() !== MIGRATION_NAMES.join()) {
    throw new Error('src/database/migrations/names.ts does not list the migrations of migrations/index.ts');
  }
  const orm = await MikroORM.init({
    clientUrl: ownerUrl,
    entities: [],
    discovery: { warnWhenNoEntities: false },
    extensions: [Migrator],
    migrations: { migrationsList: migrationsList.map(sentAsOneQuery), transactional: true, allOrNothing: true, snapshot: false },
    pool: { min: 0, max: 1 },
    debug: false,
    // The applied migrations are logged below, once, through our logger.
    logger: () => undefined,
  });
  try {
    const applied = await orm.getMigrator().up();
    if (applied.length > 0) {
      log.log(`applied migrations: ${applied.map((m) => m.name).join(', ')}`);
    }
  } finally {
    await orm.close(true);
  }
}

/**
 * The migration with its statements sent as one multi-statement query (the simple protocol runs them
 * in order, in the migration's transaction) instead of a round trip each: a new database's ~230
 * statements were a fifth of a first start. The migration files stay as they are.
 */
interface HasQueries {
  getQueries(): ReturnType<Migration['getQueries']>;
}

function sentAsOneQuery(migration: MigrationObject): MigrationObject {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a mixin's base must take any[]
  const Base = migration.class as unknown as new (...args: any[]) => HasQueries;
  class OneQuery extends Base {
    override getQueries(): ReturnType<Migration['getQueries']> {
      const queries = super.getQueries();
      // A query builder among them (none today) keeps the one-by-one path.
      return queries.every((query) => typeof query === 'string') ? [queries.join(';\n')] : queries;
    }
  }
  return { name: migration.name, class: OneQuery as unknown as MigrationObject['class'] };
}

/** Migrations only, under the same lock (the operator CLI needs the registry tables, not a runtime role). */
export async function migrateSchema(adminUrl: string, log: Log): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await runMigrations(adminUrl, log, admin);
    } finally {
      await admin.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await admin.end();
  }
}

// The products of ALLOWED_PRODUCTS missing from the registry are added as active; existing rows
// (a suspended product among them) are left as the operator set them.
async function registerProducts(owner: Client, names: string[]): Promise<void> {
  await owner.query(
    `insert into products (name, display_name) select n, n from unnest($1::text[]) as n on conflict (name) do nothing`,
    [names],
  );
}

export interface PrepareOptions {
  /**
   * Where the runtime pool connects (DATABASE_URL; may be PgBouncer). Its host, port, database and
   * options are kept and its credentials become the runtime role's. Default: the owner URL.
   */
  runtimeUrl?: string;
  /** The runtime role's password from configuration (RUNTIME_ROLE_PASSWORD_<PRODUCT>). */
  runtimePassword?: string;
  /** Products to register in the registry when missing (ALLOWED_PRODUCTS); this product always is. */
  allowedProducts?: string[];
  /**
   * statement_timeout / lock_timeout of the runtime role (DATABASE_STATEMENT_TIMEOUT_MS,
   * DATABASE_LOCK_TIMEOUT_MS). Settings of the role, not of a session: they hold behind PgBouncer's
   * transaction pooling, which refuses an `options` startup parameter and loses a session SET.
   */
  sessionLimits?: { statementTimeoutMs: number; lockTimeoutMs: number };
}

/**
 * Brings the schema up to date as the owner (under an advisory lock, so MIGRATION_DATABASE_URL must
 * be a direct or session-pooled connection) and returns the URL of the product's runtime role,
 * which is what the process serves requests with. When the owner URL already names this product's
 * runtime role, it is used as is and migrations are left to the owner.
 */
export async function prepareDatabase(ownerUrl: string, product: string, log: Log, options: PrepareOptions = {}): Promise<string> {
  const admin = new Client({ connectionString: ownerUrl });
  await admin.connect();
  let runtimeUrl: string;
  try {
    const schemaExists = await admin.query<{ exists: boolean }>(`select to_regclass('public.tenant_roles') is not null as exists`);
    const bound = schemaExists.rows[0]?.exists
      ? await admin.query<{ product: string }>('select product from tenant_roles where role_name = current_user::text')
      : { rows: [] };
    const boundProduct = bound.rows[0]?.product ?? null;
    if (boundProduct !== null) {
      if (boundProduct !== product) {
        throw new Error(`DATABASE_URL's role is bound to product "${boundProduct}", but PRODUCT is "${product}"`);
      }
      log.warn('DATABASE_URL names a runtime role: migrations are not run by this process');
      runtimeUrl = options.runtimeUrl ?? ownerUrl;
    } else {
      await admin.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      try {
        await runMigrations(ownerUrl, log, admin);
        await registerProducts(admin, [...new Set([product, ...(options.allowedProducts ?? [])])]);
        runtimeUrl = await provisionFor(admin, ownerUrl, product, options);
      } finally {
        await admin.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      }
    }
  } finally {
    await admin.end();
  }

  const runtime = new Client({ connectionString: runtimeUrl });
  await runtime.connect();
  try {
    await assertRuntimeRole(runtime, product);
  } finally {
    await runtime.end();
  }
  return runtimeUrl;
}

// The password: configured, else the one DATABASE_URL already carries for this role, else derived.
async function provisionFor(admin: Client, ownerUrl: string, product: string, options: PrepareOptions): Promise<string> {
  const base = new URL(options.runtimeUrl ?? ownerUrl);
  const { rows } = await admin.query<{ database: string }>('select current_database() as database');
  const fromUrl = base.username === runtimeRoleName(rows[0].database, product) && base.password ? decodeURIComponent(base.password) : undefined;
  const { role, password } = await provisionRuntimeRole(admin, new URL(ownerUrl), product, options.runtimePassword ?? fromUrl);
  if (options.sessionLimits) {
    const { statementTimeoutMs, lockTimeoutMs } = options.sessionLimits;
    const target = `role ${admin.escapeIdentifier(role)} in database ${admin.escapeIdentifier(rows[0].database)}`;
    // New connections of the role get them; integers validated at boot (resilience.config.ts).
    await admin.query(`alter ${target} set statement_timeout = ${Math.trunc(statementTimeoutMs)}`);
    await admin.query(`alter ${target} set lock_timeout = ${Math.trunc(lockTimeoutMs)}`);
  }
  base.username = encodeURIComponent(role);
  base.password = encodeURIComponent(password);
  return base.toString();
}
