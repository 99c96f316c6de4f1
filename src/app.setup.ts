import { type LoggerService, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { type NextFunction, raw, type Request, type Response } from 'express';
import { AppModule } from './app.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { httpErrorBody } from './common/http-error';
import { requestIdOf } from './common/request-id';
import { type AppConfig } from './config/app-config';
import { installOperations } from './observability/install';
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
  const quietLogs = logger === false && config.ops.log.destination === undefined;
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register({ config, runtimeDatabaseUrl, quietLogs }), {
    bodyParser: false,
    rawBody: true,
    bufferLogs: !quietLogs,
    ...(logger === undefined ? {} : { logger }),
  });
  app.setGlobalPrefix('api');
  app.set('x-powered-by', false);
  app.use(productHeaders(config.product));
  installOperations(app, config, !quietLogs);
  // Webhook signatures are over the exact bytes: that route gets the raw body, never parsed JSON.
  app.use('/api/v1/webhooks', raw({ type: () => true, limit: BODY_LIMIT }));
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
  app.use(bodyParserErrors);
  app.use(tenantContext(config.product));
  app.enableCors({ origin: config.corsOrigins.length > 0 ? config.corsOrigins : false });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new AllExceptionsFilter());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`${config.product} API`)
      .setDescription(
        `The ${config.product} product's API. Every response carries X-Product (the product this process serves) and X-Request-Id.`,
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `Clerk session token of the ${config.product} instance` })
      .addGlobalParameters({
        name: 'X-Request-Id',
        in: 'header',
        required: false,
        description: 'Optional correlation id, echoed back; a new one is made when absent or not sane',
        schema: { type: 'string' },
      })
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
