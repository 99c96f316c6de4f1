import { Client } from 'pg';
import { prepareDatabase } from '../src/database/migrate';
import { runtimeRoleName } from '../src/tenancy/runtime-role';
import { createScratchDatabase, dropScratchDatabase } from './harness/db';
import { ensureBuilt, freePort, ServerProcess } from './harness/spawn-server';

const quiet = { log: () => undefined, warn: () => undefined };

// The built server as a deployment starts it: production refuses the embedded database, and the
// runtime may hold only its runtime role's credentials (migrations then belong to someone else).
describe('deployment: the process (node dist/main.js)', () => {
  let server: ServerProcess | undefined;
  let scratch: { name: string; url: string } | undefined;

  beforeAll(() => ensureBuilt(), 120_000);
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    if (scratch) {
      await dropScratchDatabase(scratch.name);
      scratch = undefined;
    }
  });

  it('NODE_ENV=production without DATABASE_URL exits non-zero naming DATABASE_URL, before any embedded database', async () => {
    server = new ServerProcess({ NODE_ENV: 'production', PRODUCT: 'bestays', PORT: String(await freePort()) });
    expect(await server.exit).not.toBe(0);
    expect(server.stderr).toContain('DATABASE_URL');
    expect(server.output).not.toMatch(/embedded PostgreSQL on|serving product/);
  });

  it('serves with DATABASE_URL naming the runtime role only: no migrations, and the role check still runs', async () => {
    scratch = await createScratchDatabase('deploy_runtime');
    const runtimeUrl = await prepareDatabase(scratch.url, 'bestays', quiet);
    expect(new URL(runtimeUrl).username).toBe(runtimeRoleName(scratch.name, 'bestays'));
    const port = await freePort();
    server = new ServerProcess({ NODE_ENV: 'production', PRODUCT: 'bestays', PORT: String(port), DATABASE_URL: runtimeUrl });
    await server.waitFor(/serving product \\?"bestays\\?"/); // JSON log lines escape the quotes
    expect(server.output).toMatch(/DATABASE_URL names a runtime role: migrations are not run/);
    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(await health.json()).toEqual({ status: 'ok', product: 'bestays', database: 'up' });
  });

  it('the runtime role of the other product is refused as DATABASE_URL', async () => {
    scratch = await createScratchDatabase('deploy_wrong_role');
    const realestateUrl = await prepareDatabase(scratch.url, 'realestate', quiet);
    server = new ServerProcess({ NODE_ENV: 'production', PRODUCT: 'bestays', PORT: String(await freePort()), DATABASE_URL: realestateUrl });
    expect(await server.exit).not.toBe(0);
    expect(server.stderr).toMatch(/bound to product \\?"realestate\\?", but PRODUCT is \\?"bestays\\?"/);
  });

  it('MIGRATION_DATABASE_URL migrates as the owner; DATABASE_URL with the runtime role and its password is what it serves with', async () => {
    scratch = await createScratchDatabase('deploy_split');
    const role = runtimeRoleName(scratch.name, 'bestays');
    const runtime = new URL(scratch.url);
    runtime.username = role;
    runtime.password = 'configured-in-DATABASE_URL-0123456789';
    const port = await freePort();
    server = new ServerProcess({
      NODE_ENV: 'production',
      PRODUCT: 'bestays',
      PORT: String(port),
      MIGRATION_DATABASE_URL: scratch.url,
      DATABASE_URL: runtime.toString(),
    });
    await server.waitFor(/serving product \\?"bestays\\?"/); // JSON log lines escape the quotes
    expect(server.output).toMatch(/applied migrations/);
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
    // The role really has that password now, and is still the plain, product-bound role.
    const client = new Client({ connectionString: runtime.toString() });
    await client.connect();
    try {
      const { rows } = await client.query('select current_user as role, app_current_product() as product');
      expect(rows).toEqual([{ role, product: 'bestays' }]);
    } finally {
      await client.end();
    }
  });

  it('RUNTIME_ROLE_PASSWORD_<PRODUCT> sets the runtime password; npm run migration:up provisions every product', async () => {
    scratch = await createScratchDatabase('deploy_cli');
    server = new ServerProcess(
      {
        DATABASE_URL: scratch.url,
        ALLOWED_PRODUCTS: 'bestays,realestate',
        RUNTIME_ROLE_PASSWORD_BESTAYS: 'bestays-password-0123456789',
        RUNTIME_ROLE_PASSWORD_REALESTATE: 'realestate-password-0123456789',
      },
      'dist/database/migrate.cli.js',
    );
    expect(await server.exit).toBe(0);
    for (const product of ['bestays', 'realestate']) {
      const url = new URL(scratch.url);
      url.username = runtimeRoleName(scratch.name, product);
      url.password = `${product}-password-0123456789`;
      const client = new Client({ connectionString: url.toString() });
      await client.connect();
      try {
        expect((await client.query('select app_current_product() as product')).rows).toEqual([{ product }]);
      } finally {
        await client.end();
      }
    }
  });

  it('upgrading a database bound to the previous role names: both bindings hold, dangling bindings are removed', async () => {
    scratch = await createScratchDatabase('deploy_upgrade');
    await prepareDatabase(scratch.url, 'bestays', quiet);
    // As the previous release left it: one role per product (unique), under another name, and
    // without the migration that allows several.
    const legacy = runtimeRoleName(scratch.name, 'legacy');
    const owner = new Client({ connectionString: scratch.url });
    await owner.connect();
    try {
      await owner.query(`create role ${owner.escapeIdentifier(legacy)} login`);
      await owner.query(`update tenant_roles set role_name = $1 where product = 'bestays'`, [legacy]);
      await owner.query(`alter table tenant_roles add constraint tenant_roles_product_key unique (product)`);
      await owner.query(`delete from mikro_orm_migrations where name = 'Migration20261129100000_tenant_roles_per_database'`);

      const runtimeUrl = await prepareDatabase(scratch.url, 'bestays', quiet);
      expect(new URL(runtimeUrl).username).toBe(runtimeRoleName(scratch.name, 'bestays'));
      const bindings = await owner.query('select role_name, product from tenant_roles order by role_name');
      expect(bindings.rows).toEqual(
        [
          { role_name: runtimeRoleName(scratch.name, 'bestays'), product: 'bestays' },
          { role_name: legacy, product: 'bestays' },
        ].sort((a, b) => a.role_name.localeCompare(b.role_name)),
      );

      await owner.query(`insert into tenant_roles (role_name, product) values ($1, 'realestate')`, [`${scratch.name}_no_such_role`]);
      await prepareDatabase(scratch.url, 'realestate', quiet);
      const after = await owner.query<{ role_name: string }>('select role_name from tenant_roles');
      expect(after.rows.map((row) => row.role_name)).not.toContain(`${scratch.name}_no_such_role`);
      expect(after.rows.map((row) => row.role_name)).toContain(legacy);
    } finally {
      await owner.end();
    }
  });
});
