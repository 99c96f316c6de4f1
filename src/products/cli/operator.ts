import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { migrateSchema, prepareDatabase } from '../../database/migrate';
import { tenantTables } from '../../tenancy/runtime-role';

/** A bad argument, an unknown product or a missing key: one line on stderr, exit code 2. */
export class OperatorError extends Error {}

export interface ProductRow {
  name: string;
  display_name: string;
  status: 'active' | 'suspended';
  suspended_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

const quiet = { log: () => undefined, warn: () => undefined };

/**
 * The operator's connections: the owner (MIGRATION_DATABASE_URL, else DATABASE_URL) manages the
 * registry; anything that touches a product's rows runs as that product's runtime role, so RLS
 * confines it to that product by construction.
 */
export class Operator {
  private readonly runtimes = new Map<string, Client>();

  private constructor(
    readonly ownerUrl: string,
    readonly owner: Client,
  ) {}

  static async connect(env: NodeJS.ProcessEnv): Promise<Operator> {
    const url = env.MIGRATION_DATABASE_URL?.trim() || env.DATABASE_URL?.trim();
    if (!url) {
      throw new OperatorError('DATABASE_URL (or MIGRATION_DATABASE_URL) must name the owner connection');
    }
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new OperatorError('DATABASE_URL must be a postgres:// connection string');
    }
    // Brings the schema up to date (the registry tables may be new) without registering anything.
    await migrateSchema(url, quiet);
    const owner = new Client({ connectionString: url });
    await owner.connect();
    return new Operator(url, owner);
  }

  async close(): Promise<void> {
    await Promise.all([...this.runtimes.values()].map((client) => client.end().catch(() => undefined)));
    await this.owner.end().catch(() => undefined);
  }

  async products(): Promise<ProductRow[]> {
    return (await this.owner.query<ProductRow>('select * from products order by name')).rows;
  }

  async product(name: string): Promise<ProductRow> {
    const row = (await this.owner.query<ProductRow>('select * from products where name = $1', [name])).rows[0];
    if (!row) {
      throw new OperatorError(`unknown product "${name}" (see: npm run products -- list)`);
    }
    return row;
  }

  /** A connection as the product's runtime role (provisioned, with migrations applied, if needed). */
  async runtime(product: string): Promise<Client> {
    let client = this.runtimes.get(product);
    if (!client) {
      const url = await prepareDatabase(this.ownerUrl, product, quiet);
      client = new Client({ connectionString: url });
      await client.connect();
      this.runtimes.set(product, client);
    }
    return client;
  }

  async tenantTables(): Promise<string[]> {
    return (await tenantTables(this.owner)).map((t) => t.table);
  }

  /** An audit entry of the product, written as its runtime role: actor `operator` (no user id). */
  async audit(product: string, action: 'create' | 'update' | 'delete', entityType: string, entityId: string, changes: object): Promise<void> {
    const runtime = await this.runtime(product);
    await runtime.query(
      `insert into audit_log (id, product, action, entity_type, entity_id, actor_id, changes, request_id, created_at, updated_at)
       values ($1, $2, $3, $4, $5, null, $6, $7, now(), now())`,
      [randomUUID(), product, action, entityType, entityId, JSON.stringify({ ...changes, actor: 'operator' }), `operator-${randomUUID()}`],
    );
  }
}

/** Tenant tables ordered so that every table comes before the tables its foreign keys point at. */
export async function deleteOrder(owner: Client, tables: string[]): Promise<string[]> {
  const { rows } = await owner.query<{ child: string; parent: string }>(
    `select c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent
     from pg_constraint c where c.contype = 'f' and c.connamespace = 'public'::regnamespace`,
  );
  const unquote = (name: string) => name.replace(/^"|"$/g, '');
  const ordered: string[] = [];
  const visit = (table: string, path: Set<string>) => {
    if (ordered.includes(table) || path.has(table)) {
      return;
    }
    path.add(table);
    // Children (tables referencing this one) are deleted first.
    for (const edge of rows.filter((r) => unquote(r.parent) === table && unquote(r.child) !== table)) {
      if (tables.includes(unquote(edge.child))) {
        visit(unquote(edge.child), path);
      }
    }
    ordered.push(table);
  };
  tables.forEach((table) => visit(table, new Set()));
  return ordered;
}
