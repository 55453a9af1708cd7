#!/usr/bin/env bash
# Upgrades nginx to the distribution's current package, keeping the site, and reloads it.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=120 -q -y)
"${apt[@]}" update >/dev/null || exit 2
"${apt[@]}" install --only-upgrade --no-install-recommends -o Dpkg::Options::=--force-confold nginx nginx-common >/dev/null || exit 2
nginx -t -q || exit 3
systemctl reload-or-restart nginx || exit 3
echo "nginx $(dpkg-query -W -f '${Version}' nginx)"
