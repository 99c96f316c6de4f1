import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { createApp } from './app.setup';
import { ConfigError, loadConfig } from './config/app-config';
import { prepareDatabase } from './database/migrate';

async function bootstrap(): Promise<void> {
  const logger = new Logger('Bootstrap');
  const config = loadConfig(process.env);
  config.warnings.forEach((warning) => logger.warn(warning));

  let adminUrl = config.databaseUrl;
  if (adminUrl === undefined) {
    // ESM-only package: loaded with a real dynamic import, and only when it is needed.
    const { startEmbeddedPostgres } = await import('./database/embedded-postgres.mjs');
    const embedded = await startEmbeddedPostgres({
      dataDir: join(__dirname, '..', '.data', 'postgres'),
      persistent: true,
      log: { log: (m: string) => logger.log(m), warn: (m: string) => logger.warn(m) },
    });
    logger.log(`DATABASE_URL is not set: ${embedded.reused ? 'sharing the' : 'started an'} embedded PostgreSQL on 127.0.0.1:${embedded.port}`);
    adminUrl = embedded.url;
  }

  const runtimeUrl = await prepareDatabase(adminUrl, config.product, logger);
  const app = await createApp(config, runtimeUrl);
  app.enableShutdownHooks();
  await app.listen(config.port);
  logger.log(`serving product "${config.product}" on port ${config.port}`);
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error('Failed to start:', error);
  }
  process.exit(1);
});
