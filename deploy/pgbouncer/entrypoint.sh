#!/bin/sh
# Writes the runtime roles' passwords (from the environment) into PgBouncer's auth file, then runs it.
# PgBouncer logs into PostgreSQL with the same passwords (SCRAM), so it never needs the owner's.
set -eu
umask 077
{
  printf '"platform_app_bestays" "%s"\n' "$BESTAYS_DB_PASSWORD"
  printf '"platform_app_realestate" "%s"\n' "$REALESTATE_DB_PASSWORD"
} > /tmp/pgbouncer-userlist.txt
exec pgbouncer /etc/pgbouncer-conf/pgbouncer.ini
