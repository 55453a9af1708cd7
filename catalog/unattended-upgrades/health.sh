#!/usr/bin/env bash
# Healthy when unattended upgrades are installed, switched on, and their timer is active.
set -euo pipefail
command -v unattended-upgrade >/dev/null || { echo "unattended-upgrades is not installed"; exit 1; }
[ "$(apt-config shell value APT::Periodic::Unattended-Upgrade | sed -n "s/^value='\(.*\)'$/\1/p")" = 1 ] \
  || { echo "unattended upgrades are switched off"; exit 1; }
systemctl is-active --quiet apt-daily-upgrade.timer || { echo "apt-daily-upgrade.timer is not active"; exit 1; }
