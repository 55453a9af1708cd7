#!/usr/bin/env bash
# Restarts PostgreSQL on the restored configuration and loads the dump of $DB_NAME back: its objects
# are dropped and created again as they were in the backup, in one transaction.
set -euo pipefail
systemctl restart postgresql || exit 3
for _ in $(seq 100); do runuser -u postgres -- pg_isready -q && break; sleep 0.2; done
if [ -f "$STEWARD_BACKUP_DIR/database.dump" ]; then
  cd /tmp
  runuser -u postgres -- pg_restore --clean --if-exists --single-transaction --exit-on-error --dbname="$DB_NAME" \
    <"$STEWARD_BACKUP_DIR/database.dump" || exit 3
  echo "$DB_NAME restored"
fi
