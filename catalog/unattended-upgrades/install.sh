#!/usr/bin/env bash
# Enables daily unattended security upgrades, optionally rebooting at a fixed time when required.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=120 -q -y)
"${apt[@]}" update >/dev/null || exit 2
"${apt[@]}" install --no-install-recommends unattended-upgrades >/dev/null || exit 2
cat >/etc/apt/apt.conf.d/20auto-upgrades.new <<CONF
// Managed by Steward (app unattended-upgrades).
APT::Periodic::Update-Package-Lists "1";
APT::Periodic::Unattended-Upgrade "1";
CONF
mv /etc/apt/apt.conf.d/20auto-upgrades.new /etc/apt/apt.conf.d/20auto-upgrades
{
  echo "// Managed by Steward (app unattended-upgrades)."
  if [ "$AUTOMATIC_REBOOT" = true ]; then
    echo 'Unattended-Upgrade::Automatic-Reboot "true";'
    echo "Unattended-Upgrade::Automatic-Reboot-Time \"${REBOOT_TIME}\";"
  else
    echo 'Unattended-Upgrade::Automatic-Reboot "false";'
  fi
} >/etc/apt/apt.conf.d/52steward-unattended-upgrades.new
mv /etc/apt/apt.conf.d/52steward-unattended-upgrades.new /etc/apt/apt.conf.d/52steward-unattended-upgrades
apt-config dump >/dev/null 2>&1 || exit 3
systemctl enable --now apt-daily.timer apt-daily-upgrade.timer >/dev/null 2>&1 || exit 3
exit 0
