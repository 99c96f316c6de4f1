import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { AuditLog } from '../src/audit/audit-log.entity';
import { type Log, prepareDatabase } from '../src/database/migrate';
import { migrationsList } from '../src/database/migrations';
import { runtimeRoleName } from '../src/tenancy/runtime-role';
import { MissingTenantContextError } from '../src/tenancy/tenant-context';
import { TenantRunner } from '../src/tenancy/tenant-runner';
import { User } from '../src/users/user.entity';
import { createScratchDatabase, dropScratchDatabase, ownerQuery } from './harness/db';
import { useBothProducts } from './harness/product-app';

const repoRoot = join(__dirname, '..');

describe('fail closed: no tenant context, no rows', () => {
  const apps = useBothProducts();
  let userIds: string[];

  beforeAll(async () => {
    userIds = [(await apps.bestays.user('user')).id, (await apps.realestate.user('user')).id];
  });

  describe('the EntityManager outside a tenant context', () => {
    it('find, findOne, count and findAndCount reject with MissingTenantContextError', async () => {
      const em = apps.bestays.em();
      await expect(em.find(User, {})).rejects.toBeInstanceOf(MissingTenantContextError);
      await expect(em.find(User, {}, { filters: false })).rejects.toBeInstanceOf(MissingTenantContextError);
      await expect(em.findOne(User, { clerkUserId: 'x' })).rejects.toBeInstanceOf(MissingTenantContextError);
      await expect(em.count(User)).rejects.toBeInstanceOf(MissingTenantContextError);
      await expect(em.findAndCount(User, {})).rejects.toBeInstanceOf(MissingTenantContextError);
      await expect(em.find(AuditLog, {})).rejects.toBeInstanceOf(MissingTenantContextError);
    });

    it('nativeUpdate, nativeDelete, insert and upsert reject with MissingTenantContextError', async () => {
      const em = apps.bestays.em();
      await expect(em.nativeUpdate(User, {}, { role: 'admin' })).rejects.toBeInstanceOf(MissingTenantContextError);
      await expect(em.nativeDelete(User, {})).rejects.toBeInstanceOf(MissingTenantContextError);
      const data = { id: randomUUID(), clerkUserId: `user_${randomUUID()}`, createdAt: new Date(), updatedAt: new Date() };
      await expect(em.insert(User, { ...data })).rejects.toBeInstanceOf(MissingTenantContextError);
      await expect(em.upsert(User, { ...data })).rejects.toBeInstanceOf(MissingTenantContextError);
      expect(await ownerQuery('select 1 from users where id = $1', [data.id])).toHaveLength(0);
      expect(await ownerQuery('select role, deleted_at from users where id = any($1) order by product', [userIds])).toEqual([
        { role: 'user', deleted_at: null },
        { role: 'user', deleted_at: null },
      ]);
    });

    it('flush of a new User throws, and nothing is inserted', async () => {
      const em = apps.bestays.em();
      const user = new User(`user_${randomUUID().replace(/-/g, '')}`);
      em.persist(user);
      await expect(em.flush()).rejects.toBeInstanceOf(MissingTenantContextError);
      expect(await ownerQuery('select 1 from users where id = $1', [user.id])).toHaveLength(0);
      expect(await ownerQuery('select 1 from audit_log where entity_id = $1', [user.id])).toHaveLength(0);
    });

    it('flush of a change to a row loaded in context, but flushed outside it, throws', async () => {
      const em = apps.bestays.em();
      const [own] = await apps.bestays.inTenant(() => em.find(User, { role: 'user' }, { limit: 1 }));
      own.role = 'admin';
      await expect(em.flush()).rejects.toBeInstanceOf(MissingTenantContextError);
      expect(await ownerQuery('select role from users where id = $1', [own.id])).toEqual([{ role: 'user' }]);
    });

    it('the same calls inside the context work (the control)', async () => {
      const users = await apps.bestays.inTenant(() => apps.bestays.em().find(User, {}));
      expect(users.length).toBeGreaterThan(0);
      expect(users.every((u) => u.product === 'bestays')).toBe(true);
    });
  });

  describe('TenantRunner', () => {
    it('refuses to run work for another product (or an unknown one), without running it', async () => {
      const runner = apps.bestays.app.get(TenantRunner);
      const work = jest.fn(async () => apps.bestays.orm.em.find(User, {}));
      // Async wrapper: a synchronous throw and a rejection both count as refusing.
      await expect((async () => runner.run('realestate', work))()).rejects.toThrow(/realestate/);
      await expect((async () => runner.run('nosuch', work))()).rejects.toThrow(/nosuch/);
      await expect((async () => apps.realestate.app.get(TenantRunner).run('bestays', work))()).rejects.toThrow(/bestays/);
      expect(work).not.toHaveBeenCalled();
    });

    it('runs work for its own product in a fresh context: reads and writes only that product', async () => {
      const runner = apps.bestays.app.get(TenantRunner);
      const clerkUserId = `user_${randomUUID().replace(/-/g, '')}`;
      const { seen, created } = await runner.run('bestays', async () => {
        // The global EntityManager resolves to the run's own context.
        const em = apps.bestays.orm.em;
        const seen = await em.find(User, {}, { filters: false });
        const created = new User(clerkUserId);
        await em.persistAndFlush(created);
        return { seen, created };
      });
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((u) => u.product === 'bestays')).toBe(true);
      expect(await ownerQuery('select product from users where id = $1', [created.id])).toEqual([{ product: 'bestays' }]);
      const audit = await ownerQuery<{ product: string; action: string; actor_id: string | null; request_id: string }>(
        'select product, action, actor_id, request_id from audit_log where entity_id = $1',
        [created.id],
      );
      expect(audit).toEqual([{ product: 'bestays', action: 'create', actor_id: null, request_id: expect.stringMatching(/^system-/) }]);
    });

    it('keeps runs apart: a run never sees the other app\'s rows, even interleaved', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => {
          const app = i % 2 === 0 ? apps.bestays : apps.realestate;
          return app.app
            .get(TenantRunner)
            .run(app.product, async () => ({ product: app.product, rows: await app.orm.em.find(User, {}, { filters: false }) }));
        }),
      );
      for (const { product, rows } of results) {
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.every((u) => u.product === product)).toBe(true);
      }
    });
  });
});

