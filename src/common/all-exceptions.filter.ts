import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ForeignKeyConstraintViolationException, NotFoundError, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Request, Response } from 'express';
import { TenantViolationError } from '../tenancy/tenant-entity';
import { httpErrorBody } from './http-error';
import { requestIdOf } from './request-id';
import { expectedCondition } from '../observability/expected-condition';
import { isDatabaseUnavailable, retryAfterOf } from './unavailable';

/** The contract's JSON error for everything; unknown errors are logged and answered as a bare 500. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const requestId = requestIdOf(request);
    const { status, message } = this.describe(exception, request, requestId);
    if (response.headersSent) {
      return;
    }
    const retryAfter = retryAfterOf(exception, status);
    if (retryAfter !== undefined && !response.getHeader('Retry-After')) {
      response.setHeader('Retry-After', String(retryAfter));
    }
    response.status(status).json(httpErrorBody(status, message, requestId));
  }

  private describe(exception: unknown, request: Request, requestId: string): { status: number; message: string } {
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const raw = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : exception.message;
      return { status: exception.getStatus(), message };
    }
    if (exception instanceof NotFoundError) {
      return { status: HttpStatus.NOT_FOUND, message: 'Not found' };
    }
    if (exception instanceof UniqueConstraintViolationException) {
      return { status: HttpStatus.CONFLICT, message: 'A resource with these values already exists' };
    }
    if (exception instanceof ForeignKeyConstraintViolationException) {
      return { status: HttpStatus.CONFLICT, message: 'The resource is still referenced by, or refers to, another resource' };
    }
    if (exception instanceof TenantViolationError) {
      // A bug or an attack, never a client's mistake to learn details of.
      this.logger.error(`tenant violation on ${request.method} ${request.originalUrl} [${requestId}]: ${exception.message}`);
      return { status: HttpStatus.NOT_FOUND, message: 'Not found' };
    }
    if (isDatabaseUnavailable(exception)) {
      // Expected while the database is down or busy: one line, no stack, nothing internal to the client.
      // Rate-limited too (one line per kind per interval, with a count): an outage must not flood the log.
      expectedCondition(
        'database unavailable',
        `database unavailable on ${request.method} ${(request.route as { path?: string } | undefined)?.path ?? request.path} [${requestId}]: ${codeOf(exception)}`,
      );
      return { status: HttpStatus.SERVICE_UNAVAILABLE, message: 'The service is temporarily unavailable; please retry shortly' };
    }
    this.logger.error(
      `unhandled error on ${request.method} ${request.originalUrl} [${requestId}]`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' };
  }
}

function codeOf(error: unknown): string {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  return typeof code === 'string' ? code : typeof name === 'string' ? name : 'unknown';
}
