import { HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { httpErrorBody } from '../common/http-error';
import { requestIdOf } from '../common/request-id';
import type { RunOptions } from './answerer';
import type { ChatResponse } from './llm.dto';

const logger = new Logger('ChatStream');

export function wantsEventStream(request: Request): boolean {
  return /\btext\/event-stream\b/i.test(request.headers.accept ?? '');
}

/**
 * Streams one chat as Server-Sent Events: `delta` events with `{ text }`, then one `done` with the
 * non-streaming JSON, or one `error` with the error JSON. A client that goes away aborts the run.
 */
export async function streamChat(request: Request, response: Response, run: (options: RunOptions) => Promise<ChatResponse>): Promise<void> {
  const abort = new AbortController();
  // `close` on the response before it ended means the client went away.
  response.on('close', () => {
    if (!response.writableFinished) {
      abort.abort();
    }
  });
  response.status(200);
  response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  response.setHeader('Cache-Control', 'private, no-store');
  response.setHeader('Connection', 'keep-alive');
  // Tells nginx-like proxies not to buffer the stream.
  response.setHeader('X-Accel-Buffering', 'no');
  response.flushHeaders();

  const send = (event: string, data: unknown): void => {
    if (!abort.signal.aborted) {
      response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    }
  };
  try {
    const result = await run({ signal: abort.signal, onDelta: (text) => send('delta', { text }) });
    send('done', result);
  } catch (error) {
    if (!abort.signal.aborted) {
      const { status, message } = describe(error, request);
      send('error', httpErrorBody(status, message, requestIdOf(request)));
    }
  }
  response.end();
}

function describe(error: unknown, request: Request): { status: number; message: string } {
  if (error instanceof HttpException) {
    return { status: error.getStatus(), message: error.message };
  }
  logger.error(`unhandled error in a chat stream [${requestIdOf(request)}]`, error instanceof Error ? error.stack : String(error));
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' };
}