describe('boot against a brand-new database', () => {
  let scratch: { name: string; url: string } | undefined;

  afterEach(async () => {
    if (scratch) {
      await dropScratchDatabase(scratch.name);
      scratch = undefined;
    }
  });

  it('several prepareDatabase calls at once (both products and a replica) all succeed; migrations run once', async () => {
    scratch = await createScratchDatabase('boot');
    const database = scratch.name;
    const logs: string[] = [];
    const log = (who: string): Log => ({ log: (m) => logs.push(`${who}: ${m}`), warn: (m) => logs.push(`${who} warn: ${m}`) });

    const [bestaysUrl, realestateUrl, replicaUrl] = await Promise.all([
      prepareDatabase(scratch.url, 'bestays', log('bestays')),
      prepareDatabase(scratch.url, 'realestate', log('realestate')),
      prepareDatabase(scratch.url, 'bestays', log('replica')),
    ]);

    expect(logs.filter((line) => line.includes('applied migrations'))).toHaveLength(1);
    const owner = new Client({ connectionString: scratch.url });
    await owner.connect();
    try {
      const applied = await owner.query<{ name: string }>('select name from mikro_orm_migrations order by id');
      expect(applied.rows.map((r) => r.name)).toEqual(migrationsList.map((m) => m.name));
      const roles = await owner.query('select role_name, product from tenant_roles order by product');
      expect(roles.rows).toEqual([
        { role_name: runtimeRoleName(database, 'bestays'), product: 'bestays' },
        { role_name: runtimeRoleName(database, 'realestate'), product: 'realestate' },
      ]);
    } finally {
      await owner.end();
    }

    expect(replicaUrl).toBe(bestaysUrl);
    for (const [url, product] of [
      [bestaysUrl, 'bestays'],
      [realestateUrl, 'realestate'],
    ] as const) {
      const runtime = new Client({ connectionString: url });
      await runtime.connect();
      try {
        const { rows } = await runtime.query('select current_user as role, app_current_product() as product');
        expect(rows).toEqual([{ role: runtimeRoleName(database, product), product }]);
      } finally {
        await runtime.end();
      }
    }

    // A later boot finds nothing to do.
    const again: string[] = [];
    await prepareDatabase(scratch.url, 'realestate', { log: (m) => again.push(m), warn: (m) => again.push(m) });
    expect(again.filter((line) => line.includes('applied migrations'))).toHaveLength(0);
  });

  // app_current_product() is compiled from tenant_roles (Migration20261130030000_compiled_tenant_roles):
  // the binding must follow the table at once, for open sessions and their prepared plans too.
  it('the role binding follows tenant_roles at once: removed, restored, odd role names, prepared plans', async () => {
    scratch = await createScratchDatabase('binding');
    const quiet: Log = { log: () => undefined, warn: () => undefined };
    const bestaysUrl = await prepareDatabase(scratch.url, 'bestays', quiet);
    await prepareDatabase(scratch.url, 'realestate', quiet);
    const role = runtimeRoleName(scratch.name, 'bestays');
    const owner = new Client({ connectionString: scratch.url });
    const runtime = new Client({ connectionString: bestaysUrl });
    await owner.connect();
    await runtime.connect();
    try {
      await owner.query(
        `insert into users (id, product, clerk_user_id, role, created_at, updated_at)
         values (gen_random_uuid(), 'bestays', 'user_b', 'user', now(), now()), (gen_random_uuid(), 'realestate', 'user_r', 'user', now(), now())`,
      );
      const visible = async (): Promise<unknown> =>
        (await runtime.query({ name: 'visible', text: 'select app_current_product() as bound, array_agg(clerk_user_id) as users from users' })).rows[0];
      const procs = async (): Promise<unknown> =>
        (await owner.query(`select xmin::text, prosrc from pg_proc where proname in ('app_current_product', 'app_session_product') order by proname`)).rows;
      expect(await visible()).toEqual({ bound: 'bestays', users: ['user_b'] });
      // Inlined into the plan (evaluated once per statement), not called as a function per statement.
      const plan = (await runtime.query('explain (verbose) select id from users')).rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/CASE \(CURRENT_USER\)::text WHEN/);
      expect(plan).not.toMatch(/app_current_product/);

      // A statement that changes nothing leaves the functions (and every cached plan) alone.
      const before = await procs();
      await owner.query(`update tenant_roles set product = product`);
      expect(await procs()).toEqual(before);

      // Unbound: the same session, through its prepared plan, sees nothing and can write nothing.
      await owner.query('delete from tenant_roles where role_name = $1', [role]);
      expect(await visible()).toEqual({ bound: null, users: null });
      await expect(
        runtime.query(`insert into users (id, product, clerk_user_id, role, created_at, updated_at) values (gen_random_uuid(), 'bestays', 'x', 'user', now(), now())`),
      ).rejects.toThrow(/row-level security/);

      // Role names are quoted into the compiled function as literals, never as SQL.
      const odd = `o'neil"; select 'realestate' --`;
      await owner.query(`insert into tenant_roles (role_name, product) values ($1, 'realestate')`, [odd]);
      expect(await visible()).toEqual({ bound: null, users: null });

      await owner.query(`insert into tenant_roles (role_name, product) values ($1, 'bestays')`, [role]);
      expect(await visible()).toEqual({ bound: 'bestays', users: ['user_b'] });

      // Rebound by hand to another product: the session follows the table, whatever it was before.
      await owner.query(`update tenant_roles set product = 'realestate' where role_name = $1`, [role]);
      expect(await visible()).toEqual({ bound: 'realestate', users: ['user_r'] });
      await owner.query('truncate tenant_roles');
      expect(await visible()).toEqual({ bound: null, users: null });

      // Only the owner compiles; the runtime role cannot run it, nor replace what it makes.
      await expect(runtime.query('select app_compile_tenant_roles()')).rejects.toThrow(/permission denied/);
    } finally {
      await runtime.end();
      await owner.end();
    }
  });
});

