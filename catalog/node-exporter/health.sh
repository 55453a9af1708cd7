#!/usr/bin/env bash
# Healthy when /metrics answers with node metrics.
set -euo pipefail
systemctl is-active --quiet prometheus-node-exporter || { echo "the exporter is not running"; exit 1; }
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/${PORT}") 2>/dev/null && break; sleep 0.2; done
exec 3<>"/dev/tcp/127.0.0.1/${PORT}" || { echo "nothing listens on port ${PORT}"; exit 1; }
printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3
grep -q '^node_' <&3 || { echo "no node metrics"; exit 1; }
