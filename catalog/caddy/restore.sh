#!/usr/bin/env bash
# Serves the restored Caddyfile and site: validates it and reloads caddy.
set -euo pipefail
caddy validate --adapter caddyfile --config /etc/caddy/Caddyfile >/dev/null 2>&1 || { echo "the restored Caddyfile is not valid"; exit 3; }
systemctl reload-or-restart caddy || exit 3
