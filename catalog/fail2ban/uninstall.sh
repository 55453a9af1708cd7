#!/usr/bin/env bash
# Removes fail2ban and its Steward jail settings (existing bans are lifted).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
rm -f /etc/fail2ban/jail.d/steward.local
apt-get -o DPkg::Lock::Timeout=120 -q -y purge fail2ban >/dev/null || exit 2
apt-get -o DPkg::Lock::Timeout=120 -q -y autoremove --purge >/dev/null || exit 2
