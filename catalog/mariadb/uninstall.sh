#!/usr/bin/env bash
# Removes the MariaDB packages. The data directory /var/lib/mysql is kept, so no database is lost
# by accident; delete it by hand to start from nothing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=120 -q -y purge 'mariadb-server*' 'mariadb-client*' >/dev/null || exit 2
apt-get -o DPkg::Lock::Timeout=120 -q -y autoremove --purge >/dev/null || exit 2
