import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { LoggerModule } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { Lifecycle } from '../lifecycle/lifecycle';
import { createRootLogger } from './logging';
import { MetricsController } from './metrics.controller';
import { poolStatsOf } from '../database/pool-stats';
import { Metrics, registerMetrics } from './metrics';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** Registers this app's metrics for outside-service clients, and serves METRICS_PORT when set. */
@Injectable()
export class MetricsExposure implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: Server;
  private unregister?: () => void;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly metrics: Metrics,
    private readonly orm: MikroORM,
  ) {}

  /** The METRICS_PORT server's port once listening (METRICS_PORT=0 picks a free one). */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.metrics.watchPool(() => poolStatsOf(this.orm));
    this.unregister = registerMetrics(this.metrics);
    const port = this.config.ops.metricsPort;
    if (port === undefined) {
      return;
    }
    const server = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0];
      if (request.method !== 'GET' || (path !== '/metrics' && path !== '/api/metrics')) {
        response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
        return;
      }
      this.metrics.registry.metrics().then(
        (text) => response.writeHead(200, { 'Content-Type': this.metrics.registry.contentType }).end(text),
        () => response.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, () => resolve());
    });
    this.server = server;
    this.logger.log(`metrics on port ${this.port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.unregister?.();
    const server = this.server;
    if (server) {
      this.server = undefined;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }
}

/** Logging, metrics and the serving state, for every module of one app. */
@Global()
@Module({})
export class ObservabilityModule {
  static register(config: AppConfig, quietLogs: boolean): DynamicModule {
    const rootLogger = createRootLogger(config, quietLogs);
    return {
      module: ObservabilityModule,
      imports: [
        // useExisting: the access middleware hands each request this app's logger (req.log); the
        // tests run two apps in one process, so no process-wide pino-http instance is built.
        LoggerModule.forRoot({ pinoHttp: { logger: rootLogger }, useExisting: true }),
      ],
      controllers: config.ops.metricsPort === undefined ? [MetricsController] : [],
      providers: [
        { provide: ROOT_LOGGER, useValue: rootLogger },
        { provide: Metrics, useFactory: () => new Metrics(config.product) },
        Lifecycle,
        MetricsExposure,
      ],
      exports: [ROOT_LOGGER, Metrics, Lifecycle, MetricsExposure, LoggerModule],
    };
  }
}

export const InjectRootLogger = (): ParameterDecorator => Inject(ROOT_LOGGER);
export type { PinoLogger };
