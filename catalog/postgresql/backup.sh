#!/usr/bin/env bash
# Dumps $DB_NAME (custom format, consistent while the database is in use) into $STEWARD_BACKUP_DIR.
set -euo pipefail
cd /tmp
runuser -u postgres -- pg_dump --format=custom --dbname="$DB_NAME" >"$STEWARD_BACKUP_DIR/database.dump" || exit 2
echo "dumped $DB_NAME: $(stat -c %s "$STEWARD_BACKUP_DIR/database.dump") bytes"
