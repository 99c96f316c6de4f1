import * as nodeModule from 'node:module';
import type { AddressInfo } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import { ConfigError, loadConfig } from './config/app-config';
import { prepareFromConfig } from './database/admin-url';

// V8's compiled code of the modules below (about a second of loading) is kept on disk between starts
// (os.tmpdir()/node-compile-cache, or NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off).
// A folder that cannot be written only means no cache: this never throws. Called only where it exists
// (Node 22.1+; package.json asks for 24), so an older Node still starts, without the cache.
nodeModule.enableCompileCache?.();

/**
 * Nest's Logger, loaded on first use: @nestjs/common costs ~150 ms of loading, and the embedded
 * database should be starting (initdb on a fresh data dir) while this process loads it.
 */
function bootstrapLogger(): { log(message: string): void; warn(message: string): void; error(message: string): void } {
  let logger: LoggerService | undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nest = (): LoggerService => (logger ??= new (require('@nestjs/common') as typeof import('@nestjs/common')).Logger('Bootstrap'));
  return {
    log: (message: string): void => void nest().log(message),
    warn: (message: string): void => void nest().warn(message),
    error: (message: string): void => void nest().error(message),
  };
}

// The heaviest packages, loaded one by one with a turn of the event loop between them: loading is
// synchronous, and the database preparation (start-up, migrations check, runtime role: about twenty
// round trips) only advances when the loop turns. Loaded all at once, it waited for the last module.
const HEAVY_PACKAGES = [
  '@nestjs/common',
  '@nestjs/core',
  'rxjs',
  '@nestjs/platform-express',
  '@mikro-orm/core',
  '@mikro-orm/knex',
  '@mikro-orm/postgresql',
  '@mikro-orm/nestjs',
  'class-validator',
  'class-transformer',
  '@nestjs/swagger',
  '@nestjs/throttler',
  '@nestjs/passport',
  'passport-jwt',
  'nestjs-pino',
  'prom-client',
];

const BOOT_TASKS_DELAY_MS = 500;

async function loadInSteps(): Promise<void> {
  for (const name of HEAVY_PACKAGES) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(name);
    } catch {
      // Only a head start: the app's own imports report what is really missing.
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function bootstrap(): Promise<void> {
  const logger = bootstrapLogger();
  const config = loadConfig(process.env);

  // The database first: once PostgreSQL's own process runs (initdb on a fresh data dir), this one
  // loads the app's modules (about a second of CPU) instead of waiting for it.
  let serverProcessRuns!: () => void;
  const serverProcess = new Promise<void>((resolve) => (serverProcessRuns = resolve));
  const preparing = prepareFromConfig(config, config.product, logger, () => serverProcessRuns());
  await Promise.race([serverProcess, preparing]);
  await loadInSteps();
  config.warnings.forEach((warning) => logger.warn(warning));
  const [{ createApp }, { demoSeedPresent, seedProduct }, { SeedMarker }, { BootTasks }, { Lifecycle }, { GracefulShutdown }] = await Promise.all([
    import('./app.setup.js'),
    import('./seed/seed-product.js'),
    import('./seed/seed-marker.js'),
    import('./boot/boot-tasks.js'),
    import('./lifecycle/lifecycle.js'),
    // Not at the top: it brings @nestjs/common (through Lifecycle's decorator).
    import('./lifecycle/shutdown.js'),
  ]);
  const database = await preparing;

  const shutdown = new GracefulShutdown(config.ops.shutdownTimeoutMs, logger);
  if (database.stop) {
    shutdown.atLast(database.stop);
  }
  const app = await createApp(config, database.runtimeUrl);
  if (database.embedded) {
    // A fresh local database: give the new user a living API, before the first health answer. Later
    // starts skip it when this cluster has this version of the seed and its data is still there (an
    // operator purge, say, removes it: then the seed, being idempotent, runs again).
    const marker = database.dataDir === undefined ? undefined : new SeedMarker(database.dataDir, config.product);
    if (!marker?.isCurrent() || !(await demoSeedPresent(app, config.product))) {
      await seedProduct(app, config.product);
      marker?.record();
    }
  }
  shutdown.attach(app);
  await app.listen(config.port);
  logger.log(`serving product "${config.product}" on port ${(app.getHttpServer().address() as AddressInfo).port}`);
  // Features' catch-up work (e.g. FAQ vectors of another model) runs in the background. Tracked:
  // shutdown waits for it (within SHUTDOWN_TIMEOUT_MS) before closing the pool.
  // They start a moment later: their first queries (hydrating every FAQ document) would otherwise hold
  // up the first requests, a load balancer's readiness probe among them. Not at all once draining.
  const lifecycle = app.get(Lifecycle);
  const started = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, BOOT_TASKS_DELAY_MS);
    lifecycle.onDrain(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  lifecycle.track(started.then(() => (lifecycle.draining ? undefined : app.get(BootTasks).startAll())));
  // The compile cache is written at exit too; written now, a process that is killed still leaves it.
  setTimeout(() => nodeModule.flushCompileCache?.(), 2_000).unref();
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error('Failed to start:', error);
  }
  process.exit(1);
});
