#!/usr/bin/env bash
# Restarts MariaDB on the restored configuration and loads the dump of $DB_NAME back (its tables are
# dropped and created again as they were in the backup).
set -euo pipefail
systemctl restart mariadb || exit 3
for _ in $(seq 100); do mariadb-admin --protocol=socket -u root ping >/dev/null 2>&1 && break; sleep 0.2; done
if [ -f "$STEWARD_BACKUP_DIR/database.sql" ]; then
  mariadb --protocol=socket -u root <"$STEWARD_BACKUP_DIR/database.sql" || exit 3
  echo "$DB_NAME restored"
fi
