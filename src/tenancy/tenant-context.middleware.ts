import type { NextFunction, Request, Response } from 'express';
import { requestIdOf } from '../common/request-id';
import { runInTenant } from './tenant-context';

// Installed before the body parser, so even a 413 or malformed JSON carries both headers.
export function productHeaders(product: string) {
  return (request: Request, response: Response, next: NextFunction): void => {
    response.setHeader('X-Product', product);
    response.setHeader('X-Request-Id', requestIdOf(request));
    next();
  };
}

// Installed after the body parser (whose stream callbacks would lose an AsyncLocalStorage
// context): everything the request does from here on runs inside this process's product.
export function tenantContext(product: string) {
  return (request: Request, _response: Response, next: NextFunction): void => {
    runInTenant({ product, requestId: requestIdOf(request), userId: null }, next);
  };
}
