#!/usr/bin/env bash
# Upgrades caddy to the distribution's current package, keeping the Caddyfile, and reloads it.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=120 -q -y)
"${apt[@]}" update >/dev/null || exit 2
"${apt[@]}" install --only-upgrade --no-install-recommends -o Dpkg::Options::=--force-confold caddy >/dev/null || exit 2
caddy validate --adapter caddyfile --config /etc/caddy/Caddyfile >/dev/null 2>&1 || exit 3
systemctl reload-or-restart caddy || exit 3
echo "caddy $(dpkg-query -W -f '${Version}' caddy)"
