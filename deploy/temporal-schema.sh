#!/bin/sh
# Temporal's own databases on PostgreSQL, made and kept up to date by temporalio/admin-tools' temporal-sql-tool:
# each database is created if missing and versioned, then gets the versioned updates it lacks, so running this
# again after moving to a newer temporalio/server image upgrades the schema (do it before the server starts).
set -eu
sql() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" -u "$POSTGRES_USER" --db "$1" "$2" "$3" "$4"
}
for db in temporal temporal_visibility; do
  kind=$([ "$db" = temporal ] && echo temporal || echo visibility)
  # The postgres image may have made the database already (POSTGRES_USER names one): create what is missing only.
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" -u "$POSTGRES_USER" --db "$db" create || true
  # Makes the schema_version table on a new database; on one already versioned above 0.0 it changes nothing.
  sql "$db" setup-schema -v 0.0
  sql "$db" update-schema -d "/etc/temporal/schema/postgresql/v12/$kind/versioned"
done
echo "Temporal's schema is up to date"
