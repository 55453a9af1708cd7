#!/usr/bin/env bash
# Dumps $DB_NAME (one consistent transaction, with its CREATE DATABASE) into $STEWARD_BACKUP_DIR.
set -euo pipefail
mariadb-dump --protocol=socket -u root --single-transaction --routines --triggers --databases "$DB_NAME" \
  >"$STEWARD_BACKUP_DIR/database.sql" || exit 2
echo "dumped $DB_NAME: $(stat -c %s "$STEWARD_BACKUP_DIR/database.sql") bytes"
