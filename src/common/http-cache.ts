import { createHash } from 'node:crypto';
import {
  type CallHandler,
  type ExecutionContext,
  type INestApplication,
  Injectable,
  type NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type NextFunction, type Request, type Response } from 'express';
import { map, type Observable } from 'rxjs';
import { type HttpCacheConfig } from '../config/http-cache.config';

const PUBLIC_CACHE = 'http-cache:public';
const NO_STORE = 'private, no-store';

/** Marks a controller (or route) whose GET responses are the same for every anonymous reader. */
export const PublicCache = (): ClassDecorator & MethodDecorator => SetMetadata(PUBLIC_CACHE, true);

// Work that must happen only when the full body is sent (not on a 304), e.g. counting a view.
const onFullResponse = new WeakMap<Request, Array<() => void>>();

/** Runs `work` once the response is known to carry its body (200), never on a 304 revalidation. */
export function whenBodySent(request: Request, work: () => void): void {
  const hooks = onFullResponse.get(request);
  if (hooks) {
    hooks.push(work);
  } else {
    onFullResponse.set(request, [work]);
  }
}

/**
 * Public GETs (marked @PublicCache, asked without credentials) get `public, max-age=N` and a weak
 * ETag, and a matching If-None-Match is answered 304 by Express. Every other response, errors
 * included, is `private, no-store`: authenticated answers must never sit in a shared cache.
 */
@Injectable()
export class HttpCacheInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: HttpCacheConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request & { user?: unknown }>();
    const response = http.getResponse<Response>();
    const cacheable =
      this.config.maxAge > 0 &&
      (request.method === 'GET' || request.method === 'HEAD') &&
      request.headers.authorization === undefined &&
      this.reflector.getAllAndOverride<boolean>(PUBLIC_CACHE, [context.getHandler(), context.getClass()]) === true;
    return next.handle().pipe(
      map((body: unknown) => {
        if (!cacheable || request.user !== undefined || response.statusCode !== 200 || body === undefined) {
          // Never revalidated (Express would answer `If-None-Match: *` with a 304 even here).
          delete request.headers['if-none-match'];
          delete request.headers['if-modified-since'];
          runHooks(request);
          return body;
        }
        // Serialised once here: the ETag is the body's hash and the same text is sent.
        const json = JSON.stringify(body);
        response.setHeader('Cache-Control', `public, max-age=${this.config.maxAge}`);
        response.setHeader('ETag', `W/"${createHash('sha1').update(json).digest('base64url')}"`);
        response.type('application/json');
        if (!request.fresh) {
          runHooks(request);
        }
        return json;
      }),
    );
  }
}

function runHooks(request: Request): void {
  const hooks = onFullResponse.get(request);
  onFullResponse.delete(request);
  hooks?.forEach((hook) => hook());
}

/** Wires the caching rules into the app: `private, no-store` by default, the interceptor for public GETs. */
export function useHttpCaching(app: INestApplication, config: HttpCacheConfig): void {
  // Express's own ETags would answer 304 on any route (and before a view is counted): only ours remain.
  (app.getHttpAdapter().getInstance() as { set(name: string, value: unknown): void }).set('etag', false);
  app.use((_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Cache-Control', NO_STORE);
    next();
  });
  app.useGlobalInterceptors(new HttpCacheInterceptor(app.get(Reflector), config));
}
