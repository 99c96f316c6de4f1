import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';

export interface TenantStore {
  readonly product: string;
  readonly requestId: string;
  /** The signed-in user's id, set by auth; null for anonymous or system work. */
  userId: string | null;
}

export class MissingTenantContextError extends Error {
  constructor() {
    super('No tenant context: this code ran outside a request or TenantRunner.run(), so it has no product to scope to');
  }
}

// One storage for the process; each request (or explicit run) gets its own store.
const storage = new AsyncLocalStorage<TenantStore>();

export function runInTenant<T>(store: TenantStore, fn: () => T): T {
  return storage.run(store, fn);
}

export function currentTenantStore(): TenantStore | undefined {
  return storage.getStore();
}

// Fail closed: there is no "default" product anywhere below this line.
export function currentProduct(): string {
  const store = storage.getStore();
  if (!store) {
    throw new MissingTenantContextError();
  }
  return store.product;
}

/** Injectable view of the current tenant context; a singleton, unlike Scope.REQUEST providers. */
@Injectable()
export class TenantContext {
  get product(): string {
    return currentProduct();
  }

  get requestId(): string | undefined {
    return storage.getStore()?.requestId;
  }

  get userId(): string | null {
    return storage.getStore()?.userId ?? null;
  }

  setUser(userId: string | null): void {
    const store = storage.getStore();
    if (!store) {
      throw new MissingTenantContextError();
    }
    store.userId = userId;
  }
}
