import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { httpErrorBody } from './http-error';
import { SANE_REQUEST_ID } from './request-id';

// Node's HTTP parser answers these itself, before Express, with no body and none of our headers.
function statusOf(error: NodeJS.ErrnoException): number {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return 431;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 413;
    case undefined:
    default:
      return 400;
  }
}

const MESSAGES: Record<number, string> = {
  400: 'Malformed HTTP request',
  408: 'The request was not received in time',
  413: 'Request is too large',
  431: 'Request headers are too large',
};

function jsonHeaders(product: string, requestId: string, body: string): Record<string, string | number> {
  return {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'X-Product': product,
    'X-Request-Id': requestId,
    Connection: 'close',
  };
}

/**
 * Gives the errors of Node's HTTP layer the contract's JSON body, X-Request-Id and X-Product:
 * parser errors (431 headers too large, 400 malformed, 408 too slow) and an unknown `Expect` (417).
 * Called once from app setup, so `npm start` and the tests share it.
 */
export function answerClientErrorsAsJson(server: Server, product: string): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = statusOf(error);
    const requestId = randomUUID();
    const body = JSON.stringify(httpErrorBody(status, MESSAGES[status] ?? 'Bad request', requestId));
    const head = Object.entries(jsonHeaders(product, requestId, body))
      .map(([name, value]) => `${name}: ${value}`)
      .join('\r\n');
    socket.end(`HTTP/1.1 ${status} ${httpErrorBody(status, '', '').error}\r\n${head}\r\n\r\n${body}`);
  });
  // Only `Expect: 100-continue` is understood (Node handles it); anything else is 417.
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const offered = request.headers['x-request-id'];
    const requestId = typeof offered === 'string' && SANE_REQUEST_ID.test(offered) ? offered : randomUUID();
    const body = JSON.stringify(httpErrorBody(417, 'Only "Expect: 100-continue" is supported', requestId));
    response.writeHead(417, jsonHeaders(product, requestId, body)).end(body);
  });
}
