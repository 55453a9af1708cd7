#!/usr/bin/env bash
# Healthy when redis answers PING with the configured password.
set -euo pipefail
systemctl is-active --quiet redis-server || { echo "redis-server is not running"; exit 1; }
answer=$(REDISCLI_AUTH="$PASSWORD" redis-cli -p "$PORT" ping 2>/dev/null || true)
[ "$answer" = PONG ] || { echo "redis does not answer PING"; exit 1; }
