#!/usr/bin/env bash
# Upgrades the PostgreSQL packages within the installed major version and restarts the server.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=120 -q -y)
"${apt[@]}" update >/dev/null || exit 2
"${apt[@]}" install --only-upgrade --no-install-recommends -o Dpkg::Options::=--force-confold postgresql 'postgresql-[0-9]*' >/dev/null || exit 2
systemctl restart postgresql || exit 3
for _ in $(seq 100); do runuser -u postgres -- pg_isready -q && exit 0; sleep 0.2; done
echo "PostgreSQL did not come back"
exit 3
