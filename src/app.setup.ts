import { type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type NextFunction, raw, type Request, type Response } from 'express';
import { AppModule } from './app.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { answerClientErrorsAsJson } from './common/client-errors';
import { httpErrorBody } from './common/http-error';
import { useHttpCaching } from './common/http-cache';
import { rejectUnstorableInput } from './common/input-guard';
import { setUpOpenApi } from './common/openapi';
import { requestIdOf } from './common/request-id';
import { ContractValidationPipe } from './common/validation.pipe';
import { type AppConfig } from './config/app-config';
import { ProductRegistry } from './products/product-registry.service';
import { suspensionGate } from './products/suspension.middleware';
import { installOperations } from './observability/install';
import { productHeaders, tenantContext } from './tenancy/tenant-context.middleware';

const BODY_LIMIT = '1mb';

// Body-parser failures happen before Nest's router, so they get the contract's JSON here.
// A zlib error (Content-Encoding that does not match the bytes) carries a 4xx status but no `type`.
function bodyParserErrors(error: { status?: number; type?: string }, request: Request, response: Response, next: NextFunction): void {
  if (typeof error?.status !== 'number' || error.status < 400 || error.status >= 500) {
    return next(error);
  }
  const message =
    error.status === 413
      ? `Request body is larger than ${BODY_LIMIT}`
      : error.status === 415
        ? 'Unsupported Content-Encoding or charset (accepted: identity, gzip, deflate, br, zstd)'
        : error.type === undefined
          ? 'Request body could not be decoded as its Content-Encoding says'
          : 'Malformed request body';
  response.status(error.status).json(httpErrorBody(error.status, message, requestIdOf(request)));
}

/** Builds the HTTP app the same way for `npm start` and for the e2e tests. */
export async function createApp(
  config: AppConfig,
  runtimeDatabaseUrl: string,
  logger?: LoggerService | false,
): Promise<NestExpressApplication> {
  const quietLogs = logger === false && config.ops.log.destination === undefined;
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register({ config, runtimeDatabaseUrl, quietLogs }), {
    bodyParser: false,
    rawBody: true,
    bufferLogs: !quietLogs,
    ...(logger === undefined ? {} : { logger }),
  });
  answerClientErrorsAsJson(app.getHttpServer(), config.product);
  app.setGlobalPrefix('api');
  app.set('x-powered-by', false);
  app.use(productHeaders(config.product));
  // Before the body parsers, so a malformed-JSON 400 or a 413 still carries the CORS headers and
  // the browser shows the error instead of a CORS failure.
  app.enableCors({
    origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
    exposedHeaders: ['X-Request-Id', 'X-Product', 'ETag', 'Retry-After'],
    maxAge: 600,
  });
  installOperations(app, config, !quietLogs);
  app.use(suspensionGate(app.get(ProductRegistry)));
  // Webhook signatures are over the exact bytes: that route gets the raw body, never parsed JSON.
  app.use('/api/v1/webhooks', raw({ type: () => true, limit: BODY_LIMIT }));
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
  app.use(bodyParserErrors);
  app.use(rejectUnstorableInput);
  app.use(tenantContext(config.product));
  app.useGlobalPipes(new ContractValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  useHttpCaching(app);

  setUpOpenApi(app, config.product);
  return app;
}
