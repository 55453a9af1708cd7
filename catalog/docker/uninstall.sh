#!/usr/bin/env bash
# Removes Docker and Compose. Images, containers and volumes in /var/lib/docker are kept.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=120 -q -y purge docker.io docker-compose docker-compose-v2 >/dev/null 2>&1 \
  || apt-get -o DPkg::Lock::Timeout=120 -q -y purge docker.io >/dev/null || exit 2
apt-get -o DPkg::Lock::Timeout=120 -q -y autoremove --purge >/dev/null || exit 2
rm -f /etc/docker/daemon.json
