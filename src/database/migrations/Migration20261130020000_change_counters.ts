import { Migration } from '@mikro-orm/migrations';

// Issue 6: a list's capped total (count over up to 10,001 index entries) was most of the database's
// work per list request. Each tenant table gets a change counter: a sequence that every statement
// writing the table (insert, update, delete, truncate; cascades too) advances, by a statement-level
// trigger. A count remembered together with the counter's value stays exact while the counter has not
// moved (see src/common/change-counters.ts for the reasoning on concurrent writers).
//
// - A sequence, not a counter row: nextval takes no row lock, so concurrent writers never queue on it.
// - Before advancing it, the writer takes a shared transaction-level advisory lock on the counter,
//   held until it commits or rolls back: a reader that can take the lock exclusively knows that
//   every writer counted so far has finished (writers share it, so they never wait for each other).
//   Its keys: 1146048839 (CHANGES_LOCK_SPACE in change-counters.ts), hashtext of the counter's name.
// - The trigger is ENABLE ALWAYS, so a session with session_replication_role = replica (a bulk load)
//   still advances it. SECURITY DEFINER: writers need no privilege on the sequence; readers are
//   granted SELECT on it when their role is provisioned.
// - app_track_changes() is idempotent; provisioning calls it for any tenant table created later.
export class Migration20261130020000_change_counters extends Migration {
  override up(): void {
    this.addSql(`create function app_bump_changes() returns trigger
      language plpgsql security definer set search_path = pg_catalog, public
      as $$ begin
        perform pg_advisory_xact_lock_shared(1146048839, hashtext(tg_argv[0]));
        perform nextval(tg_argv[0]::regclass);
        return null;
      end $$`);
    this.addSql(`revoke all on function app_bump_changes() from public`);
    this.addSql(`create function app_track_changes(target regclass) returns void
      language plpgsql security invoker set search_path = pg_catalog, public
      as $$
      declare
        name text := (select relname from pg_class where oid = target);
      begin
        execute format('create sequence if not exists public.%I as bigint minvalue 0 start 0 cache 1 no cycle', name || '__changes');
        execute format(
          'create or replace trigger %I after insert or update or delete or truncate on %s for each statement execute function app_bump_changes(%L)',
          name || '_changes', target, 'public.' || quote_ident(name || '__changes'));
        execute format('alter table %s enable always trigger %I', target, name || '_changes');
      end $$`);
    this.addSql(`revoke all on function app_track_changes(regclass) from public`);
    // Every tenant table so far (a product column, in public); later ones are tracked at provisioning.
    this.addSql(`select app_track_changes(c.oid)
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attname = 'product' and not a.attisdropped
      where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname <> 'tenant_roles'`);
  }
}
