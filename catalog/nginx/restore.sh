#!/usr/bin/env bash
# Serves the restored configuration and site: checks it and reloads nginx.
set -euo pipefail
nginx -t -q || { echo "the restored configuration does not pass nginx -t"; exit 3; }
systemctl reload-or-restart nginx || exit 3
