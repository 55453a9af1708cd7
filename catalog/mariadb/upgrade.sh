#!/usr/bin/env bash
# Upgrades the MariaDB packages to the distribution's current ones and restarts the server.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=120 -q -y)
"${apt[@]}" update >/dev/null || exit 2
"${apt[@]}" install --only-upgrade --no-install-recommends -o Dpkg::Options::=--force-confold mariadb-server mariadb-client >/dev/null || exit 2
systemctl restart mariadb || exit 3
for _ in $(seq 100); do mariadb-admin --protocol=socket -u root ping >/dev/null 2>&1 && exit 0; sleep 0.2; done
echo "MariaDB did not come back"
exit 3
