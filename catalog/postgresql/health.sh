#!/usr/bin/env bash
# Healthy when the role can log in over TCP with its password and use its database.
set -euo pipefail
command -v psql >/dev/null || { echo "psql is not installed"; exit 1; }
PGPASSWORD="$DB_PASSWORD" psql -h 127.0.0.1 -U "$DB_USER" -d "$DB_NAME" -tAc 'SELECT 1' 2>/dev/null | grep -qx 1 \
  || { echo "$DB_USER cannot use $DB_NAME"; exit 1; }
