#!/usr/bin/env bash
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
rm -f /etc/apt/apt.conf.d/20auto-upgrades /etc/apt/apt.conf.d/52steward-unattended-upgrades
apt-get -o DPkg::Lock::Timeout=120 -q -y purge unattended-upgrades >/dev/null || exit 2
