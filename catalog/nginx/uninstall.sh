#!/usr/bin/env bash
# Removes the site and nginx itself; the document root is kept (it may hold the operator's files).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
rm -f "/etc/nginx/sites-enabled/steward-${SERVER_NAME}.conf" "/etc/nginx/sites-available/steward-${SERVER_NAME}.conf"
apt-get -o DPkg::Lock::Timeout=120 -q -y purge nginx nginx-common >/dev/null || exit 2
apt-get -o DPkg::Lock::Timeout=120 -q -y autoremove --purge >/dev/null || exit 2
