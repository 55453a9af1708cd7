#!/usr/bin/env bash
# Removes the PostgreSQL packages. Clusters under /var/lib/postgresql are kept, so no database is
# lost by accident; delete them by hand (pg_dropcluster) to start from nothing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
systemctl stop postgresql >/dev/null 2>&1 || true
apt-get -o DPkg::Lock::Timeout=120 -q -y remove 'postgresql*' >/dev/null || exit 2
apt-get -o DPkg::Lock::Timeout=120 -q -y autoremove >/dev/null || exit 2
