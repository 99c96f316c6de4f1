/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-argument --
   the overrides pass MikroORM's overloaded driver arguments through unchanged. */
import { type ConnectionType } from '@mikro-orm/core';
import { PostgreSqlConnection, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { currentTenantStore, type TenantStore } from '../tenancy/tenant-context';

// Requests (and TenantRunner jobs) that have written: their later reads go to the primary.
const wrote = new WeakSet<TenantStore>();

function markWrite(): void {
  const store = currentTenantStore();
  if (store) {
    wrote.add(store);
  }
}

/**
 * MikroORM's driver with read-your-writes on top of its `replicas` option. MikroORM already sends
 * writes, and every query inside a transaction, to the primary, and other reads to a random
 * replica. A replica lags, so once a request has tried to write (even a write that failed, such as
 * a unique-key race), its remaining reads go to the primary too: a just-created user finds itself.
 */
export class ReadYourWritesDriver extends PostgreSqlDriver {
  override getConnection(type: ConnectionType = 'write'): PostgreSqlConnection {
    const store = currentTenantStore();
    return super.getConnection(type === 'read' && store !== undefined && wrote.has(store) ? 'write' : type);
  }

  override nativeInsert(...args: [any, any, any?]): Promise<any> {
    markWrite();
    return super.nativeInsert(...args);
  }

  override nativeInsertMany(...args: [any, any, any?, any?]): Promise<any> {
    markWrite();
    return super.nativeInsertMany(...args);
  }

  override nativeUpdate(...args: [any, any, any, any?]): Promise<any> {
    markWrite();
    return super.nativeUpdate(...args);
  }

  override nativeUpdateMany(...args: [any, any, any, any?]): Promise<any> {
    markWrite();
    return super.nativeUpdateMany(...args);
  }

  override nativeDelete(...args: [any, any, any?]): Promise<any> {
    markWrite();
    return super.nativeDelete(...args);
  }
}

/**
 * MikroORM `replicas` entries: the runtime pool's settings with each replica's URL. A replica URL
 * without a user name gets the runtime role's credentials (the role replicates with the cluster).
 */
export function replicaOptions(urls: string[], runtimeUrl: string): Array<{ name: string; clientUrl: string }> {
  const runtime = new URL(runtimeUrl);
  return urls.map((url, index) => {
    const replica = new URL(url);
    if (!replica.username) {
      replica.username = runtime.username;
      replica.password = runtime.password;
    }
    return { name: `read-${index + 1}`, clientUrl: replica.toString() };
  });
}
