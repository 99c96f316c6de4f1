// Jest globalTeardown: drops the database created by global-setup.mjs and stops the
// embedded server if one was started. Never throws for an already-dropped database.
import pg from 'pg';

export default async function globalTeardown() {
  const state = globalThis.__TEST_DB__;
  // setup did not get far enough
  if (!state) {
    return;
  }
  globalThis.__TEST_DB__ = undefined;

  try {
    const admin = new pg.Client({ connectionString: state.adminUrl });
    admin.on('error', () => {}); // a dropped connection must not crash the Jest process
    try {
      await admin.connect();
      // Pools that tests forgot to close would make DROP DATABASE fail.
      await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [state.dbName],
      );
      await admin.query(`drop database if exists ${admin.escapeIdentifier(state.dbName)}`);
      await dropRuntimeRoles(admin, state.dbName);
    } finally {
      await admin.end().catch(() => {});
    }
  } catch (err) {
    // Cleanup trouble should not turn a green run red; say what is left behind instead.
    console.warn(`[test-db] could not drop test database ${state.dbName}: ${err.message}`);
  } finally {
    await state.server?.stop();
  }
}

// Runtime roles are cluster-wide and named after their database (<database>_app_<product>): once the
// database is gone they hold nothing, and are dropped so test runs do not pile up roles.
export async function dropRuntimeRoles(admin, dbName) {
  const prefix = `${dbName}_app_`;
  const { rows } = await admin.query('select rolname from pg_roles where left(rolname, length($1)) = $1', [prefix]);
  for (const { rolname } of rows) {
    await admin.query(`drop role if exists ${admin.escapeIdentifier(rolname)}`);
  }
}
