import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { MikroORM } from '@mikro-orm/core';
import { ALL_ENTITIES } from '../src/database/entities';
import { tenantTable } from '../src/database/migrations/tenant-table';
import { tenantSchemaProblems } from '../src/tenancy/schema-check';
import { useProductApp } from './harness/product-app';

describe('tenant schema rules (pg_constraint / pg_index)', () => {
  const app = useProductApp('bestays'); // migrates the test database
  let owner: Client;

  beforeAll(async () => {
    owner = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await owner.connect();
  });
  afterAll(async () => {
    await owner?.end();
  });

  it('the checker flags a plain foreign key, a unique key and an index that do not start with product', async () => {
    const schema = `scratch_${randomBytes(4).toString('hex')}`;
    await owner.query('begin');
    try {
      await owner.query(`create schema ${schema}`);
      await owner.query(`set local search_path to ${schema}, public`);
      const statements = [
        // Made by the helper: clean.
        ...tenantTable({ name: 'parents', columns: ['"slug" varchar(50) not null'], indexes: [{ columns: ['"slug"'], unique: true }] }),
        ...tenantTable({
          name: 'children',
          columns: ['"parent_id" uuid not null', '"rank" integer not null'],
          references: [{ column: 'parent_id', table: 'parents', onDelete: 'cascade' }],
          indexes: [{ columns: ['"parent_id"', '"rank" desc'] }],
        }),
        // Written by hand, the way the rules forbid.
        `create table bad_children (id uuid primary key, product varchar(50) not null, parent_id uuid references parents (id))`,
        `create table bad_keys (id uuid primary key, product varchar(50) not null, slug text, created_at timestamptz, constraint bad_keys_slug_unique unique (slug))`,
        `create index bad_keys_created_at_index on bad_keys (created_at)`,
        `create index bad_keys_slug_product_index on bad_keys (slug, product)`,
      ];
      for (const sql of statements) {
        await owner.query(sql);
      }
      const problems = await tenantSchemaProblems(owner, schema);
      expect(problems).toEqual([
        'bad_children: foreign key bad_children_parent_id_fkey references tenant table parents without (product, ...)',
        'bad_keys: index bad_keys_created_at_index does not start with product',
        'bad_keys: index bad_keys_slug_product_index does not start with product',
        'bad_keys: unique key bad_keys_slug_unique does not start with product',
      ]);
    } finally {
      await owner.query('rollback');
    }
  });

  it('the real schema is clean, and every tenant table has row-level security enabled and forced', async () => {
    expect(await tenantSchemaProblems(owner, 'public')).toEqual([]);
    const { rows } = await owner.query<{ table: string }>(
      `select c.relname as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid and a.attname = 'product'
       where n.nspname = 'public' and c.relkind = 'r' and c.relname <> 'tenant_roles'
         and not (c.relrowsecurity and c.relforcerowsecurity)`,
    );
    expect(rows).toEqual([]);
  });

  it('every tenant table lets the owner purge one named product (select and delete policies on app_purge_product())', async () => {
    const { rows } = await owner.query<{ table: string }>(
      `select c.relname as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid and a.attname = 'product'
       where n.nspname = 'public' and c.relkind = 'r' and c.relname <> 'tenant_roles'
         and (select count(distinct p.cmd) from pg_policies p
               where p.schemaname = 'public' and p.tablename = c.relname and p.cmd in ('SELECT', 'DELETE')
                 and p.qual like '%app_purge_product()%') < 2`,
    );
    expect(rows).toEqual([]);
  });

  it('mikro-orm.config.ts lists every entity the app discovers', () => {
    const discovered = app().app.get(MikroORM).getMetadata().getAll();
    const names = Object.values(discovered).filter((meta) => !meta.abstract && !meta.embeddable).map((meta) => meta.className);
    expect(ALL_ENTITIES.map((entity) => entity.name).sort()).toEqual([...new Set(names)].sort());
  });
});
