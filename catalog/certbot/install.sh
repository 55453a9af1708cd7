#!/usr/bin/env bash
# Installs certbot and writes a cli.ini so later certbot runs need no questions answered.
# Obtaining a certificate needs public DNS for the domain; that is a job of its own.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=120 -q -y)
"${apt[@]}" update >/dev/null || exit 2
"${apt[@]}" install --no-install-recommends certbot >/dev/null || exit 2
mkdir -p /etc/letsencrypt
{
  echo "# Managed by Steward (app certbot)."
  echo "email = ${EMAIL}"
  echo "agree-tos = true"
  echo "non-interactive = true"
  echo "no-eff-email = true"
  [ "$STAGING" = true ] && echo "server = https://acme-staging-v02.api.letsencrypt.org/directory"
  true
} >/etc/letsencrypt/cli.ini.new
mv /etc/letsencrypt/cli.ini.new /etc/letsencrypt/cli.ini
systemctl enable --now certbot.timer >/dev/null 2>&1 || exit 3
[ -n "${STEWARD_OUTPUT:-}" ] && echo "config_file=/etc/letsencrypt/cli.ini" >>"$STEWARD_OUTPUT"
exit 0
