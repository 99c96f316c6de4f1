import { randomUUID } from 'node:crypto';
import type { Request } from 'express';

export const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// Kept on the request itself (several parts ask for it per request): a property read is cheaper
// than a WeakMap lookup, and a request's entries in a WeakMap cost the garbage collector more.
const ASSIGNED = Symbol('request id');

// The client's id when it is sane (so logs can be joined across services), else a new one.
export function requestIdOf(request: Request): string {
  const holder = request as Request & { [ASSIGNED]?: string };
  let id = holder[ASSIGNED];
  if (id === undefined) {
    const offered = request.headers['x-request-id'];
    id = typeof offered === 'string' && SANE_REQUEST_ID.test(offered) ? offered : randomUUID();
    holder[ASSIGNED] = id;
  }
  return id;
}