describe('the process (node dist/main.js)', () => {
  let child: ChildProcess | undefined;
  let scratch: { name: string; url: string } | undefined;

  beforeAll(() => {
    // `npm test` builds first; a bare `npx jest` run may not have.
    if (!existsSync(join(repoRoot, 'dist', 'main.js'))) {
      execFileSync('npx', ['nest', 'build'], { cwd: repoRoot, stdio: 'inherit' });
    }
  }, 120_000);

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    child = undefined;
    if (scratch) {
      await dropScratchDatabase(scratch.name);
      scratch = undefined;
    }
  });

  function start(env: Record<string, string>): { output: () => { stdout: string; stderr: string }; exit: Promise<number | null> } {
    let stdout = '';
    let stderr = '';
    // Only what the test sets: nothing of the test run's own environment (PRODUCT, CLERK_*, ...) leaks in.
    child = spawn(process.execPath, ['dist/main.js'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
    const exit = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    return { output: () => ({ stdout, stderr }), exit };
  }

  async function waitFor(condition: () => boolean, what: () => string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline || child?.exitCode !== null) {
        throw new Error(`gave up waiting: ${what()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
  }

  it.each([
    [{}, ['bestays', 'realestate']],
    [{ ALLOWED_PRODUCTS: 'bestays,realestate,villas' }, ['bestays', 'realestate', 'villas']],
  ] as const)('PRODUCT=nosuch (%p) exits non-zero before listening, naming PRODUCT and the allowed values', async (extra, allowed) => {
    const port = await freePort();
    const run = start({ PRODUCT: 'nosuch', DATABASE_URL: process.env.TEST_DATABASE_URL as string, PORT: String(port), ...extra });
    const code = await run.exit;
    const { stdout, stderr } = run.output();
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(stderr).toContain('PRODUCT');
    expect(stderr).toContain('nosuch');
    for (const product of allowed) {
      expect(stderr).toContain(product);
    }
    expect(stdout).not.toMatch(/serving product/);
  });

  it('PRODUCT unset: warns and serves bestays', async () => {
    scratch = await createScratchDatabase('boot_default');
    const port = await freePort();
    const run = start({ DATABASE_URL: scratch.url, PORT: String(port) });
    await waitFor(
      () => /serving product \\?"bestays\\?"/.test(run.output().stdout), // JSON log lines escape the quotes
      () => JSON.stringify(run.output()),
    );
    const all = run.output().stdout + run.output().stderr;
    expect(all).toMatch(/PRODUCT is not set/);

    const response = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-product')).toBe('bestays');
    expect(await response.json()).toEqual({ status: 'ok', product: 'bestays', database: 'up' });

    child?.kill('SIGTERM');
    expect(await run.exit).not.toBeUndefined();
  });
});
