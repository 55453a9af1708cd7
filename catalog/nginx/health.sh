#!/usr/bin/env bash
# Healthy when nginx runs, its configuration is valid and the site answers on its port.
set -euo pipefail
systemctl is-active --quiet nginx || { echo "nginx is not running"; exit 1; }
nginx -t -q 2>/dev/null || { echo "nginx configuration is invalid"; exit 1; }
exec 3<>"/dev/tcp/127.0.0.1/${HTTP_PORT}" || { echo "nothing listens on port ${HTTP_PORT}"; exit 1; }
printf 'GET / HTTP/1.0\r\nHost: %s\r\n\r\n' "$SERVER_NAME" >&3
head -n 1 <&3 | grep -q ' 200 ' || { echo "the site does not answer 200"; exit 1; }
