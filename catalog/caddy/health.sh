#!/usr/bin/env bash
# Healthy when Caddy runs and serves the site.
set -euo pipefail
systemctl is-active --quiet caddy || { echo "caddy is not running"; exit 1; }
port="${HTTP_PORT:-80}"
[ "${AUTOMATIC_HTTPS}" = true ] && exit 0   # the HTTPS site needs real DNS; the running service is what we can check
exec 3<>"/dev/tcp/127.0.0.1/${port}" || { echo "nothing listens on port ${port}"; exit 1; }
printf 'GET / HTTP/1.0\r\nHost: %s\r\n\r\n' "$SITE_DOMAIN" >&3
head -n 1 <&3 | grep -q ' 200 ' || { echo "the site does not answer 200"; exit 1; }
