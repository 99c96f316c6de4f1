import type { NextFunction, Request, Response } from 'express';
import { httpErrorBody } from '../common/http-error';
import { requestIdOf } from '../common/request-id';
import type { ProductRegistry } from './product-registry.service';

const RETRY_AFTER_SECONDS = 60;

// While the product is suspended every route answers 503 (webhooks too: Svix retries them later),
// except /api/health, which reports the suspension. Installed before the body parsers.
export function suspensionGate(registry: ProductRegistry) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const path = request.path;
    if (!registry.suspended || path === '/api/health' || path.startsWith('/api/health/')) {
      return next();
    }
    const reason = registry.suspendedReason;
    response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    response
      .status(503)
      .json({ ...httpErrorBody(503, `This product is suspended${reason ? `: ${reason}` : ''}`, requestIdOf(request)), reason });
  };
}
