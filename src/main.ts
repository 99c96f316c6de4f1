import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from './config/app-config';
import { prepareFromConfig } from './database/admin-url';
import { GracefulShutdown } from './lifecycle/shutdown';

async function bootstrap(): Promise<void> {
  const logger = new Logger('Bootstrap');
  const config = loadConfig(process.env);
  config.warnings.forEach((warning) => logger.warn(warning));

  // The database first: once PostgreSQL's own process runs (initdb on a fresh data dir), this one
  // loads the app's modules (about a second of CPU) instead of waiting for it.
  let serverProcessRuns!: () => void;
  const serverProcess = new Promise<void>((resolve) => (serverProcessRuns = resolve));
  const preparing = prepareFromConfig(config, config.product, logger, () => serverProcessRuns());
  await Promise.race([serverProcess, preparing]);
  const [{ createApp }, { seedProduct }, { BootTasks }, { Lifecycle }] = await Promise.all([
    import('./app.setup.js'),
    import('./seed/seed-product.js'),
    import('./boot/boot-tasks.js'),
    import('./lifecycle/lifecycle.js'),
  ]);
  const database = await preparing;

  const shutdown = new GracefulShutdown(config.ops.shutdownTimeoutMs, logger);
  if (database.stop) {
    shutdown.atLast(database.stop);
  }
  const app = await createApp(config, database.runtimeUrl);
  if (database.embedded) {
    // A fresh local database: give the new user a living API (idempotent, so cheap on later boots).
    await seedProduct(app, config.product);
  }
  shutdown.attach(app);
  await app.listen(config.port);
  logger.log(`serving product "${config.product}" on port ${(app.getHttpServer().address() as AddressInfo).port}`);
  // Features' catch-up work (e.g. FAQ vectors of another model) runs in the background. Tracked:
  // shutdown waits for it (within SHUTDOWN_TIMEOUT_MS) before closing the pool.
  app.get(Lifecycle).track(app.get(BootTasks).startAll());
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error('Failed to start:', error);
  }
  process.exit(1);
});
