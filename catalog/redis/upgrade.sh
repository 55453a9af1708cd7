#!/usr/bin/env bash
# Upgrades redis-server to the distribution's current package and restarts it on the same data.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=120 -q -y)
"${apt[@]}" update >/dev/null || exit 2
"${apt[@]}" install --only-upgrade --no-install-recommends -o Dpkg::Options::=--force-confold redis-server >/dev/null || exit 2
grep -qxF "include /etc/redis/steward.conf" /etc/redis/redis.conf || echo "include /etc/redis/steward.conf" >>/etc/redis/redis.conf
systemctl restart redis-server || exit 3
echo "redis-server $(dpkg-query -W -f '${Version}' redis-server)"
