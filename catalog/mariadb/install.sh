#!/usr/bin/env bash
# Installs MariaDB and creates (or updates) $DB_NAME and $DB_USER@localhost with $DB_PASSWORD.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=120 -q -y)
"${apt[@]}" update >/dev/null || exit 2
"${apt[@]}" install --no-install-recommends mariadb-server mariadb-client >/dev/null || exit 2
systemctl enable --now mariadb >/dev/null 2>&1 || exit 3

# Names are checked by the manifest's patterns; the password is escaped for an SQL string literal
# and sent on standard input, never on a command line.
password=$(printf '%s' "$DB_PASSWORD" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g")
mariadb --protocol=socket -u root <<SQL || exit 3
CREATE DATABASE IF NOT EXISTS \`${DB_NAME}\`;
CREATE USER IF NOT EXISTS '${DB_USER}'@'localhost' IDENTIFIED BY '${password}';
ALTER USER '${DB_USER}'@'localhost' IDENTIFIED BY '${password}';
GRANT ALL PRIVILEGES ON \`${DB_NAME}\`.* TO '${DB_USER}'@'localhost';
FLUSH PRIVILEGES;
SQL
[ -n "${STEWARD_OUTPUT:-}" ] && printf 'database=%s\nuser=%s\npassword_variable=DB_PASSWORD\n' "$DB_NAME" "$DB_USER" >>"$STEWARD_OUTPUT"
exit 0
