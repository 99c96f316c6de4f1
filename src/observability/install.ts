import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { httpGuards, securityHeaders } from '../lifecycle/http-guards';
import { Lifecycle } from '../lifecycle/lifecycle';
import { accessLog } from './logging';
import { Metrics } from './metrics';
import { ROOT_LOGGER, type PinoLogger } from './observability.module';

/**
 * The operational front of the HTTP pipeline, in order: security headers, the access line and
 * metrics (so even a 413 or a 503 below is seen), then draining, the in-flight cap and the timeout.
 */
export function installOperations(app: NestExpressApplication, config: AppConfig, nestLogsToPino: boolean): void {
  // Decides req.ip (the anonymous rate-limit key) from X-Forwarded-For only behind a trusted proxy.
  app.set('trust proxy', config.ops.trustProxy);
  app.use(securityHeaders());
  app.use(accessLog(app.get<PinoLogger>(ROOT_LOGGER), app.get(Metrics)));
  app.use(httpGuards(config.ops, app.get(Lifecycle)));
  if (nestLogsToPino) {
    app.useLogger(app.get(Logger));
    // Boot logs were buffered until now (bufferLogs); without this the buffer stays attached.
    app.flushLogs();
  }
}
