import { randomUUID } from 'node:crypto';
import type { Request } from 'express';

export const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const assigned = new WeakMap<Request, string>();

// The client's id when it is sane (so logs can be joined across services), else a new one.
export function requestIdOf(request: Request): string {
  let id = assigned.get(request);
  if (id === undefined) {
    const offered = request.headers['x-request-id'];
    id = typeof offered === 'string' && SANE_REQUEST_ID.test(offered) ? offered : randomUUID();
    assigned.set(request, id);
  }
  return id;
}
