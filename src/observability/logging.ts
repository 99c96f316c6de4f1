import type { NextFunction, Request, Response } from 'express';
import pino, { type Logger as PinoLogger } from 'pino';
import { requestIdOf } from '../common/request-id';
import type { AppConfig } from '../config/app-config';
import { currentTenantStore } from '../tenancy/tenant-context';
import type { Metrics } from './metrics';

// Nothing below is ever logged on purpose (no headers, no bodies); this is the second wall.
const REDACT = [
  'authorization',
  'cookie',
  'token',
  'password',
  'secret',
  'apiKey',
  '*.authorization',
  '*.cookie',
  '*.token',
  '*.password',
  '*.secret',
  '*.apiKey',
  'req.headers',
  'req.body',
  'res.headers',
  'body',
  'payload',
  'headers',
];

/**
 * The process's pino logger: JSON lines labelled with the product, plus the request id and user of
 * the running request (from TenantContext's AsyncLocalStorage). Pretty in development.
 */
export function createRootLogger(config: AppConfig, quiet: boolean): PinoLogger {
  const { log } = config.ops;
  const level = log.destination ? log.level : quiet ? 'silent' : log.level;
  const destination = log.destination ?? (log.pretty ? prettyStream() : bufferedStdout());
  const logger = pino(
    {
      level,
      base: { product: config.product },
      timestamp: isoTimeOfMillisecond,
      redact: { paths: REDACT, censor: '[redacted]' },
      mixin() {
        const store = currentTenantStore();
        return store ? { requestId: store.requestId, ...(store.userId ? { userId: store.userId } : {}) } : {};
      },
    },
    destination,
  );
  if (!log.destination && !log.pretty) {
    // What the buffer holds reaches stdout within this bound even when traffic is low.
    setInterval(() => logger.flush(), FLUSH_MS).unref();
  }
  return logger;
}

const FLUSH_MS = 250;

// Lines are written in batches of at least 4 KB (or every FLUSH_MS): one write for ~20 access lines
// instead of one each, which handed every line to a libuv thread and back (~15 µs of CPU per
// request under load). pino's destination writes what is left synchronously when the process exits.
function bufferedStdout(): pino.DestinationStream {
  return pino.destination({ sync: false, minLength: 4096 });
}

// pino's isoTime, formatted once per millisecond: under load several lines share one, and
// Date#toISOString was the largest single cost of writing the access line.
let stampedAt = -1;
let stamp = '';
export function isoTimeOfMillisecond(): string {
  const now = Date.now();
  if (now !== stampedAt) {
    stampedAt = now;
    stamp = `,"time":"${new Date(now).toISOString()}"`;
  }
  return stamp;
}

// pino-pretty (~30 modules) is loaded only where logs are pretty (LOG_FORMAT).
function prettyStream(): pino.DestinationStream {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pretty = require('pino-pretty') as typeof import('pino-pretty');
  return pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l' });
}

// The route pattern (`/api/v1/properties/:id`), never the raw URL with ids or query text.
export function routeOf(request: Request): string {
  const path = (request.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') {
    return `${request.baseUrl}${path}`;
  }
  return request.originalUrl.startsWith('/api/docs') ? '/api/docs' : 'unmatched';
}

function levelOf(status: number): 'info' | 'warn' | 'error' {
  if (status >= 500 && status !== 503) {
    return 'error';
  }
  // Expected pushback (overload, outage, rate limit): one line each, no stack.
  return status === 503 || status === 429 ? 'warn' : 'info';
}

/**
 * One access line and the HTTP metrics per request; installed first so every answer is seen. The
 * access line is written by a sibling of the root logger on the same destination, without the
 * redaction pass: it is built below from fixed fields only (never headers, bodies or query text).
 */
export function accessLog(root: PinoLogger, metrics: Metrics) {
  const logger = pino(
    { level: root.level, base: root.bindings(), timestamp: isoTimeOfMillisecond },
    (root as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym],
  );
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    // nestjs-pino (useExisting) logs a request's Nest Logger calls through this app's logger.
    (request as Request & { log?: PinoLogger }).log = root;
    let done = false;
    const finish = (): void => {
      if (done) {
        return;
      }
      done = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // A client that hung up before the answer was complete: nginx's 499.
      const status = response.writableFinished ? response.statusCode : 499;
      const route = routeOf(request);
      const labels = { product: metrics.product, method: request.method, route, status: String(status) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
      const userId = (request as Request & { user?: { id?: string } }).user?.id;
      logger[levelOf(status)](
        {
          requestId: requestIdOf(request),
          // Explicit even when anonymous: the mixin's context is not trusted to be this request's here.
          userId: userId ?? null,
          method: request.method,
          route,
          status,
          latencyMs: Math.round(seconds * 1e4) / 10,
        },
        'request completed',
      );
    };
    response.once('finish', finish);
    response.once('close', finish);
    next();
  };
}
