import { Migration } from '@mikro-orm/migrations';

// Issue 6: every query of a runtime role evaluates its policy, `product = app_current_product()`.
// As a lookup in tenant_roles, that function could not be inlined (a SQL function whose body reads a
// table is run as a function: its query parsed, planned and executed again inside every statement),
// and it was the whole of the database's extra work per request over the owner's (~25 µs of ~150).
//
// tenant_roles stays the one source of truth; the two lookups are compiled from it into a CASE over
// the role name, which the planner inlines into each statement and evaluates once, like a constant:
//   select (case current_user::text when '<role>' then '<product>' ... end)::varchar
// A statement-level trigger recompiles them after every change to tenant_roles (insert, update,
// delete, truncate; provisioning and hand edits alike), in the same transaction, so the functions
// never disagree with the table. A role without a binding still gets NULL: no rows, no writes.
// Cached plans that inlined an older body are invalidated by PostgreSQL when it is replaced.
export class Migration20261130030000_compiled_tenant_roles extends Migration {
  override up(): void {
    // Unchanged bodies are left alone (provisioning touches tenant_roles on every start): replacing a
    // function invalidates every cached plan that uses it, in every session.
    this.addSql(`create function app_compile_tenant_roles() returns void
      language plpgsql security invoker set search_path = pg_catalog, public
      as $$
      declare
        arms text := (select string_agg(format('when %L then %L', role_name, product), ' ' order by role_name) from public.tenant_roles);
        fn text;
        who text;
        body text;
      begin
        foreach who in array array['current_user', 'session_user'] loop
          fn := case who when 'current_user' then 'app_current_product' else 'app_session_product' end;
          body := case when arms is null then 'select null::varchar' else format('select (case %s::text %s end)::varchar', who, arms) end;
          if body is distinct from (select prosrc from pg_proc where oid = to_regprocedure('public.' || fn || '()')) then
            execute format('create or replace function public.%I() returns varchar language sql stable security invoker as %L', fn, body);
          end if;
        end loop;
      end $$`);
    this.addSql(`revoke all on function app_compile_tenant_roles() from public`);
    this.addSql(`create function app_tenant_roles_changed() returns trigger
      language plpgsql security invoker set search_path = pg_catalog, public
      as $$ begin perform public.app_compile_tenant_roles(); return null; end $$`);
    this.addSql(`revoke all on function app_tenant_roles_changed() from public`);
    this.addSql(`create trigger "tenant_roles_compile" after insert or update or delete or truncate on "tenant_roles"
      for each statement execute function app_tenant_roles_changed()`);
    this.addSql(`select app_compile_tenant_roles()`);
  }

  override down(): void {
    this.addSql(`drop trigger "tenant_roles_compile" on "tenant_roles"`);
    this.addSql(`drop function app_tenant_roles_changed()`);
    this.addSql(`drop function app_compile_tenant_roles()`);
    this.addSql(`create or replace function app_current_product() returns varchar language sql stable security invoker
      as $$ select product from public.tenant_roles where role_name = current_user::text $$`);
    this.addSql(`create or replace function app_session_product() returns varchar language sql stable security invoker
      as $$ select product from public.tenant_roles where role_name = session_user::text $$`);
  }
}
