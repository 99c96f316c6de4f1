import { type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type NextFunction, raw, type Request, type Response } from 'express';
import { AppModule } from './app.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { httpErrorBody } from './common/http-error';
import { setUpOpenApi } from './common/openapi';
import { requestIdOf } from './common/request-id';
import { ContractValidationPipe } from './common/validation.pipe';
import { type AppConfig } from './config/app-config';
import { productHeaders, tenantContext } from './tenancy/tenant-context.middleware';

const BODY_LIMIT = '1mb';

// Body-parser failures happen before Nest's router, so they get the contract's JSON here.
function bodyParserErrors(error: { status?: number; type?: string }, request: Request, response: Response, next: NextFunction): void {
  if (typeof error?.status !== 'number' || typeof error.type !== 'string') {
    return next(error);
  }
  const message = error.status === 413 ? `Request body is larger than ${BODY_LIMIT}` : 'Malformed request body';
  response.status(error.status).json(httpErrorBody(error.status, message, requestIdOf(request)));
}

/** Builds the HTTP app the same way for `npm start` and for the e2e tests. */
export async function createApp(
  config: AppConfig,
  runtimeDatabaseUrl: string,
  logger?: LoggerService | false,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register({ config, runtimeDatabaseUrl }), {
    bodyParser: false,
    rawBody: true,
    ...(logger === undefined ? {} : { logger }),
  });
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
  // Webhook signatures are over the exact bytes: that route gets the raw body, never parsed JSON.
  app.use('/api/v1/webhooks', raw({ type: () => true, limit: BODY_LIMIT }));
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
  app.use(bodyParserErrors);
  app.use(tenantContext(config.product));
  app.useGlobalPipes(new ContractValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());

  setUpOpenApi(app, config.product);
  return app;
}
