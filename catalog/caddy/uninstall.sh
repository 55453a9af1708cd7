#!/usr/bin/env bash
# Removes Caddy; the site folder under /var/www/caddy is kept.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=120 -q -y purge caddy >/dev/null || exit 2
apt-get -o DPkg::Lock::Timeout=120 -q -y autoremove --purge >/dev/null || exit 2
