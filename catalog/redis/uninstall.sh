#!/usr/bin/env bash
# Removes redis and its Steward configuration; the data in /var/lib/redis is purged with the package.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=120 -q -y purge redis-server redis-tools >/dev/null || exit 2
apt-get -o DPkg::Lock::Timeout=120 -q -y autoremove --purge >/dev/null || exit 2
rm -f /etc/redis/steward.conf
