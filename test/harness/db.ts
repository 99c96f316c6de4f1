import { randomBytes } from 'node:crypto';
import { Client, type QueryResultRow } from 'pg';

/**
 * The owner connection of the test database (a superuser in both test setups), which sees every
 * product's rows: used to prove rows really exist, never by the code under test.
 */
export async function ownerQuery<R extends QueryResultRow = QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error('TEST_DATABASE_URL is not set: run the tests through jest (test/global-setup.mjs)');
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** The name of this run's test database (runtime roles are named after it). */
export function testDatabaseName(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error('TEST_DATABASE_URL is not set: run the tests through jest (test/global-setup.mjs)');
  }
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

function adminUrl(): string {
  const url = process.env.TEST_ADMIN_DATABASE_URL;
  if (!url) {
    throw new Error('TEST_ADMIN_DATABASE_URL is not set: run the tests through jest (test/global-setup.mjs)');
  }
  return url;
}

export interface ScratchDatabase {
  name: string;
  /** The test server's superuser on this database: sees every product's rows (for checks). */
  url: string;
  /**
   * With `plainOwner`: a LOGIN role with CREATEROLE only (no superuser, no BYPASSRLS) that owns the
   * database, as a production owner may be; the code under test migrates and operates through it.
   * Otherwise the same as `url`.
   */
  ownerUrl: string;
}

/** A brand-new, empty database on the test server. Drop it with dropScratchDatabase. */
export async function createScratchDatabase(prefix = 'scratch', options: { plainOwner?: boolean } = {}): Promise<ScratchDatabase> {
  const name = `${prefix}_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const owner = `${name}_owner`;
  const password = randomBytes(16).toString('hex');
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    if (options.plainOwner) {
      await admin.query(`create role ${admin.escapeIdentifier(owner)} login createrole nosuperuser nobypassrls password ${admin.escapeLiteral(password)}`);
      await admin.query(`create database ${admin.escapeIdentifier(name)} owner ${admin.escapeIdentifier(owner)}`);
    } else {
      await admin.query(`create database ${admin.escapeIdentifier(name)}`);
    }
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const ownerUrl = new URL(url);
  if (options.plainOwner) {
    ownerUrl.username = owner;
    ownerUrl.password = password;
  }
  return { name, url: url.toString(), ownerUrl: ownerUrl.toString() };
}

export async function dropScratchDatabase(name: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl() });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
    await admin.query(`drop database if exists ${admin.escapeIdentifier(name)}`);
    // Runtime roles are named after their database; with the database gone they hold nothing.
    const { rows } = await admin.query<{ rolname: string }>('select rolname from pg_roles where left(rolname, length($1)) = $1', [`${name}_app_`]);
    for (const { rolname } of rows) {
      await admin.query(`drop role if exists ${admin.escapeIdentifier(rolname)}`);
    }
    // The plain owner of createScratchDatabase(…, { plainOwner: true }), once what it owned is gone.
    await admin.query(`drop role if exists ${admin.escapeIdentifier(`${name}_owner`)}`);
  } finally {
    await admin.end();
  }
}
