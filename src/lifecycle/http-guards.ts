import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { httpErrorBody } from '../common/http-error';
import { requestIdOf } from '../common/request-id';
import type { OpsConfig } from '../config/ops.config';
import { expectedCondition } from '../observability/expected-condition';
import type { Lifecycle } from './lifecycle';

// Probes must answer under overload: a liveness failure would restart a busy, healthy process.
const UNCAPPED = new Set(['/api/health/live', '/api/health', '/api/metrics']);

function unavailable(request: Request, response: Response, message: string, retryAfterSeconds: number): void {
  response.setHeader('Retry-After', String(retryAfterSeconds));
  response.status(503).json(httpErrorBody(503, message, requestIdOf(request)));
}

// After a timeout answered 503, the handler may still finish: its late answer is dropped.
function muzzle(response: Response): void {
  const ignore = (): Response => response;
  response.json = ignore;
  response.send = ignore;
}

/**
 * Connection: close while draining, the in-flight cap (503 + Retry-After instead of an unbounded
 * queue) and the request timeout (503). Installed right after the product headers.
 */
export function httpGuards(ops: OpsConfig, lifecycle: Lifecycle) {
  const open = new Set<Response>();
  // Requests already running when draining starts close their connection after answering, too.
  lifecycle.onDrain(() => open.forEach((response) => !response.headersSent && response.setHeader('Connection', 'close')));
  return (request: Request, response: Response, next: NextFunction): void => {
    if (lifecycle.draining) {
      // Keep-alive clients learn to reconnect (elsewhere) instead of reusing this socket.
      response.setHeader('Connection', 'close');
    }
    if (lifecycle.inFlight >= ops.maxInFlight && !UNCAPPED.has(request.path)) {
      expectedCondition('in-flight cap', `more than ${ops.maxInFlight} requests in flight: answered 503`);
      return unavailable(request, response, 'The server is busy; retry shortly', 1);
    }
    lifecycle.requestStarted();
    open.add(response);
    let ended = false;
    const timer = setTimeout(() => {
      if (!response.headersSent) {
        expectedCondition('request timeout', `${request.method} request ran over ${ops.requestTimeoutMs} ms: answered 503`);
        unavailable(request, response, 'The request took too long', 1);
        muzzle(response);
      }
    }, ops.requestTimeoutMs);
    const end = (): void => {
      if (!ended) {
        ended = true;
        clearTimeout(timer);
        open.delete(response);
        lifecycle.requestEnded();
      }
    };
    response.once('finish', end);
    response.once('close', end);
    next();
  };
}

/**
 * helmet's headers, set by one middleware. helmet decides them (its defaults plus the options
 * below); none depends on the request here, so they are taken once from helmet at start-up instead
 * of running its thirteen middlewares on every request.
 */
export function securityHeaders() {
  const headers: Array<[string, string]> = [];
  const recorder = {
    setHeader: (name: string, value: string) => headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  let finished = false;
  helmetMiddleware()({} as Request, recorder as unknown as Response, () => (finished = true));
  if (!finished) {
    throw new Error('helmet did not answer synchronously; its headers cannot be precomputed');
  }
  return (_request: Request, response: Response, next: NextFunction): void => {
    for (const [name, value] of headers) {
      response.setHeader(name, value);
    }
    next();
  };
}

/**
 * helmet's defaults, with a CSP that still lets Swagger UI (/api/docs) load: its scripts are files of
 * this origin, but its page carries an inline <style>, and it draws icons from data: URLs.
 */
function helmetMiddleware() {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        // Plain-HTTP deployments (local, behind a TLS proxy) would lose the docs' assets otherwise.
        upgradeInsecureRequests: null,
      },
    },
    // An API answering cross-origin callers (CORS_ORIGINS) must not also forbid cross-origin reads.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
}
