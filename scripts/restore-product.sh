#!/usr/bin/env bash
# Restores ONE product's rows from a pg_dump backup into the live database, leaving every other
# product's rows untouched (docs/operations.md, "Restore one product").
#
#   OWNER_URL=postgres://<superuser>@<host>/<live db> STAGING_URL=postgres://<superuser>@<host>/<empty db> \
#     scripts/restore-product.sh <product> <backup.dump>
#
# 1. restores the whole backup into the (empty) staging database;
# 2. exports that product's rows of every tenant table (the live schema's columns, generated ones excepted);
# 3. in ONE transaction on the live database: deletes the product's rows and loads the exported ones
#    (foreign-key triggers are off for that transaction: the rows come from one consistent snapshot).
# audit_log is kept as it is (append-only history) unless RESTORE_AUDIT_LOG=1.
# Needs a superuser (session_replication_role, and RLS is bypassed only by superusers/BYPASSRLS).
set -euo pipefail
product=${1:?usage: restore-product.sh <product> <backup.dump>}
dump=${2:?usage: restore-product.sh <product> <backup.dump>}
: "${OWNER_URL:?set OWNER_URL (the live database, as a superuser)}"
: "${STAGING_URL:?set STAGING_URL (an empty database to restore the backup into)}"
[[ $product =~ ^[a-z][a-z0-9_]{0,49}$ ]] || { echo "not a product name: $product" >&2; exit 1; }

pg_restore --no-owner --no-privileges --exit-on-error -d "$STAGING_URL" "$dump"

skip="'tenant_roles'"
[ "${RESTORE_AUDIT_LOG:-0}" = 1 ] || skip="$skip, 'audit_log'"
tables=$(psql "$OWNER_URL" -v ON_ERROR_STOP=1 -Atc "
  select c.relname from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  join pg_attribute a on a.attrelid = c.oid and a.attname = 'product' and not a.attisdropped
  where n.nspname = 'public' and c.relkind = 'r' and c.relname not in ($skip) order by 1")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
  echo '\set ON_ERROR_STOP on'
  echo 'begin;'
  echo 'set local session_replication_role = replica;'
  for table in $tables; do
    columns=$(psql "$OWNER_URL" -v ON_ERROR_STOP=1 -Atc "
      select string_agg(quote_ident(attname), ', ' order by attnum) from pg_attribute
      where attrelid = 'public.$table'::regclass and attnum > 0 and not attisdropped and attgenerated = ''")
    psql "$STAGING_URL" -v ON_ERROR_STOP=1 -qc "\\copy (select $columns from public.$table where product = '$product') to '$work/$table.csv' with (format csv)"
    echo "delete from public.$table where product = '$product';"
    echo "\\copy public.$table ($columns) from '$work/$table.csv' with (format csv)"
    echo "select '$table: ' || count(*) || ' rows' from public.$table where product = '$product';"
  done
  echo 'commit;'
} > "$work/restore.sql"
psql "$OWNER_URL" -X -q -At -f "$work/restore.sql"
echo "restored product \"$product\" from $dump"
