#!/usr/bin/env bash
# Removes certbot and its configuration file. Certificates in /etc/letsencrypt are kept.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=120 -q -y purge certbot python3-certbot >/dev/null || exit 2
apt-get -o DPkg::Lock::Timeout=120 -q -y autoremove --purge >/dev/null || exit 2
rm -f /etc/letsencrypt/cli.ini
