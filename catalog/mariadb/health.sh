#!/usr/bin/env bash
# Healthy when the user can log in and use its database.
set -euo pipefail
systemctl is-active --quiet mariadb || { echo "mariadb is not running"; exit 1; }
MYSQL_PWD="$DB_PASSWORD" mariadb -u "$DB_USER" -e 'SELECT 1' "$DB_NAME" >/dev/null 2>&1 \
  || { echo "$DB_USER cannot use $DB_NAME"; exit 1; }
