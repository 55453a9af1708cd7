#!/usr/bin/env bash
# Healthy when certbot runs, is configured non-interactively and its renewal timer is active.
set -euo pipefail
certbot --version >/dev/null 2>&1 || { echo "certbot is not installed"; exit 1; }
grep -q '^non-interactive = true' /etc/letsencrypt/cli.ini 2>/dev/null || { echo "cli.ini is missing"; exit 1; }
systemctl is-active --quiet certbot.timer || { echo "the renewal timer is not active"; exit 1; }
