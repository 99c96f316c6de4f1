import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { createApp } from './app.setup';
import { ConfigError, loadConfig } from './config/app-config';
import { resolveAdminUrl } from './database/admin-url';
import { prepareDatabase } from './database/migrate';
import { catchUpFaqEmbeddings } from './faq/faq-embeddings.catch-up';
import { Lifecycle } from './lifecycle/lifecycle';
import { GracefulShutdown } from './lifecycle/shutdown';
import { seedProduct } from './seed/seed-product';

async function bootstrap(): Promise<void> {
  const logger = new Logger('Bootstrap');
  const config = loadConfig(process.env);
  config.warnings.forEach((warning) => logger.warn(warning));

  const admin = await resolveAdminUrl(config, logger);
  const shutdown = new GracefulShutdown(config.ops.shutdownTimeoutMs, logger);
  if (admin.stop) {
    shutdown.atLast(admin.stop);
  }
  const runtimeUrl = await prepareDatabase(admin.url, config.product, logger);
  const app = await createApp(config, runtimeUrl);
  if (admin.embedded) {
    // A fresh local database: give the new user a living API (idempotent, so cheap on later boots).
    await seedProduct(app, config.product);
  }
  shutdown.attach(app);
  await app.listen(config.port);
  logger.log(`serving product "${config.product}" on port ${(app.getHttpServer().address() as AddressInfo).port}`);
  // FAQ vectors of another model (the model changed, or the endpoint was down) catch up in the
  // background; until then those documents are found by full-text search alone.
  // Tracked: shutdown waits for it (within SHUTDOWN_TIMEOUT_MS) before closing the pool.
  app.get(Lifecycle).track(
    catchUpFaqEmbeddings(app, config.product)
      .then((count) => count > 0 && logger.log(`re-embedded ${count} FAQ document(s)`))
      .catch((error: unknown) => logger.warn(`could not bring FAQ embeddings up to date: ${String(error)}`)),
  );
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error('Failed to start:', error);
  }
  process.exit(1);
});
