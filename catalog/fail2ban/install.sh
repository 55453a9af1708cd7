#!/usr/bin/env bash
# Installs fail2ban with an sshd jail that reads the systemd journal (Debian 12 has no auth.log).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=120 -q -y)
"${apt[@]}" update >/dev/null || exit 2
"${apt[@]}" install --no-install-recommends fail2ban python3-systemd >/dev/null || exit 2
cat >/etc/fail2ban/jail.d/steward.local.new <<JAIL
# Managed by Steward (app fail2ban).
[DEFAULT]
ignoreip = ${IGNORE_ADDRESSES}
bantime = ${BAN_MINUTES}m
maxretry = ${MAX_RETRY}

[sshd]
enabled = true
backend = systemd
JAIL
mv /etc/fail2ban/jail.d/steward.local.new /etc/fail2ban/jail.d/steward.local
fail2ban-client -t >/dev/null 2>&1 || exit 3
systemctl enable fail2ban >/dev/null 2>&1 || exit 3
systemctl restart fail2ban || exit 3
exit 0
