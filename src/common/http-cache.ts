import { createHash } from 'node:crypto';
import { type CallHandler, type ExecutionContext, type INestApplication, Injectable, type NestInterceptor, UseInterceptors } from '@nestjs/common';
import { type NextFunction, type Request, type Response } from 'express';
import { map, type Observable } from 'rxjs';
import { type AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';

const NO_STORE = 'private, no-store';
// The request's conditional headers, set aside by the default middleware: only a public response
// (which carries our ETag) may be revalidated. Express would answer `If-None-Match: *` with a 304
// on any route, even one that sets no ETag.
const conditional = new WeakMap<Request, { ifNoneMatch?: string; ifModifiedSince?: string }>();

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
 * Public GETs (controllers marked @PublicCache, asked without credentials) get `public, max-age=N`
 * and a weak ETag, and a matching If-None-Match is answered 304 by Express. Every other response,
 * errors included, keeps the default `private, no-store`: authenticated answers must never sit in a
 * shared cache. Only the public controllers run this interceptor: other routes skip the rxjs pipeline.
 */
@Injectable()
export class HttpCacheInterceptor implements NestInterceptor {
  private readonly maxAge: number;

  constructor(@InjectConfig() config: AppConfig) {
    this.maxAge = config.httpCache.maxAge;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request & { user?: unknown }>();
    const response = http.getResponse<Response>();
    const cacheable = this.maxAge > 0 && (request.method === 'GET' || request.method === 'HEAD') && request.headers.authorization === undefined;
    return next.handle().pipe(
      map((body: unknown) => {
        if (!cacheable || request.user !== undefined || response.statusCode !== 200 || body === undefined) {
          runHooks(request);
          return body;
        }
        // Serialised once here: the ETag is the body's hash and the same text is sent.
        const json = JSON.stringify(body);
        response.setHeader('Cache-Control', `public, max-age=${this.maxAge}`);
        response.setHeader('ETag', `W/"${createHash('sha1').update(json).digest('base64url')}"`);
        response.type('application/json');
        const { ifNoneMatch, ifModifiedSince } = conditional.get(request) ?? {};
        if (ifNoneMatch !== undefined) {
          request.headers['if-none-match'] = ifNoneMatch;
        }
        if (ifModifiedSince !== undefined) {
          request.headers['if-modified-since'] = ifModifiedSince;
        }
        if (!request.fresh) {
          runHooks(request);
        }
        return json;
      }),
    );
  }
}

/** Marks a controller whose GET responses are the same for every anonymous reader. */
export const PublicCache = (): ClassDecorator => UseInterceptors(HttpCacheInterceptor);

function runHooks(request: Request): void {
  const hooks = onFullResponse.get(request);
  onFullResponse.delete(request);
  hooks?.forEach((hook) => hook());
}

/** Wires the caching rules into the app: `private, no-store` and no revalidation unless a public controller says otherwise. */
export function useHttpCaching(app: INestApplication): void {
  // Express's own ETags would answer 304 on any route (and before a view is counted): only ours remain.
  (app.getHttpAdapter().getInstance() as { set(name: string, value: unknown): void }).set('etag', false);
  app.use((request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Cache-Control', NO_STORE);
    const ifNoneMatch = request.headers['if-none-match'];
    const ifModifiedSince = request.headers['if-modified-since'];
    if (ifNoneMatch !== undefined || ifModifiedSince !== undefined) {
      conditional.set(request, { ifNoneMatch, ifModifiedSince });
      delete request.headers['if-none-match'];
      delete request.headers['if-modified-since'];
    }
    next();
  });
}
