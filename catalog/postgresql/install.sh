#!/usr/bin/env bash
# Installs PostgreSQL and creates (or updates) the role $DB_USER and the database $DB_NAME it owns.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=120 -q -y)
"${apt[@]}" update >/dev/null || exit 2
"${apt[@]}" install --no-install-recommends postgresql >/dev/null || exit 2
systemctl enable --now postgresql >/dev/null 2>&1 || exit 3
for _ in $(seq 50); do runuser -u postgres -- pg_isready -q && break; sleep 0.2; done

# psql reads the values from the environment (\getenv) and quotes them itself (%I, %L):
# no value is ever part of a command line or spliced into SQL text.
cd /tmp
runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || exit 3
\getenv db DB_NAME
\getenv role DB_USER
\getenv password DB_PASSWORD
SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'role', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL
[ -n "${STEWARD_OUTPUT:-}" ] && printf 'database=%s\nuser=%s\npassword_variable=DB_PASSWORD\n' "$DB_NAME" "$DB_USER" >>"$STEWARD_OUTPUT"
exit 0
